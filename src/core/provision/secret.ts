/**
 * A secret (device private key, Wi-Fi password, WebREPL password) that must reach the device and
 * the user's eyes but never a log line, a JSON event, storage or a URL. Stringifying it in any of
 * the usual ways yields a placeholder; only `reveal()` gives the value.
 */
export class SecretText {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return "[secret]";
  }

  toJSON(): string {
    return "[secret]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "SecretText([secret])";
  }
}
