/**
 * The console the user can open at any step: portal messages and device output in one timeline,
 * downloadable as text. Secrets the session holds are masked on the way in, so the log can be
 * shown, saved and attached to bug reports.
 */
export interface LogEntry {
  at: number;
  source: "portal" | "device";
  text: string;
}

const MASK = "••••••";
const MAX_ENTRIES = 5000;

export class SessionLog {
  private readonly entries: LogEntry[] = [];
  private readonly secrets = new Set<string>();
  private readonly listeners = new Set<(entry: LogEntry) => void>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Register a value that must never appear in the log (Wi-Fi password, PEM key text). */
  protect(secret: string): void {
    if (secret.length >= 1) this.secrets.add(secret);
  }

  forget(secret: string): void {
    this.secrets.delete(secret);
  }

  portal(text: string): void {
    this.add("portal", text);
  }

  device(text: string): void {
    this.add("device", text);
  }

  get all(): readonly LogEntry[] {
    return this.entries;
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Plain text for download: one line per portal message, device output as it came. */
  toText(): string {
    return this.entries
      .map((e) => (e.source === "portal" ? `[${new Date(e.at).toISOString()}] ${e.text}\n` : e.text))
      .join("");
  }

  private add(source: LogEntry["source"], raw: string): void {
    let text = raw;
    // Longest first, so a secret containing another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) text = text.split(s).join(MASK);
    const entry = { at: this.now(), source, text };
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    for (const l of this.listeners) l(entry);
  }
}
