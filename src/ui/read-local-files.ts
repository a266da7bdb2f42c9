/**
 * Turning what the user picked or dropped into the core's `LocalFile`s: files from an
 * `<input type=file>` (several, or a folder with `webkitdirectory`), or a drop that may hold
 * folders (walked through the File and Directory Entries API, as browsers give dropped folders).
 * Names keep the path inside a picked or dropped folder, as `webkitRelativePath` gives it
 * ("release/esp32s3/bootloader.bin"), so a manifest's relative part paths match (the core's contract).
 */
import type { LocalFile } from "../core/firmware-sources/types";

/** Files from a file input (a folder input names each by its relative path). */
export async function readPickedFiles(list: FileList | readonly File[]): Promise<LocalFile[]> {
  const files = Array.from(list);
  return Promise.all(
    files.map(async (f) => ({ name: f.webkitRelativePath || f.name, data: new Uint8Array(await f.arrayBuffer()) })),
  );
}

/** Files from a drop: plain files, and every file inside dropped folders. */
export async function readDroppedFiles(transfer: DataTransfer): Promise<LocalFile[]> {
  const entries = Array.from(transfer.items)
    .map((item) =>
      item.kind === "file" && typeof item.webkitGetAsEntry === "function" ? item.webkitGetAsEntry() : null,
    )
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return readPickedFiles(transfer.files);
  const out: LocalFile[] = [];
  for (const entry of entries) await collect(entry, "", out);
  return out;
}

async function collect(entry: FileSystemEntry, prefix: string, out: LocalFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ name: `${prefix}${entry.name}`, data: new Uint8Array(await file.arrayBuffer()) });
    return;
  }
  for (const child of await children(entry as FileSystemDirectoryEntry))
    await collect(child, `${prefix}${entry.name}/`, out);
}

async function children(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches until it answers with none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}
