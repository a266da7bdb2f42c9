/**
 * Puts the virtual `webrtc` module into a MicroPython WebAssembly interpreter: a JS module
 * `_webrtc_js` (peers on the given backend) and the Python shim `webrtc` that device scripts import.
 */
import { bytesFromBase64 } from "../../core/verify/device-channel";
import type { PeerBackend } from "../../core/signaling/peer";
import { VirtualPeer, type PeerRole } from "./virtual-peer";
import { WEBRTC_SHIM_PY } from "./webrtc-shim.py";

/** The slice of a MicroPython WebAssembly instance this needs. */
export interface MicroPythonLike {
  registerJsModule(name: string, module: object): void;
  runPython(code: string): unknown;
  globals: { set(key: string, value: unknown): void; delete(key: string): void };
}

export interface WebrtcModuleOptions {
  backend: PeerBackend;
  reportError?: (text: string) => void;
  schedule?: (run: () => void) => void;
  /** Every peer made, for tests and for stopping them when the app stops. */
  peers?: Set<VirtualPeer>;
  /** No local candidates reach `on_ice` (see WebrtcHookOptions.silentCandidates). */
  silentCandidates?: boolean;
}

/** The `_webrtc_js` module object. */
export function createWebrtcJsModule(options: WebrtcModuleOptions): Record<string, unknown> {
  return {
    check_options: (role: string, cert: string, key: string) =>
      VirtualPeer.checkOptions({ role: role as PeerRole, cert: cert || null, key: key || null }),
    new_peer: (role: string, servers: string, sendBuffer: number, recvBuffer: number, cert: string, key: string) => {
      const peer = new VirtualPeer(options.backend, {
        role: role as PeerRole,
        iceServers: servers ? servers.split("\n") : [],
        sendBuffer,
        recvBuffer,
        cert: cert || null,
        key: key || null,
        reportError: options.reportError,
        schedule: options.schedule,
      });
      options.peers?.add(peer);
      return {
        on: (kind: "offer" | "answer" | "ice" | "data" | "state", cb: ((v: unknown) => unknown) | null) =>
          peer.on(kind, kind === "ice" && options.silentCandidates ? null : cb),
        create_offer: () => peer.create_offer(),
        set_remote_sdp: (sdp: string) => peer.set_remote_sdp(sdp),
        add_ice_candidate: (c: string) => peer.add_ice_candidate(c),
        send: (text: string) => peer.send(text),
        send_base64: (b64: string) => peer.send(bytesFromBase64(b64)),
        state: () => peer.state(),
        fingerprint: () => peer.fingerprint(),
        sign_base64: (b64: string) => peer.sign(bytesFromBase64(b64)),
        process_queue: () => peer.process_queue(),
        close: () => {
          options.peers?.delete(peer);
          return peer.close();
        },
      };
    },
  };
}

/**
 * Register `_webrtc_js` and make `import webrtc` find the shim. The wasm port cannot create module
 * objects, so (as the board's other shims do) a class holding the shim's names stands in for the
 * module in sys.modules; nothing is written to the board's filesystem.
 */
export function installWebrtcModule(mp: MicroPythonLike, options: WebrtcModuleOptions): void {
  mp.registerJsModule("_webrtc_js", createWebrtcJsModule(options));
  mp.globals.set("__vb_webrtc_src", WEBRTC_SHIM_PY);
  mp.runPython(
    [
      "import sys",
      "__vb_ns = {'__name__': 'webrtc'}",
      "exec(__vb_webrtc_src, __vb_ns)",
      "class webrtc:",
      "    pass",
      "for __vb_k, __vb_v in __vb_ns.items():",
      "    if not __vb_k.startswith('__'):",
      "        setattr(webrtc, __vb_k, staticmethod(__vb_v) if type(__vb_v).__name__ == 'function' else __vb_v)",
      "sys.modules['webrtc'] = webrtc",
      "del webrtc, __vb_ns, __vb_k, __vb_v, __vb_webrtc_src",
    ].join("\n"),
  );
}

export { WEBRTC_SHIM_PY };
