/**
 * Values cross into device-side Python only as base64 text decoded on the board, never as
 * literals spliced into source: base64's alphabet (A–Z a–z 0–9 + / =) cannot close a string,
 * so no SSID, password or path can change the code that carries it.
 */

/** Python prologue every snippet that takes values starts with. */
export const VALUE_PROLOGUE = "from binascii import a2b_base64 as _b64d\n";

export function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function bytesFromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ""));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A Python expression evaluating to `value` as `bytes` (needs VALUE_PROLOGUE). */
export function pyBytes(value: Uint8Array): string {
  // A bytes literal: every a2b_base64 takes bytes, not all take str.
  return `_b64d(b'${base64Of(value)}')`;
}

/** A Python expression evaluating to `value` as `str` (needs VALUE_PROLOGUE). */
export function pyStr(value: string): string {
  return `${pyBytes(new TextEncoder().encode(value))}.decode()`;
}
