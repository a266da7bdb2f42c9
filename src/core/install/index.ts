export {
  planInstall,
  prepareInstall,
  type InstallChip,
  type CheckedFlashPart,
  type InstallPrepEvent,
  type InstallSource,
  type InstallPlan,
  type PrepareOptions,
} from "./prepare-install";
