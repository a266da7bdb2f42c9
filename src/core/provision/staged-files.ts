/**
 * Files go onto the board staged: each written as a temporary and checked by the board's SHA-256,
 * then all renamed into place in one exec, so a run cut off midway leaves the previous files as
 * they were.
 */
import { tempPathFor, type DeviceFiles } from "../repl/device-files";
import { ProvisionError } from "./errors";
import { CERT_PATH, KEY_PATH, USER_SETTINGS_PATH } from "./settings-file";

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** What staging a file reports (a part of the provisioning job's events). */
export type StagingEvent =
  | { state: "writing"; file: string; index: number; count: number; written: number; total: number }
  | { state: "verified"; file: string; index: number; count: number; sha256: string }
  | { state: "committing" };

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new ProvisionError("cancelled", "Provisioning was cancelled; the board's previous settings are unchanged.");
}

export interface StagedFile {
  path: string;
  data: Uint8Array;
}

export const USER_SETTINGS_BACKUP_PATH = `${USER_SETTINGS_PATH}.bak`;

/**
 * Every temporary file this job can stage. One left by a run that was cut off may hold part of
 * the private key, so each run clears them before it starts and again when it fails.
 */
const STAGING_PATHS: readonly string[] = [CERT_PATH, KEY_PATH, USER_SETTINGS_PATH, USER_SETTINGS_BACKUP_PATH].map(
  tempPathFor,
);

export async function removeStagingFiles(files: DeviceFiles): Promise<void> {
  await files.removeAll(STAGING_PATHS);
}

/**
 * Stage every file as a temporary, verify each by the board's SHA-256, and only then rename them
 * into place in one exec: a failure before the renames leaves the previous files untouched. The
 * settings file goes last so a board never points at certificate files that are not there yet.
 * On failure or cancel the staged files are removed when the link still works; otherwise the next
 * run removes them.
 */
export async function installFiles(
  files: DeviceFiles,
  staged: StagedFile[],
  emit: (event: StagingEvent) => void,
  signal?: AbortSignal,
): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  const count = staged.length;
  try {
    for (const [index, file] of staged.entries()) {
      throwIfCancelled(signal);
      await files.mkdir(file.path.slice(0, file.path.lastIndexOf("/")) || "/");
      const sha256 = await files.writeTemp(file.path, file.data, (p) =>
        emit({ state: "writing", file: file.path, index, count, written: p.written, total: p.total }),
      );
      emit({ state: "verified", file: file.path, index, count, sha256 });
      written.push({ path: file.path, bytes: file.data.length, sha256 });
    }
    throwIfCancelled(signal);
    emit({ state: "committing" });
    await files.commitAll(staged.map((f) => f.path));
    return written;
  } catch (err) {
    if (files.linkUp) await removeStagingFiles(files).catch(() => undefined);
    throw err;
  } finally {
    // Key and passwords leave memory as soon as the board has them (or the job gave up).
    for (const file of staged) file.data.fill(0);
  }
}
