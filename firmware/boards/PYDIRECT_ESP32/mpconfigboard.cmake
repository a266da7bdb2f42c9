set(IDF_TARGET esp32)
set(PYDIRECT_FLASH_MIB 4)
set(PYDIRECT_WEBRTC ON)

set(SDKCONFIG_DEFAULTS
  boards/sdkconfig.base
  boards/sdkconfig.ble
)
include(${MICROPY_BOARD_DIR}/../pydirect.cmake)
