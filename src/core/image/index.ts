export {
  CHIP_FAMILIES,
  chipFacts,
  chipFamilyForImageId,
  isChipFamily,
  PARTITION_TABLE_OFFSET,
  type ChipFamily,
  type ChipImageFacts,
} from "./chips";
export { ImageError, type ImageErrorCode } from "./errors";
export {
  readEspImage,
  writeEspImage,
  ESP_IMAGE_MAGIC,
  type EspImageInfo,
  type ImageSpec,
  type ImageSegment,
  type ReadImageOptions,
  type FlashMode,
} from "./esp-image";
export {
  readPartitionTable,
  writePartitionTable,
  partitionUsage,
  isAppPartition,
  PARTITION_TYPE_APP,
  PARTITION_TYPE_DATA,
  APP_SUBTYPE_FACTORY,
  APP_SUBTYPE_OTA_0,
  DATA_SUBTYPE_OTA,
  DATA_SUBTYPE_PHY,
  DATA_SUBTYPE_NVS,
  DATA_SUBTYPE_FAT,
  type PartitionEntry,
  type PartitionTable,
} from "./partition-table";
export {
  readAppDescription,
  writeAppDescription,
  APP_DESC_MAGIC,
  APP_DESC_OFFSET,
  type AppDescription,
} from "./app-desc";
export { detectImageChip } from "./detect-chip";
export {
  readEsp8266Image,
  readEsp8266V2Image,
  ESP8266_V1_MAGIC,
  ESP8266_V2_MAGIC,
  type Esp8266ImageInfo,
} from "./esp8266-image";
export {
  checkFirmware,
  assertFirmware,
  type PartToCheck,
  type ChipContext,
  type CheckedPart,
  type FirmwareCheck,
  type PartKind,
} from "./check-firmware";
export { sha256Hex } from "./bytes";
