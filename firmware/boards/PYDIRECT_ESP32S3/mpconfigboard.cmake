set(IDF_TARGET esp32s3)
set(PYDIRECT_FLASH_MIB 8)
set(PYDIRECT_WEBRTC ON)

set(SDKCONFIG_DEFAULTS
  boards/sdkconfig.base
  boards/sdkconfig.usb
  boards/sdkconfig.ble
  boards/sdkconfig.spiram_sx
)
include(${MICROPY_BOARD_DIR}/../pydirect.cmake)
