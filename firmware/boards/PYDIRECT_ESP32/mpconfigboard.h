#define MICROPY_HW_BOARD_NAME "pyDirect ESP32 (4 MB flash)"
#define MICROPY_HW_MCU_NAME "ESP32"
