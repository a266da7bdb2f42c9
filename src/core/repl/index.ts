export { ConsoleConnection, CONSOLE_BAUD, type ReadWait } from "./console-connection";
export { RawRepl, type ExecOptions, type ExecResult, type RawReplOptions } from "./raw-repl";
export { DeviceFiles, sha256Hex, tempPathFor, type DeviceFileEntry, type WriteProgress } from "./device-files";
export { ReplError, type ReplErrorCode } from "./errors";
export { VALUE_PROLOGUE, base64Of, bytesFromBase64, pyBytes, pyStr } from "./python-values";
