export { CborError, decodeCbor, encodeCbor, type CborValue } from "./cbor";
export {
  WBP_CHANNEL,
  WBP_EVENT,
  WBP_OP,
  WBP_REPLY,
  decodeMessage,
  encodeExecute,
  encodeInterrupt,
  encodeLogin,
  type WbpMessage,
} from "./protocol";
export { WbpClient, WbpError, type WbpErrorCode, type WbpRunResult } from "./client";
