"""On-device tests of the `webrtc` module (no network peer needed).

Copy to the board and run:
    import test_webrtc_basic
    test_webrtc_basic.run_all_tests()
Prints one line per test and ends with "N passed, M failed"; returns True when all passed.
"""

import errno
import time

import webrtc


def _wait_for(predicate, timeout_ms=5000):
    # Callbacks arrive through micropython.schedule; sleeping lets them run.
    start = time.ticks_ms()
    while not predicate():
        if time.ticks_diff(time.ticks_ms(), start) > timeout_ms:
            return False
        time.sleep_ms(20)
    return True


def _raises(fn, exc_type, errno_value=None):
    try:
        fn()
    except exc_type as e:
        return errno_value is None or (e.args and e.args[0] == errno_value)
    return False


def test_peer_creation():
    for role in ("controlling", "controlled"):
        peer = webrtc.Peer(role=role, send_buffer=4096, recv_buffer=4096)
        assert peer.state() == webrtc.STATE_NEW_CONNECTION, peer.state()
        peer.close()
        assert peer.state() == webrtc.STATE_CLOSED
    assert _raises(lambda: webrtc.Peer(role="boss"), ValueError)
    assert _raises(lambda: webrtc.Peer(send_buffer=1), ValueError)
    assert _raises(lambda: webrtc.Peer(ice_servers=["http://x:1"]), ValueError)
    assert _raises(lambda: webrtc.Peer(ice_servers=["turn:host:3478"]), ValueError)
    peer = webrtc.Peer(ice_servers=["stun:stun.l.google.com:19302"])
    peer.close()


def test_callback_registration():
    peer = webrtc.Peer()
    try:
        for name in ("on_offer", "on_answer", "on_ice_candidate", "on_data", "on_state"):
            getattr(peer, name)(lambda *args: None)
            getattr(peer, name)(None)
            assert _raises(lambda: getattr(peer, name)(42), TypeError), name
    finally:
        peer.close()


def test_create_offer():
    peer = webrtc.Peer(role="controlling")
    offers, candidates = [], []
    peer.on_offer(offers.append)
    peer.on_ice_candidate(candidates.append)
    try:
        peer.create_offer()
        assert _wait_for(lambda: offers), "no offer within 5 s"
        sdp = offers[0]
        assert sdp.startswith("v=0"), sdp[:20]
        assert "m=application" in sdp
        assert _wait_for(lambda: "" in candidates), "gathering never completed"
        fp = peer.fingerprint()
        assert fp.startswith("sha-256 "), fp
        assert _raises(peer.create_offer, ValueError)  # only once
    finally:
        peer.close()
    controlled = webrtc.Peer(role="controlled")
    try:
        assert _raises(controlled.create_offer, ValueError)
        assert _raises(lambda: controlled.set_remote_sdp("not an sdp"), ValueError)
    finally:
        controlled.close()


def test_constants():
    names = ("CLOSED", "DISCONNECTED", "NEW_CONNECTION", "PAIRING", "PAIRED", "CONNECTING",
             "CONNECTED", "CONNECT_FAILED", "DATA_CHANNEL_CONNECTED", "DATA_CHANNEL_OPENED",
             "DATA_CHANNEL_CLOSED", "DATA_CHANNEL_DISCONNECTED")
    for value, name in enumerate(names):
        assert getattr(webrtc, "STATE_" + name) == value, name


def test_send_before_connected():
    peer = webrtc.Peer(send_buffer=1024)
    states = []
    peer.on_state(states.append)
    assert _raises(lambda: peer.send(b"early"), OSError, errno.ENOTCONN)
    assert _raises(lambda: peer.send(b"x" * 2048), ValueError)
    assert _raises(lambda: peer.sign(b"nonce"), ValueError)  # no key given
    peer.close()
    assert _raises(lambda: peer.send(b"late"), OSError, errno.EBADF)
    assert _wait_for(lambda: webrtc.STATE_CLOSED in states), states


def test_signaling_helpers():
    kind, sdp = webrtc.signal_parse('{"type":"answer","sdp":"v=0\\r\\n"}')
    assert (kind, sdp) == ("answer", "v=0\r\n")
    assert webrtc.signal_parse(b'{"type":"get_offer"}') == ("get_offer", None)
    assert _raises(lambda: webrtc.signal_parse("{"), ValueError)
    reply = webrtc.signal_error_reply('bad "sdp"')
    assert reply == '{"error":"bad \\"sdp\\""}', reply
    cand = "candidate:1 1 udp 2122260223 abc.local 5000 typ host"
    assert webrtc.rewrite_mdns(cand, "192.168.1.9") == cand.replace("abc.local", "192.168.1.9")


TESTS = (
    ("Peer Creation", test_peer_creation),
    ("Callback Registration", test_callback_registration),
    ("Create Offer", test_create_offer),
    ("Module Constants", test_constants),
    ("Send Before Connected", test_send_before_connected),
    ("Signaling Helpers", test_signaling_helpers),
)


def run_all_tests():
    passed = failed = 0
    for name, fn in TESTS:
        try:
            fn()
        except Exception as e:  # report and carry on
            failed += 1
            print("FAIL", name, "-", repr(e))
        else:
            passed += 1
            print("PASS", name)
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


if __name__ == "__main__":
    run_all_tests()
