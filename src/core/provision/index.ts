export {
  generateDeviceCertificate,
  certificateFingerprint,
  pemCertificateFingerprint,
  validateValidityDays,
  validateIpAddress,
  MAX_VALIDITY_DAYS,
  DEFAULT_VALIDITY_DAYS,
  type DeviceCertificate,
  type DeviceCertificateRequest,
} from "./certificate";
export { ProvisionError, type ProvisionErrorCode, type ProvisionField } from "./errors";
export { SecretText } from "./secret";
export { freshWebreplPassword, validateWebreplPassword } from "./webrepl-password";
export {
  validateWifiCredentials,
  securityFromAuthMode,
  signalBars,
  SSID_MAX_BYTES,
  PASSPHRASE_MIN,
  PASSPHRASE_MAX,
  type WifiCredentials,
  type WifiSecurity,
  type ScannedNetwork,
} from "./wifi-settings";
export {
  defaultHostname,
  validateHostname,
  checkHostnameAvailable,
  DEFAULT_HOSTNAME_PREFIX,
  type DeviceIdentity,
} from "./identity";
export {
  provisionDevice,
  retryWifi,
  writeWifiSettings,
  type ProvisionRequest,
  type ProvisionResult,
  type ProvisionEvent,
  type ProvisionEventListener,
  type RetryWifiRequest,
  type WrittenFile,
} from "./provision-job";
export { awaitWifiOutcome, resetBoard, wifiFailure, type WifiOutcome, type WifiFailureReason } from "./wifi-outcome";
export { awaitWifiOverRepl, outcomeFromPoll, type WifiPoll } from "./repl-wifi";
export { parseStatusLine, followStatusLines, type DeviceStatus } from "./status-lines";
export {
  inspectDevice,
  readDeviceIdentity,
  readBoardSettings,
  scanNetworks,
  scanWifiNetworks,
  type BoardSettings,
  type DeviceInspection,
} from "./device-queries";
export {
  mergeSettings,
  getSetting,
  parseSettings,
  serializeSettings,
  CERT_PATH,
  KEY_PATH,
  USER_SETTINGS_PATH,
  DEFAULT_SETTINGS_PATH,
  type SettingsTree,
  type SettingsPatch,
} from "./settings-file";
