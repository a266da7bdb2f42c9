// An upstream pyDirect image on the virtual board: its modules, ESP-IDF's log, WBP. Browser-safe.
export { decodeCbor, encodeCbor, type CborValue } from "./cbor";
export { IDF_LOG_LEVEL, IdfLog, type IdfLogLevel, type IdfLogLine, type IdfLogOptions } from "./idf-log";
export { upstreamModulesHook, type UpstreamModulesHook } from "./module-hook";
export {
  createUpstreamPyDirectApp,
  wifiLogLines,
  type UpstreamAppFactory,
  type UpstreamAppOptions,
} from "./upstream-app";
export { WBP, WbpSession, logFrame, progress, resultFrame, type WbpExecRequest } from "./wbp-session";
