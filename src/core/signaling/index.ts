export { SignalingError, type SignalingErrorCode } from "./errors";
export {
  OFFER_PATH,
  SIGNAL_PATH,
  STATUS_PATH,
  candidatesInSdp,
  fingerprintInSdp,
  parseAck,
  parseCandidateBatch,
  parseDeviceOffer,
  parseOfferReply,
  parseSignalRequest,
  parseStatus,
  type CandidateBatch,
  type DeviceOffer,
  type OfferReply,
  type OfferRequest,
  type SignalRequest,
  type SignalingStatus,
} from "./messages";
export { isMdnsCandidate, resolveMdnsCandidate, resolveMdnsInSdp } from "./mdns";
export {
  iceServerFromString,
  type ChannelHandle,
  type ChannelMessage,
  type DtlsIdentity,
  type PeerBackend,
  type PeerHandle,
  type PeerOptions,
  type PeerStates,
} from "./peer";
export { browserPeerBackend, hasBrowserWebRtc } from "./browser-peer";
export {
  certificateTrustStep,
  createFetchTransport,
  type CertificateTrustStep,
  type FetchTransportOptions,
  type SignalingTransport,
} from "./transport";
export {
  SIGNAL_LINE_PREFIX,
  createSerialTransport,
  parseSignalLines,
  type ReplExec,
  type SerialSignalReply,
  type SerialTransportOptions,
} from "./serial-transport";
export {
  negotiateDeviceOffers,
  negotiatePortalOffers,
  type NegotiateOptions,
  type Negotiation,
  type NegotiationRecord,
  type SignalingShape,
} from "./negotiate";
// Node-only (not re-exported here): ./werift-peer-node (weriftPeerBackend), ./https-pinned-node (createPinnedHttpsTransport).
