export {
  classifyDetection,
  detectDeviceKind,
  detectDeviceKindOnPort,
  type DeviceKind,
  type ReplDeviceKind,
} from "./detect-device-kind";
