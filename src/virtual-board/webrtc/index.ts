export { PeerState, Errno, type PeerStateValue } from "./states";
export { VirtualPeer, CHANNEL_LABEL, type PeerRole, type VirtualPeerOptions } from "./virtual-peer";
export {
  createWebrtcJsModule,
  installWebrtcModule,
  WEBRTC_SHIM_PY,
  type MicroPythonLike,
  type WebrtcModuleOptions,
} from "./micropython-module";
export { certificateFingerprintSync, p256ScalarFromPem, signDer } from "./device-key";
export { defaultPeerBackend } from "./backend";
export { webrtcModuleHook, type WebrtcHookOptions } from "./module-hook";
