import type { LoadedFirmware, LocalFile, LocalFirmwareAnalysis } from "./types";

/** Recognises what each file is and proposes offsets; throws FirmwareSourceError on bad input. */
export async function analyzeLocalFiles(files: LocalFile[]): Promise<LocalFirmwareAnalysis> {
  throw new Error(`not implemented yet (${files.length})`);
}

/** A LoadedFirmware with a synthesized manifest and the files in memory; `offsets` overrides the proposals by file name. */
export function localFirmware(files: LocalFile[], analysis: LocalFirmwareAnalysis, offsets?: Record<string, number>): LoadedFirmware {
  throw new Error(`not implemented yet (${files.length} ${analysis.shape} ${offsets ? "" : ""})`);
}
