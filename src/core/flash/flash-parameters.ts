/**
 * SPI_SET_PARAMS (0x0b), as esptool's flash_set_parameters (loader.py) sends it before it writes: flash id
 * 0, the total size, 64 KiB blocks, 4 KiB sectors, 256-byte pages, status mask 0xFFFF. The stub hands
 * them to the ROM's SPIParamCfg (stub_commands.c handle_spi_set_params), whose SPIWrite/SPIRead then
 * refuse addresses past the real flash instead of the stub's 16 MB (or 64 MB) default, under which a
 * smaller flash chip would wrap them.
 */
const SPI_SET_PARAMS = 0x0b;

export interface CommandChannel {
  checkCommand(description: string, op: number, data: Uint8Array): Promise<unknown>;
}

export function flashParametersPayload(totalSize: number): Uint8Array {
  const args = new Uint8Array(24);
  const view = new DataView(args.buffer);
  [0, totalSize, 0x10000, 0x1000, 0x100, 0xffff].forEach((word, i) => view.setUint32(i * 4, word, true));
  return args;
}

export async function setFlashParameters(loader: CommandChannel, totalSize: number): Promise<void> {
  await loader.checkCommand("set SPI flash parameters", SPI_SET_PARAMS, flashParametersPayload(totalSize));
}
