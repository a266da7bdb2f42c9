#define MICROPY_HW_BOARD_NAME "pyDirect ESP32-S3 (8 MB flash, PSRAM)"
#define MICROPY_HW_MCU_NAME "ESP32S3"

#define MICROPY_PY_MACHINE_DAC (0)

// REPL on the UART as well as native USB, as on MicroPython's generic S3 board, for modules
// wired through a USB-UART bridge.
#define MICROPY_HW_ENABLE_UART_REPL (1)
#define MICROPY_HW_I2C0_SCL (9)
#define MICROPY_HW_I2C0_SDA (8)
