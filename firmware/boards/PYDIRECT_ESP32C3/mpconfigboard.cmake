set(IDF_TARGET esp32c3)
set(PYDIRECT_FLASH_MIB 4)
# esp_peer 1.2.4 ships no prebuilt library for the ESP32-C3, so this image has no `webrtc`
# module; the portal verifies these boards over the serial link only.
set(PYDIRECT_WEBRTC OFF)

set(SDKCONFIG_DEFAULTS
  boards/sdkconfig.base
  boards/sdkconfig.ble
  boards/sdkconfig.c3usb
)
include(${MICROPY_BOARD_DIR}/../pydirect.cmake)
