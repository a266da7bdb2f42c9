/**
 * pyDirect's settings files: nested JSON addressed by dotted keys ("wifi.ssid"). The portal reads
 * and merges them on the host and writes the whole file back, so the only thing that crosses to
 * the board is file content (bytes), never Python source built from values.
 */
export const DEFAULT_SETTINGS_PATH = "/settings/default_settings.json";
export const USER_SETTINGS_PATH = "/settings/user_settings.json";
export const CERT_PATH = "/certs/servercert.pem";
export const KEY_PATH = "/certs/prvtkey.pem";

export type SettingsTree = Record<string, unknown>;
export type SettingsPatch = Record<string, string | number | boolean | null>;

function isTree(value: unknown): value is SettingsTree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function getSetting(tree: SettingsTree, key: string): unknown {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (!isTree(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Set dotted keys in a copy of `tree`, creating intermediate objects; keeps every other key. */
export function mergeSettings(tree: SettingsTree, patch: SettingsPatch): SettingsTree {
  const out = structuredClone(tree);
  for (const [key, value] of Object.entries(patch)) {
    const parts = key.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (!isTree(next)) node[part] = {};
      node = node[part] as SettingsTree;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/**
 * Parse a settings file. `null` for a file that is not a JSON object (hand-edited and broken):
 * the caller keeps a backup instead of silently dropping it.
 */
export function parseSettings(text: string): SettingsTree | null {
  try {
    const value: unknown = JSON.parse(text);
    return isTree(value) ? value : null;
  } catch {
    return null;
  }
}

export function serializeSettings(tree: SettingsTree): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(tree, null, 2) + "\n");
}
