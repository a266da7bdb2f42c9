"""Echo server over a WebRTC DataChannel, with both pyDirect signaling shapes.

Register the handlers with the board's HTTP server (upstream pyDirect's `httpserver`), e.g.:
    import webrtc_echo_server as echo
    httpserver.register("/webrtc-signal", echo.handle_webrtc_signal)   # board offers
    httpserver.register("/webrtc/offer", echo.handle_webrtc_offer)     # browser offers
Each handler takes the request body (str/bytes) and the client's IP address and returns the
JSON reply text. Every message the browser sends comes back prefixed with "echo: ".
"""

import time

import webrtc

ANSWER_TIMEOUT_MS = 2000  # upstream waits up to 2 s for the answer

_peer = None
_local_sdp = None
_candidates = []


def _on_data(data):
    try:
        _peer.send(b"echo: " + data)
    except OSError as e:
        print("echo: send failed", e)


def _new_peer(role):
    global _peer, _local_sdp
    if _peer is not None:
        _peer.close()
    _local_sdp = None
    del _candidates[:]
    _peer = webrtc.Peer(role=role)
    _peer.on_data(_on_data)
    _peer.on_state(lambda s: print("webrtc state", s))
    _peer.on_ice_candidate(lambda c: c and _candidates.append(c))
    return _peer


def _keep_local_sdp(sdp):
    global _local_sdp
    _local_sdp = sdp


def _wait_for_local_sdp():
    start = time.ticks_ms()
    while _local_sdp is None and time.ticks_diff(time.ticks_ms(), start) < ANSWER_TIMEOUT_MS:
        time.sleep_ms(20)  # lets the scheduled callbacks run
    return _local_sdp


def handle_webrtc_signal(body, remote_ip):
    """POST /webrtc-signal: {"type":"get_offer"} then {"type":"answer","sdp":...}."""
    try:
        kind, sdp = webrtc.signal_parse(body)
        if kind == "get_offer":
            peer = _new_peer("controlling")
            peer.on_offer(_keep_local_sdp)
            peer.create_offer()
            offer = _wait_for_local_sdp()
            if offer is None:
                return webrtc.signal_error_reply("the board did not produce an offer in time")
            return webrtc.signal_offer_reply(offer, _candidates)
        if kind == "answer" and _peer is not None:
            _peer.set_remote_sdp(webrtc.rewrite_mdns(sdp, remote_ip))
            return '{"status":"ok"}'
        return webrtc.signal_error_reply("ask for an offer first: {\"type\":\"get_offer\"}")
    except (ValueError, OSError) as e:
        return webrtc.signal_error_reply(str(e))


def handle_webrtc_offer(body, remote_ip):
    """POST /webrtc/offer: {"sdp": <browser offer>} -> {"status","sdp","ice_candidates","connected"}."""
    try:
        kind, sdp = webrtc.signal_parse(body)
        if kind != "offer":
            return webrtc.signal_error_reply("send {\"sdp\": <offer>}")
        peer = _new_peer("controlled")
        peer.on_answer(_keep_local_sdp)
        # Browsers hide host candidates behind *.local names the board cannot resolve.
        peer.set_remote_sdp(webrtc.rewrite_mdns(sdp, remote_ip))
        answer = _wait_for_local_sdp()
        if answer is None:
            return webrtc.signal_error_reply("the board did not produce an answer in time")
        state = peer.state()
        return webrtc.signal_answer_reply(state, answer, _candidates,
                                          state == webrtc.STATE_DATA_CHANNEL_OPENED)
    except (ValueError, OSError) as e:
        return webrtc.signal_error_reply(str(e))
