/**
 * The Python face of the virtual `webrtc` module: the exact API of firmware/docs/webrtc-api.md over
 * the JavaScript `_webrtc_js` module. It converts values (JS Uint8Array ↔ bytes) and turns the JS
 * side's error words into the exceptions the C module raises.
 */
export const WEBRTC_SHIM_PY = String.raw`
import _webrtc_js as _js
import binascii

# Upstream pyDirect's C module (webrtc/modwebrtc.c at 362a8cc) and the portal's
# (firmware/docs/webrtc-api.md) share this shim; a script gets the one whose names it calls:
# - 'stun_server' / 'turn_server' (upstream's names) are accepted and ignored, as upstream's
#   module configures esp_peer with no servers at all (server_num = 0, modwebrtc.c:475-478): host
#   candidates only. 'ice_servers' (ours) are used.
# - 'on_ice' (upstream's name, modwebrtc.c:533-541) never hears of the end of gathering: upstream
#   drops esp_peer's empty message (modwebrtc.c:292-294). 'on_ice_candidate' (ours) gets cb('')
#   once gathering is complete.

STATE_CLOSED = 0
STATE_DISCONNECTED = 1
STATE_NEW_CONNECTION = 2
STATE_PAIRING = 3
STATE_PAIRED = 4
STATE_CONNECTING = 5
STATE_CONNECTED = 6
STATE_CONNECT_FAILED = 7
STATE_DATA_CHANNEL_CONNECTED = 8
STATE_DATA_CHANNEL_OPENED = 9
STATE_DATA_CHANNEL_CLOSED = 10
STATE_DATA_CHANNEL_DISCONNECTED = 11


def pre_generate_cert():
    return None


def _check(result):
    if result is None:
        return
    kind, _, detail = str(result).partition(":")
    if kind == "oserror":
        raise OSError(int(detail))
    raise ValueError(detail)


class Peer:
    def __init__(self, role="controlling", *, ice_servers=(), send_buffer=16384, recv_buffer=16384, cert=None, key=None,
                 stun_server=None, turn_server=None):
        if not isinstance(role, str):
            raise ValueError("role must be a str")
        for name, pem in (("cert", cert), ("key", key)):
            if pem is not None and not isinstance(pem, str):
                raise ValueError(name + " must be PEM text")
        if send_buffer <= 0 or recv_buffer <= 0:
            raise ValueError("buffer sizes must be positive")
        servers = "\n".join(ice_servers)
        _check(_js.check_options(role, cert or "", key or ""))
        self._p = _js.new_peer(role, servers, send_buffer, recv_buffer, cert or "", key or "")

    def _on(self, kind, cb, convert):
        if cb is None:
            self._p.on(kind, None)
        else:
            self._p.on(kind, lambda value: cb(convert(value)))

    def on_offer(self, cb):
        self._on("offer", cb, str)

    def on_answer(self, cb):
        self._on("answer", cb, str)

    def on_ice_candidate(self, cb):
        self._on("ice", cb, str)

    def on_ice(self, cb):
        if cb is None:
            self._p.on("ice", None)
        else:
            self._p.on("ice", lambda value: cb(str(value)) if str(value) else None)

    def on_data(self, cb):
        self._on("data", cb, bytes)

    def on_state(self, cb):
        self._on("state", cb, int)

    def create_offer(self):
        _check(self._p.create_offer())

    def set_remote_sdp(self, sdp):
        if not isinstance(sdp, str):
            raise ValueError("sdp must be a str")
        _check(self._p.set_remote_sdp(sdp))

    def add_ice_candidate(self, candidate):
        if not isinstance(candidate, str):
            raise ValueError("candidate must be a str")
        _check(self._p.add_ice_candidate(candidate))

    def send(self, data):
        if isinstance(data, str):
            _check(self._p.send(data))
        elif isinstance(data, (bytes, bytearray, memoryview)):
            _check(self._p.send_base64(binascii.b2a_base64(bytes(data)).decode().strip()))
        else:
            raise ValueError("send() takes bytes or str")

    def state(self):
        return int(self._p.state())

    def fingerprint(self):
        return str(self._p.fingerprint())

    def sign(self, nonce):
        if not isinstance(nonce, (bytes, bytearray)):
            raise ValueError("nonce must be bytes")
        result = self._p.sign_base64(binascii.b2a_base64(bytes(nonce)).decode().strip())
        if isinstance(result, str):
            _check(result)
        return bytes(result)

    def process_queue(self):
        return int(self._p.process_queue())

    def start_connection(self):
        # esp_peer starts its connection task here (upstream calls it before set_remote_sdp);
        # the virtual peer's agent exists from construction, so there is nothing left to start.
        return None

    def close(self):
        _check(self._p.close())

    def is_connected(self):
        # modwebrtc.c:688-696: whether the DataChannel is open.
        return int(self._p.state()) == STATE_DATA_CHANNEL_OPENED

    def disconnect(self):
        # modwebrtc.c:698-707: drop the session, keep the handle; esp_peer_disconnect's result.
        _check(self._p.close())
        return 0

    def close_sync(self):
        # Upstream's blocking close; the virtual close already completes before it returns.
        self.close()
`;
