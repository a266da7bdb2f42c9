/**
 * Changing the UART rate of a session's link, ROM loader and flasher stub alike, and checking
 * that the link carries data at the new rate. Espressif's serial protocol: CHANGE_BAUDRATE (0x0f)
 * takes two 32-bit words, the new rate and the current one (0 when talking to the ROM); the chip
 * answers at the old rate and switches right after, so the host switches its port once it has the
 * reply. A rate the link cannot carry leaves the chip deaf to the host: the only way back is a
 * reset into the ROM loader and a fresh sync at 115200.
 */
import type { ESPLoader } from "esptool-js";
import type { SerialPortTransport } from "../port/esptool-transport";

/**
 * What changing the rate needs of an open session (FlashSession has it). Declared here rather than
 * imported from flash-session, which calls these functions: the two modules would import each other.
 */
export interface LinkSession {
  readonly loader: ESPLoader;
  readonly transport: SerialPortTransport;
  /** The rate the link runs at now. */
  readonly baudRate: number;
  throwIfInterrupted(): void;
  guard<T>(work: Promise<T>, step: "connect" | "md5"): Promise<T>;
}

export const ROM_BAUD = 115_200;
const CHANGE_BAUDRATE = 0x0f;
const SYNC = 0x08;
const SPI_FLASH_MD5 = 0x13;
export const CHIP_DETECT_MAGIC_REG = 0x40001000;
/**
 * esptool's SYNC payload. The stub answers it eight times like the ROM (stub_flasher.c cmd_loop); the
 * first reply is the check, and esptool-js's readPacket passes over the other seven (wrong op).
 */
const SYNC_PAYLOAD = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
/** A round trip at 1.5 Mbaud and above takes a few ms; a link that garbles gives no reply at all. */
const CHECK_TIMEOUT_MS = 250;
/** Pause between switching the port and checking the link at the new rate. */
const LINK_SETTLE_MS = 10;
/** The region hashed to check the link: small enough to cost the chip under a millisecond. */
const PROBE_REGION = { offset: 0, length: 0x1000 } as const;

/** What the chip answered at a rate known to work, to compare with its answers at a new one. */
export interface LinkProbe {
  magic: number;
  md5: string;
}

function changeBaudArgs(baud: number, current: number): Uint8Array {
  const args = new Uint8Array(8);
  const view = new DataView(args.buffer);
  view.setUint32(0, baud, true);
  view.setUint32(4, current, true);
  return args;
}

/**
 * Ask the ROM loader for a faster UART, `target` first and then lower rates. A rate the link
 * cannot carry costs a reset and a fresh sync before the next one. Returns the rate reached.
 */
export async function switchRomBaud(session: LinkSession, target: number): Promise<number> {
  if (target <= ROM_BAUD) return ROM_BAUD;
  const ladder = [target, 460_800, 230_400].filter((b, i, all) => b <= target && b > ROM_BAUD && all.indexOf(b) === i);
  const loader = session.loader;
  for (const baud of ladder) {
    session.throwIfInterrupted();
    await loader.checkCommand("change baud rate", CHANGE_BAUDRATE, changeBaudArgs(baud, 0));
    await session.transport.reopen(baud);
    if (await answersAtCurrentBaud(session)) return baud;
    await session.guard(session.transport.disconnect(), "connect");
    loader.IS_STUB = false;
    await loader.connect("default_reset", 7, false);
  }
  return ROM_BAUD;
}

/** A register read is the cheapest question the loader answers. */
async function answersAtCurrentBaud(session: LinkSession): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    session.throwIfInterrupted();
    try {
      await session.loader.readReg(CHIP_DETECT_MAGIC_REG, 300);
      return true;
    } catch {
      session.transport.flushInput();
    }
  }
  return false;
}

/** The stub's answers at the current (working) rate: the chip-detect register and the MD5 of a flash sector. */
export async function probeLink(session: LinkSession): Promise<LinkProbe> {
  const magic = await session.guard(session.loader.readReg(CHIP_DETECT_MAGIC_REG), "md5");
  const md5 = await session.guard(stubMd5(session, CHECK_TIMEOUT_MS * 4), "md5");
  return { magic, md5 };
}

async function stubMd5(session: LinkSession, timeout: number): Promise<string> {
  const args = new Uint8Array(16);
  new DataView(args.buffer).setUint32(0, PROBE_REGION.offset, true);
  new DataView(args.buffer).setUint32(4, PROBE_REGION.length, true);
  const digest = (await session.loader.checkCommand(
    "calculate md5sum",
    SPI_FLASH_MD5,
    args,
    0,
    16,
    timeout,
  )) as Uint8Array;
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Ask the running stub for `baud`, switch the port after its reply, and check the link both ways:
 * a SYNC (36 bytes the stub checks), the chip-detect register and a sector's MD5, each compared
 * with `probe`. Returns false when the link fails the check; the chip is then out of reach until
 * the session restarts it.
 */
export async function switchStubBaud(session: LinkSession, baud: number, probe: LinkProbe): Promise<boolean> {
  const loader = session.loader;
  await session.guard(
    loader.checkCommand("change baud rate", CHANGE_BAUDRATE, changeBaudArgs(baud, session.baudRate)),
    "md5",
  );
  await session.guard(session.transport.reopen(baud), "md5");
  // Let the chip's UART settle on the new rate and drop what the line made of the switch (esptool
  // waits 50 ms for the same; a link check that fails here only costs a slower rate).
  await new Promise((resolve) => setTimeout(resolve, LINK_SETTLE_MS));
  session.transport.flushInput();
  try {
    await session.guard(loader.checkCommand("sync", SYNC, SYNC_PAYLOAD, 0, 0, CHECK_TIMEOUT_MS), "md5");
    const magic = await session.guard(loader.readReg(CHIP_DETECT_MAGIC_REG, CHECK_TIMEOUT_MS), "md5");
    const md5 = await session.guard(stubMd5(session, CHECK_TIMEOUT_MS), "md5");
    if (magic !== probe.magic || md5 !== probe.md5) return false;
  } catch (err) {
    session.throwIfInterrupted();
    if (err instanceof Error && "code" in err && (err.code === "disconnected" || err.code === "cancelled")) throw err;
    return false;
  }
  return true;
}
