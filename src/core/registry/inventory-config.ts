/**
 * A station's inventory settings: the CouchDB database URL and the user. Only these two are ever
 * stored (localStorage in the browser); a password lives in memory for the session.
 */
import { InventoryError } from "./inventory-errors";

export interface InventoryConfig {
  /** http(s)://host[:port]/path/database, without credentials. */
  url: string;
  /** CouchDB user; "" when the database needs none. */
  user: string;
}

export interface ParsedInventoryUrl extends InventoryConfig {
  /** From the URL's user-info, for this session only. */
  password?: string;
}

/**
 * Reads what a user typed (or an environment variable held): credentials in the URL are split
 * off, so the URL can be stored and shown without them.
 */
export function parseInventoryUrl(input: string, user = ""): ParsedInventoryUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InventoryError(
      "bad-url",
      `"${redactCredentials(input.trim())}" is not a URL; enter the CouchDB database URL, e.g. https://couch.example.com/pydirect-inventory.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InventoryError(
      "bad-url",
      `The inventory URL must start with https:// (or http:// on this machine's network), not ${url.protocol}//.`,
    );
  }
  const urlUser = decodeURIComponent(url.username);
  const urlPassword = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  url.hash = "";
  url.search = "";
  const path = url.pathname.replace(/\/+$/, "");
  const database = path.split("/").pop() ?? "";
  if (!database) {
    throw new InventoryError(
      "bad-url",
      `The URL names no database; add it to the path, e.g. ${url.origin}/pydirect-inventory.`,
    );
  }
  // CouchDB's rule for database names (lower case letter first, then a-z 0-9 _$()+-/).
  if (!/^[a-z][a-z0-9_$()+/-]*$/.test(decodeURIComponent(database))) {
    throw new InventoryError(
      "bad-url",
      `"${decodeURIComponent(database)}" is not a CouchDB database name: lower-case letters, digits and _$()+-, starting with a letter.`,
    );
  }
  return {
    url: url.origin + path,
    user: user.trim() || urlUser,
    ...(urlPassword ? { password: urlPassword } : {}),
  };
}

/** The URL as it may be shown or logged: any password replaced. */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/[^/@:\s]*):[^/@\s]*@/g, "$1:***@");
}

export interface InventoryConfigStore {
  load(): InventoryConfig | null;
  save(config: InventoryConfig | null): void;
}

const STORAGE_KEY = "pydirect-inventory";

/** localStorage (or any Storage): exactly `{url, user}` is written, whatever object is passed. */
export function storageConfigStore(storage: Pick<Storage, "getItem" | "setItem" | "removeItem">): InventoryConfigStore {
  return {
    load() {
      try {
        const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? "null") as Partial<InventoryConfig> | null;
        if (!value || typeof value.url !== "string") return null;
        return { url: value.url, user: typeof value.user === "string" ? value.user : "" };
      } catch {
        return null;
      }
    },
    save(config) {
      if (!config) storage.removeItem(STORAGE_KEY);
      else storage.setItem(STORAGE_KEY, JSON.stringify({ url: config.url, user: config.user }));
    },
  };
}
