# Shared by the pyDirect boards' mpconfigboard.cmake: set PYDIRECT_FLASH_MIB and
# PYDIRECT_WEBRTC first. Paths in SDKCONFIG_DEFAULTS are relative to ports/esp32 unless absolute.
get_filename_component(PYDIRECT_FIRMWARE_DIR "${MICROPY_BOARD_DIR}/../.." ABSOLUTE)

# CONFIG_PARTITION_TABLE_CUSTOM_FILENAME is resolved against ports/esp32, so it is written
# here as an absolute path into a generated fragment.
set(PYDIRECT_PARTITIONS_FRAGMENT "${CMAKE_BINARY_DIR}/sdkconfig.pydirect_partitions")
file(WRITE "${PYDIRECT_PARTITIONS_FRAGMENT}"
  "CONFIG_PARTITION_TABLE_CUSTOM_FILENAME=\"${PYDIRECT_FIRMWARE_DIR}/partitions/partitions-${PYDIRECT_FLASH_MIB}MiB.csv\"\n")

list(APPEND SDKCONFIG_DEFAULTS
  ${PYDIRECT_FIRMWARE_DIR}/boards/sdkconfig.pydirect
  ${MICROPY_BOARD_DIR}/sdkconfig.board
  ${PYDIRECT_PARTITIONS_FRAGMENT}
)
if(PYDIRECT_WEBRTC)
  list(APPEND SDKCONFIG_DEFAULTS ${PYDIRECT_FIRMWARE_DIR}/boards/sdkconfig.webrtc)
endif()

set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
