export { createImprovFirmware, type ImprovFirmwareOptions, type SimulatedAccessPoint } from "./improv-firmware";
