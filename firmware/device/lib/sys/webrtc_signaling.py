# WebRTC signaling for the board, in both pyDirect shapes, on any transport:
#   POST /webrtc-signal  {"type":"get_offer"} -> {"sdp","candidates","trickle"}   (board offers)
#                        {"type":"get_offer","trickle":true} -> the same at once, "complete": false while
#                            the board still gathers; then {"type":"candidates","after":n} ->
#                            {"candidates": [the ones after the first n], "complete"} (held until there is news)
#                        {"type":"answer","sdp"} / {"type":"candidate","candidate"} -> {"ok":true}
#   POST /webrtc/offer   {"sdp": <portal offer>} -> {"status","sdp","ice_candidates","connected"} (board answers)
#   GET  /webrtc/status  -> {"state","connected",...}
# HTTP routes (the httpserver module) and the serial link (serial_request/serial_poll, called by the
# portal through the raw REPL) feed the same handle() with a reply function. Replies that wait on the
# WebRTC stack are sent from its callbacks, so nothing here blocks the interpreter.
import json
import webrtc

from lib.sys import verify_service

SIGNAL_LINE = "PYDIRECT-SIG "
CERT_FILE = "/certs/servercert.pem"
KEY_FILE = "/certs/prvtkey.pem"

STATE_NAMES = ("closed", "disconnected", "new", "pairing", "paired", "connecting", "connected",
               "failed", "channel-connected", "channel-open", "channel-closed", "channel-disconnected")


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def resolve_candidate(candidate, remote_addr):
    # Browsers hide host addresses behind random *.local names the board cannot resolve: use the
    # address the request came from instead (as upstream does); with none known, drop the candidate.
    fields = candidate.split(" ")
    if len(fields) > 4 and fields[4].lower().endswith(".local"):
        if not remote_addr:
            return None
        fields[4] = remote_addr
        return " ".join(fields)
    return candidate


def resolve_sdp(sdp, remote_addr):
    lines = []
    for line in sdp.split("\r\n"):
        if line.startswith("a=candidate:"):
            line = resolve_candidate(line, remote_addr)
            if line is None:
                continue
        lines.append(line)
    return "\r\n".join(lines)


def _network_state():
    try:
        import network
    except ImportError:
        return True, None
    wlan = network.WLAN(network.STA_IF)
    if not wlan.isconnected():
        return False, None
    return True, wlan.ifconfig()[0]


class Signaling:
    def __init__(self, version, hostname, cert=None, key=None, ice_servers=(), network_state=_network_state,
                 console_password=None):
        self.console_password = console_password
        self.version = version
        self.hostname = hostname
        self.cert = cert
        self.key = key
        self.ice_servers = ice_servers
        self.network_state = network_state
        self.peer = None
        self.service = None
        self.state = webrtc.STATE_CLOSED
        self._waiting = None
        self._candidates_waiting = None
        self.trusted = False
        self._forget_connection()

    def _forget_connection(self):
        # What one connection attempt learned; a new attempt starts from nothing.
        self.candidates = []
        self.sdp = None
        self.gathered = False
        self.trickle_out = False

    # -- one entry point for every transport -------------------------------------------------
    def handle(self, method, path, body, remote_addr, reply, trusted=False):
        # trusted: the request came over the USB serial link, so the live console starts open.
        self.trusted = trusted
        try:
            if path == "/webrtc/status" and method == "GET":
                return reply(200, self.status())
            if method != "POST" or path not in ("/webrtc-signal", "/webrtc/offer"):
                return reply(404, {"error": "no such endpoint: %s %s" % (method, path)})
            try:
                request = json.loads(body) if body else {}
            except ValueError:
                return reply(400, {"error": "body is not JSON"})
            if not isinstance(request, dict):
                return reply(400, {"error": "body is not a JSON object"})
            up, _ = self.network_state()
            if not up:
                return reply(503, {"error": "the board is not connected to Wi-Fi; check the network name and password"})
            if path == "/webrtc/offer":
                return self._portal_offer(request, remote_addr, reply)
            return self._signal(request, remote_addr, reply)
        except ValueError as e:
            return reply(400, {"error": str(e)})

    def status(self):
        _, ip = self.network_state()
        return {"state": STATE_NAMES[self.state] if 0 <= self.state < len(STATE_NAMES) else str(self.state),
                "connected": self.state == webrtc.STATE_DATA_CHANNEL_OPENED,
                "hostname": self.hostname, "ip": ip, "candidates": len(self.candidates)}

    # -- /webrtc/offer: the portal offers, the board answers ---------------------------------
    def _portal_offer(self, request, remote_addr, reply):
        sdp = request.get("sdp")
        if not isinstance(sdp, str) or not sdp.startswith("v=0"):
            return reply(400, {"error": "missing or malformed sdp"})
        self._new_peer("controlled")
        self._waiting = ("answer", reply)
        self.peer.set_remote_sdp(resolve_sdp(sdp, remote_addr))

    # -- /webrtc-signal: the board offers ----------------------------------------------------
    def _signal(self, request, remote_addr, reply):
        kind = request.get("type")
        if kind == "get_offer":
            self._new_peer("controlling")
            # A portal that asks for trickle gets the offer without waiting for gathering.
            self.trickle_out = request.get("trickle") is True
            self._waiting = ("offer", reply)
            self.peer.create_offer()
            return None
        if self.peer is None:
            return reply(409, {"error": "ask for an offer first"})
        if kind == "answer":
            sdp = request.get("sdp")
            if not isinstance(sdp, str) or not sdp.startswith("v=0"):
                return reply(400, {"error": "missing or malformed sdp"})
            self.peer.set_remote_sdp(resolve_sdp(sdp, remote_addr))
            return reply(200, {"ok": True})
        if kind == "candidates":
            after = request.get("after", 0)
            if not isinstance(after, int) or after < 0:
                return reply(400, {"error": "after must be a count of candidates already received"})
            # One poll at a time: an older one still parked is answered now with what there is.
            self._answer_candidates(force=True)
            self._candidates_waiting = (after, reply)
            self._answer_candidates()
            return None
        if kind == "candidate":
            candidate = request.get("candidate", "")
            if candidate:
                candidate = resolve_candidate(candidate, remote_addr)
            if candidate is not None:
                self.peer.add_ice_candidate(candidate)
            return reply(200, {"ok": True})
        return reply(400, {"error": "unknown type %r" % kind})

    # -- the peer -----------------------------------------------------------------------------
    def _new_peer(self, role):
        if self._waiting:
            _, superseded = self._waiting
            self._waiting = None
            superseded(409, {"error": "superseded by a newer connection request"})
        self._answer_candidates(error={"error": "superseded by a newer connection request"})
        if self.peer is not None:
            self.peer.close()
        self._forget_connection()
        peer = webrtc.Peer(role, ice_servers=self.ice_servers, cert=self.cert, key=self.key)
        self.peer = peer
        self.service = verify_service.VerifyService(peer, self.version, self.hostname,
                                                    console_open=self.trusted, console_password=self.console_password)
        peer.on_offer(self._on_sdp)
        peer.on_answer(self._on_sdp)
        peer.on_ice_candidate(self._on_candidate)
        peer.on_state(self._on_state)
        peer.on_data(self.service.handle)
        self.state = peer.state()

    def _on_sdp(self, sdp):
        self.sdp = sdp
        self._maybe_reply()

    def _on_candidate(self, candidate):
        if candidate:
            self.candidates.append(candidate)
        else:
            self.gathered = True
            self._maybe_reply()
        self._answer_candidates()

    def _answer_candidates(self, error=None, force=False):
        # A parked `candidates` request is answered once it has news (or, with `error`, at once),
        # so a portal polling over serial or HTTPS gets each candidate as soon as it is gathered.
        if not self._candidates_waiting:
            return
        after, reply = self._candidates_waiting
        if error is None and not force and after >= len(self.candidates) and not self.gathered:
            return
        self._candidates_waiting = None
        if error is not None:
            return reply(409, error)
        reply(200, {"candidates": self.candidates[after:], "complete": self.gathered})

    def _on_state(self, state):
        self.state = state
        # Failing before any SDP exists means the stack rejected the description: say so. A later
        # ICE failure still lets the reply go out; the portal reports the path that never opened.
        if state == webrtc.STATE_CONNECT_FAILED and self._waiting and self.sdp is None:
            _, reply = self._waiting
            self._waiting = None
            reply(500, {"error": "the WebRTC stack failed to connect"})

    def _maybe_reply(self):
        # Both shapes reply once the SDP exists and gathering completed (candidates in the reply),
        # except an offer to a portal that takes trickled candidates: that goes as soon as it exists.
        if not self._waiting or self.sdp is None:
            return
        kind, reply = self._waiting
        if not self.gathered and not (kind == "offer" and self.trickle_out):
            return
        self._waiting = None
        if kind == "offer":
            reply(200, {"sdp": self.sdp, "candidates": list(self.candidates), "trickle": True, "complete": self.gathered})
        else:
            reply(200, {"status": STATE_NAMES[self.state], "sdp": self.sdp, "ice_candidates": self.candidates,
                        "connected": self.state == webrtc.STATE_DATA_CHANNEL_OPENED})


# -- the module-level service and its serial entry points ---------------------------------------
_signaling = None
_outbox = []


def _identity():
    # Used when the portal signals over serial before main.py started the services (a board held
    # in the raw REPL from boot): the same version and hostname the boot status line reports.
    version, hostname = "unknown", "pydirect"
    try:
        from lib.sys import status
        version = status.VERSION
    except Exception:
        pass
    try:
        from lib.sys import netsetup
        hostname = netsetup.hostname()
    except Exception:
        try:
            from lib.sys import settings
            hostname = settings.get("device.hostname") or hostname
        except Exception:
            pass
    return version, hostname


def _console_password():
    try:
        from lib.sys import settings
        return settings.get("server.webrepl_password") or None
    except Exception:
        return None


def start(version=None, hostname=None, cert=None, key=None, ice_servers=(), console_password=None):
    # Called by the boot services (lib/sys/services.py); serial_request starts it on first use.
    global _signaling
    default_version, default_hostname = _identity()
    _signaling = Signaling(version or default_version, hostname or default_hostname,
                           cert=cert if cert is not None else _read(CERT_FILE),
                           key=key if key is not None else _read(KEY_FILE),
                           ice_servers=ice_servers,
                           console_password=console_password or _console_password())
    return _signaling


def get():
    return _signaling if _signaling is not None else start()


def route(method, path, body, remote_addr, reply):
    # For an HTTP server: call from its handler with a reply(status, obj) function.
    get().handle(method, path, body, remote_addr, reply)


def serve(httpserver, port=443):
    # Route the board's HTTPS server (the installed /certs PEMs) to the signaling endpoints.
    def handler(method, path, body, remote_addr, respond):
        route(method, path, body, remote_addr, lambda status, obj: respond(status, json.dumps(obj)))
    httpserver.on_request(handler)
    error = httpserver.start(_read(CERT_FILE), _read(KEY_FILE), port)
    if error:
        raise OSError("httpserver: %s" % error)


def serial_request(rid, method, path, body):
    def reply(status, obj):
        _outbox.append(SIGNAL_LINE + json.dumps({"id": rid, "status": status, "body": obj}))
    get().handle(method, path, body, None, reply, trusted=True)
    serial_poll()


def serial_poll():
    while _outbox:
        print(_outbox.pop(0))
