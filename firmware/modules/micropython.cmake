# USER_C_MODULES entry point for pyDirect's C modules.
# A board without esp_peer support (no prebuilt library for its chip, e.g. ESP32-C3 with
# esp_peer 1.2.4) sets PYDIRECT_WEBRTC to OFF in its mpconfigboard.cmake.
if(NOT DEFINED PYDIRECT_WEBRTC OR PYDIRECT_WEBRTC)
  include(${CMAKE_CURRENT_LIST_DIR}/webrtc/micropython.cmake)
endif()
