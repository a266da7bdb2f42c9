export { sanitizeDeviceRecord, type DeviceRecord, type DeviceRegistry } from "./device-record";
export { MemoryDeviceRegistry } from "./memory-device-registry";
