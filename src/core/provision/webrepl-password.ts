/**
 * The board's WebREPL password: the one upstream's clients (ScriptO Studio, WebREPL) log in with,
 * checked by the board's webrepl_binary against `server.webrepl_password`. Made fresh per board
 * unless the user types one; either way it goes only to the board and to the user's eyes.
 */
import { ProvisionError } from "./errors";
import { SecretText } from "./secret";

/**
 * A WebREPL password the user typed. pyDirect's setup page (lib/sys/setup_server.py) takes 4
 * characters or more; webrepl_binary compares it as a C string, so no NUL; the settings file
 * holds it as JSON text, so any other character is safe.
 */
export function validateWebreplPassword(password: SecretText): SecretText {
  const value = password.reveal();
  const problem =
    value.length < 4
      ? "A WebREPL password needs at least 4 characters."
      : value.length > 64
        ? "A WebREPL password may have at most 64 characters."
        : value.includes("\u0000")
          ? "The WebREPL password contains a NUL character, which the board cannot compare."
          : null;
  if (problem) throw new ProvisionError("invalid-webrepl-password", problem, { field: "webreplPassword" });
  return password;
}

const WEBREPL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
/** MicroPython's WebREPL accepts passwords of 4 to 9 characters. */
const WEBREPL_LENGTH = 9;

export function freshWebreplPassword(): SecretText {
  const out: string[] = [];
  const limit = 256 - (256 % WEBREPL_ALPHABET.length);
  while (out.length < WEBREPL_LENGTH) {
    for (const b of globalThis.crypto.getRandomValues(new Uint8Array(16))) {
      if (b < limit && out.length < WEBREPL_LENGTH) out.push(WEBREPL_ALPHABET[b % WEBREPL_ALPHABET.length]);
    }
  }
  return new SecretText(out.join(""));
}
