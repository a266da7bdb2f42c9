export {
  ImprovSerial,
  type ImprovDeviceInfo,
  type ImprovNetwork,
  type ImprovOptions,
  type ImprovProvisionResult,
} from "./improv-serial";
export { ImprovError, type ImprovErrorCode } from "./errors";
export {
  ImprovPacketParser,
  ImprovPacketType,
  ImprovCommand,
  ImprovStateCode,
  ImprovErrorStateCode,
  rpcResultPayload,
  encodePacket,
  encodeRpc,
  encodeStrings,
  decodeRpc,
  decodeStrings,
  type ImprovPacket,
  type ImprovState,
  type ImprovDeviceError,
} from "./protocol";
