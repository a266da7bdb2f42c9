import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { ReplError } from "./errors";
import { VALUE_PROLOGUE, bytesFromBase64, pyBytes, pyStr } from "./python-values";
import { printAnswer, type RawRepl } from "./raw-repl";

/** Raw bytes per exec when writing; base64 makes it ~1.4 KB of source, a few raw-paste windows. */
const WRITE_CHUNK = 1024;
/** Raw bytes per exec when reading back. */
const READ_CHUNK = 3072;

export interface DeviceFileEntry {
  name: string;
  type: "file" | "dir";
  size: number;
}

export interface WriteProgress {
  path: string;
  written: number;
  total: number;
}

export function sha256Hex(data: Uint8Array): string {
  return bytesToHex(sha256(data));
}

/** Name of the temporary file a write goes to before it is renamed over `path`. */
export function tempPathFor(path: string): string {
  return `${path}.tmp`;
}

/**
 * File operations on the board's filesystem through a raw REPL. Writes go to a temporary file
 * first and only replace the real one after the board's own SHA-256 of the temporary file matches,
 * so a cut cable or a corrupted byte never leaves a half-written config behind.
 */
export class DeviceFiles {
  constructor(private readonly repl: RawRepl) {}

  /** Write, verify by device-side SHA-256, then rename over `path`. */
  async writeFileAtomic(path: string, data: Uint8Array, onProgress?: (p: WriteProgress) => void): Promise<string> {
    const digest = await this.writeTemp(path, data, onProgress);
    await this.commit(path);
    return digest;
  }

  /**
   * Write `data` to `tempPathFor(path)` and check the board's SHA-256 of it; one rewrite on a
   * mismatch (a byte corrupted on the wire), then a `ReplError("file-mismatch")`.
   */
  async writeTemp(path: string, data: Uint8Array, onProgress?: (p: WriteProgress) => void): Promise<string> {
    const temp = tempPathFor(path);
    const expected = sha256Hex(data);
    let actual = "";
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.writeRaw(temp, data, (written) => onProgress?.({ path, written, total: data.length }));
        actual = await this.sha256(temp);
      } catch (err) {
        if (!(err instanceof ReplError) || err.code !== "device-exception" || attempt === 1) throw err;
        continue;
      }
      if (actual === expected) return expected;
    }
    throw new ReplError(
      "file-mismatch",
      `What the board stored for ${path} differs from what was sent (SHA-256 ${actual.slice(0, 12)}… instead of ${expected.slice(0, 12)}…). Check the cable and try again.`,
    );
  }

  /** Replace `path` by its verified temporary file. */
  async commit(path: string): Promise<void> {
    await this.commitAll([path]);
  }

  /**
   * Replace each path by its verified temporary file, in order, in one exec: once the board has
   * the code, a cable pulled now cannot leave some files renamed and others not.
   */
  async commitAll(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const pairs = paths.map((p) => `(${pyStr(tempPathFor(p))},${pyStr(p)})`).join(",");
    await this.repl.execOrThrow(
      `${VALUE_PROLOGUE}import os\nfor _t,_p in (${pairs},):\n` +
        // LittleFS renames over an existing file; FAT refuses, so remove the old one first there.
        " try:\n  os.rename(_t,_p)\n except OSError:\n  os.remove(_p)\n  os.rename(_t,_p)\n",
    );
  }

  /** False once the serial link has failed (cable pulled): nothing more can reach the board. */
  get linkUp(): boolean {
    return !this.repl.connection.error;
  }

  /** Write without verification or rename (the building block; prefer writeFileAtomic). */
  async writeRaw(path: string, data: Uint8Array, onWritten?: (written: number) => void): Promise<void> {
    await this.repl.execOrThrow(`${VALUE_PROLOGUE}_f=open(${pyStr(path)},'wb')\n_w=_f.write\n`);
    try {
      for (let at = 0; at < data.length; at += WRITE_CHUNK) {
        const chunk = data.subarray(at, at + WRITE_CHUNK);
        await this.repl.execOrThrow(`_w(${pyBytes(chunk)})\n`);
        onWritten?.(at + chunk.length);
      }
      if (data.length === 0) onWritten?.(0);
    } finally {
      if (!this.repl.connection.error) await this.repl.execOrThrow("_f.close()\n").catch(() => undefined);
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    const out = await this.repl.execOrThrow(
      `${VALUE_PROLOGUE}from binascii import b2a_base64 as _e\n` +
        `with open(${pyStr(path)},'rb') as _f:\n while True:\n  _c=_f.read(${READ_CHUNK})\n  if not _c: break\n  print(_e(_c).decode().strip())\n`,
    );
    return bytesFromBase64(out);
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path));
  }

  /** SHA-256 the board computes over the file (hashlib), lower-case hex. */
  async sha256(path: string): Promise<string> {
    const out = await this.repl.execOrThrow(
      `${VALUE_PROLOGUE}import hashlib\nfrom binascii import hexlify as _hx\n_h=hashlib.sha256()\n` +
        `with open(${pyStr(path)},'rb') as _f:\n while True:\n  _c=_f.read(1024)\n  if not _c: break\n  _h.update(_c)\nprint(_hx(_h.digest()).decode())\n`,
    );
    return out.trim();
  }

  /** Whether `path` exists (file or directory). */
  async exists(path: string): Promise<boolean> {
    const out = await this.repl.execOrThrow(
      `${VALUE_PROLOGUE}import os\ntry:\n os.stat(${pyStr(path)})\n print(1)\nexcept OSError:\n print(0)\n`,
    );
    return out.trim() === "1";
  }

  /** Create a directory and its parents; existing ones are fine. */
  async mkdir(path: string): Promise<void> {
    await this.repl.execOrThrow(
      // Existence is checked with stat rather than by errno: errno numbers differ between ports.
      `${VALUE_PROLOGUE}import os\n_p=''\nfor _s in ${pyStr(path)}.split('/'):\n if not _s: continue\n _p+='/'+_s\n try:\n  os.stat(_p)\n except OSError:\n  os.mkdir(_p)\n`,
    );
  }

  async list(path = "/"): Promise<DeviceFileEntry[]> {
    const rows = await this.repl.execJson<[string, "file" | "dir", number][]>(
      `${VALUE_PROLOGUE}import os, json\n_d=${pyStr(path)}\n_r=[]\nfor _e in os.ilistdir(_d):\n` +
        // Some ports give no size in ilistdir; stat the entry then.
        ` _z=_e[3] if len(_e)>3 else os.stat(_d.rstrip('/')+'/'+_e[0])[6]\n` +
        ` _r.append([_e[0], 'dir' if _e[1]&0x4000 else 'file', _z if not _e[1]&0x4000 else 0])\n` +
        printAnswer("_r"),
    );
    return rows.map(([name, type, size]) => ({ name, type, size }));
  }

  /** Remove a file (or an empty directory); a missing one is not an error. */
  async remove(path: string): Promise<void> {
    await this.removeAll([path]);
  }

  /** Remove each file (or empty directory) in one exec; missing ones are not an error. */
  async removeAll(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.repl.execOrThrow(
      `${VALUE_PROLOGUE}import os\nfor _p in (${paths.map(pyStr).join(",")},):\n` +
        " try:\n  _m=os.stat(_p)[0]\n except OSError:\n  continue\n if _m & 0x4000: os.rmdir(_p)\n else: os.remove(_p)\n",
    );
  }
}
