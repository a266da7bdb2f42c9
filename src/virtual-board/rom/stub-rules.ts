import type { ChipFamily } from "../types";

/**
 * Limits of esptool's flasher stub as its sources set them (espressif/esptool-legacy-flasher-stub,
 * flasher_stub/), the build esptool-js uploads.
 */

/** stub_flasher.h: `#define MAX_WRITE_BLOCK 0x4000`, the write block and the size of each receive buffer. */
export const MAX_WRITE_BLOCK = 0x4000;
/**
 * stub_flasher.c, uart_buf_t: two receive buffers of MAX_WRITE_BLOCK+64 bytes; stub_handle_rx_byte ends
 * the frame when one fills ("shouldn't happen unless there are data errors") and reads on into the other.
 */
export const STUB_RX_BUFFER = MAX_WRITE_BLOCK + 64;
/** stub_flasher.c, cmd_loop: `if(command->data_len > MAX_WRITE_BLOCK+16)` answers ESP_BAD_DATA_LEN, 0xEE. */
export const STUB_MAX_DATA_LEN = MAX_WRITE_BLOCK + 16;
/** stub_commands.c, handle_flash_read: `uint8_t buf[FLASH_SECTOR_SIZE]`; a larger block size returns at once. */
export const STUB_READ_BLOCK_MAX = 0x1000;
/** The status byte of a failed stub command whose check is `verify_data_len(...) || handler(...)`: C's `||` yields 1. */
export const STUB_BOOLEAN_ERROR = 1;

/**
 * stub_flasher.h FLASH_MAX_SIZE: 64 MB where the stub drives 32-bit addresses (ESP32-S3, ESP32-P4,
 * ESP32-C5), 16 MB elsewhere. stub_main passes it to the ROM's SPIParamCfg as the chip size, so the ROM's
 * SPIWrite/SPIRead refuse beyond it until SPI_SET_PARAMS says otherwise.
 */
export function stubFlashMaxSize(chip: ChipFamily): number {
  return chip === "ESP32-S3" || chip === "ESP32-P4" || chip === "ESP32-C5" ? 64 << 20 : 16 << 20;
}

/**
 * A chip that jumps into code not built for it faults and hangs; nothing answers the host until a
 * watchdog resets it. Espressif documents no figure for this hang in download mode: 1 s is our
 * modelled value (the same order as the RTC watchdog's timeouts), long enough that a host sees silence first.
 */
export const CRASH_WATCHDOG_MS = 1_000;
