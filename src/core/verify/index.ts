export { VerifyError, type VerifyErrorCode } from "./errors";
export {
  DeviceChannel,
  NONCE_BYTES,
  PROOF_CONTEXT,
  base64FromBytes,
  bytesFromBase64,
  type DeviceHello,
  type ExecResult,
} from "./device-channel";
export {
  colonHex,
  ecdsaDerToRaw,
  ecdsaRawToDer,
  parseCertificate,
  sameFingerprint,
  verifyNonceSignature,
  type KeyProof,
  type ParsedCertificate,
} from "./proof";
export {
  median,
  summarizeReport,
  type RttFigures,
  type VerifyCheck,
  type VerifyDiagnostics,
  type VerifyReport,
  type VerifyStep,
} from "./report";
export { CHANNEL_LABEL, verifyDevice, type VerifyEvent, type VerifyOutcome, type VerifyRequest } from "./verify-device";
export { verifyOverSerial, type SerialVerifyRequest } from "./serial-verify";
export { connectAgain, deviceUrl, recordVerification, type ConnectAgainOptions } from "./handoff";
export { verifyOverHttps, waitForSignalingEndpoint, type HttpsVerifyRequest } from "./https-verify";
