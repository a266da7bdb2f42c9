export type {
  FirmwareManifest,
  FirmwareChoice,
  ManifestBuild,
  ManifestPart,
  ManifestIssue,
  SerialType,
  ReleaseChannel,
} from "./types";
export { ManifestError, type ManifestErrorCode } from "./errors";
export { parseManifest, type ParsedManifest } from "./parse";
export {
  firmwareChoices,
  selectFirmware,
  selectBuild,
  resolvePartUrl,
  type ChipForSelection,
  type ChoiceFilter,
} from "./select";
