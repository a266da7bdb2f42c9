# MicroPython user C module `webrtc` (API: firmware/docs/webrtc-api.md).
# Needs the ESP-IDF component espressif/esp_peer (see idf_component.yml and BUILD.md):
# build-images.py adds it to MicroPython's main component before building.

add_library(usermod_webrtc INTERFACE)

target_sources(usermod_webrtc INTERFACE
  ${CMAKE_CURRENT_LIST_DIR}/modwebrtc.c
  ${CMAKE_CURRENT_LIST_DIR}/modwebrtc_signal.c
  ${CMAKE_CURRENT_LIST_DIR}/webrtc_peer.c
  ${CMAKE_CURRENT_LIST_DIR}/webrtc_sign.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_event_queue.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_ice.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_json.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_sdp.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_signal.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_state.c
  ${CMAKE_CURRENT_LIST_DIR}/core/wrtc_status.c
)

target_include_directories(usermod_webrtc INTERFACE
  ${CMAKE_CURRENT_LIST_DIR}
)

target_compile_definitions(usermod_webrtc INTERFACE
  MODULE_WEBRTC_ENABLED=1
)

# The managed component's target; present once esp_peer is a dependency of `main`.
if(TARGET idf::espressif__esp_peer)
  target_link_libraries(usermod_webrtc INTERFACE idf::espressif__esp_peer)
endif()

target_link_libraries(usermod INTERFACE usermod_webrtc)
