# The webrtc binding end to end in unix MicroPython, against the scripted esp_peer
# (fake_esp_peer.c): callbacks through the event task and mp_sched_schedule, the state
# machine, the exceptions, and sign() with a real P-256 key.
#
#   micropython test_binding_loopback.py KEY.pem CERT.pem OTHER_CERT.pem NONCE.bin SIG_OUT.der
#
# Prints "N passed, M failed"; exits 1 on any failure. The Makefile verifies SIG_OUT.der
# with openssl afterwards.
import errno
import sys
import time

import webrtc

BROWSER_OFFER = (
    "v=0\r\n"
    "o=- 4611 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=candidate:842163049 1 udp 2122260223 1f2e3d4c-aaaa.local 54321 typ host generation 0\r\n"
    "a=ice-ufrag:abcd\r\n"
    "a=ice-pwd:0123456789012345678901\r\n"
    "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n"
    "a=setup:actpass\r\n"
    "a=sctp-port:5000\r\n"
)


def wait_for(predicate, timeout_ms=3000):
    start = time.ticks_ms()
    while not predicate():
        if time.ticks_diff(time.ticks_ms(), start) > timeout_ms:
            return False
        time.sleep_ms(5)
    return True


def raises(fn, exc_type, errno_value=None):
    try:
        fn()
    except exc_type as e:
        return errno_value is None or e.args[0] == errno_value
    return False


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def test_controlled_peer_answers_connects_echoes_and_closes():
    peer = webrtc.Peer(role="controlled", send_buffer=1024, recv_buffer=4096)
    answers, candidates, states, received = [], [], [], []
    peer.on_answer(answers.append)
    peer.on_ice_candidate(candidates.append)
    peer.on_state(states.append)
    peer.on_data(received.append)
    assert peer.fingerprint() == ""  # no local description yet
    peer.set_remote_sdp(webrtc.rewrite_mdns(BROWSER_OFFER, "192.168.1.20"))
    assert wait_for(lambda: webrtc.STATE_DATA_CHANNEL_OPENED in states), states
    assert states == [3, 4, 5, 6, 8, 9], states  # every change once, in esp_peer's order
    assert answers and answers[0].startswith("v=0"), answers
    assert candidates == [
        "candidate:1 1 udp 2130706431 192.168.4.1 50000 typ host",
        "candidate:2 1 udp 1694498815 203.0.113.5 50000 typ srflx raddr 192.168.4.1 rport 50000",
        "",
    ], candidates
    assert peer.fingerprint().startswith("sha-256 0A:1B:2C"), peer.fingerprint()
    assert peer.state() == webrtc.STATE_DATA_CHANNEL_OPENED

    peer.send(b"ping\x00\xff")
    peer.send("text \u00e9")
    assert wait_for(lambda: len(received) == 2), received
    assert received == [b"ping\x00\xff", "text \u00e9".encode()], received
    assert raises(lambda: peer.send(b"x" * 1025), ValueError)
    assert raises(lambda: peer.set_remote_sdp(BROWSER_OFFER), ValueError)  # one offer per peer

    peer.send(b"__close__")  # the fake remote closes the channel
    assert wait_for(lambda: webrtc.STATE_DATA_CHANNEL_CLOSED in states), states
    assert raises(lambda: peer.send(b"late"), OSError, errno.ENOTCONN)
    peer.close()
    peer.close()  # twice is harmless
    assert raises(lambda: peer.send(b"x"), OSError, errno.EBADF)
    assert wait_for(lambda: states[-1] == webrtc.STATE_CLOSED), states
    assert peer.state() == webrtc.STATE_CLOSED


def test_controlling_peer_offers_and_takes_the_answer():
    peer = webrtc.Peer()
    offers = []
    peer.on_offer(offers.append)
    assert raises(lambda: peer.set_remote_sdp(BROWSER_OFFER), ValueError)  # no offer yet
    assert raises(lambda: peer.add_ice_candidate("candidate:1 1 udp 1 10.0.0.1 9 typ host"), ValueError)
    peer.create_offer()
    assert raises(peer.create_offer, ValueError)
    assert wait_for(lambda: offers), "no offer"
    assert "m=application" in offers[0]
    assert raises(lambda: peer.set_remote_sdp("v=0\r\nm=audio 9 RTP/AVP 0\r\n"), ValueError)
    peer.set_remote_sdp(BROWSER_OFFER)
    peer.add_ice_candidate("candidate:1 1 udp 1 10.0.0.1 9 typ host")
    peer.add_ice_candidate("")
    assert wait_for(lambda: peer.state() == webrtc.STATE_DATA_CHANNEL_OPENED)
    peer.close()


def test_failed_connection_is_reported():
    peer = webrtc.Peer(role="controlled")
    states = []
    peer.on_state(states.append)
    peer.set_remote_sdp(BROWSER_OFFER + "a=x-fake-fail\r\n")
    assert wait_for(lambda: webrtc.STATE_CONNECT_FAILED in states), states
    assert raises(lambda: peer.send(b"x"), OSError, errno.ENOTCONN)
    peer.close()


def test_a_raising_callback_does_not_stop_later_events():
    peer = webrtc.Peer(role="controlled")
    seen = []

    def bad(state):
        seen.append(state)
        raise RuntimeError("callback bug (expected in this test)")

    peer.on_state(bad)
    peer.set_remote_sdp(BROWSER_OFFER)
    assert wait_for(lambda: webrtc.STATE_DATA_CHANNEL_OPENED in seen), seen
    peer.close()


def test_process_queue_delivers_pending_events():
    peer = webrtc.Peer(role="controlled")
    states = []
    peer.set_remote_sdp(BROWSER_OFFER)
    time.sleep_ms(300)  # events delivered now go to no callback
    peer.on_state(states.append)
    peer.close()
    count = peer.process_queue()
    assert count >= 0 and (states == [webrtc.STATE_CLOSED] or states == []), states
    assert raises(lambda: peer.on_state(5), TypeError)


def test_dropped_peers_are_finalised_without_callbacks_into_freed_objects():
    import gc

    delivered = []
    for _ in range(5):
        peer = webrtc.Peer(role="controlled")
        peer.on_state(delivered.append)
        peer.set_remote_sdp(BROWSER_OFFER)  # events keep coming while the peer is dropped
        peer = None
        gc.collect()
    gc.collect()
    time.sleep_ms(200)  # any dispatch scheduled for a collected peer would run (and crash) here
    survivor = webrtc.Peer(role="controlled")
    survivor.set_remote_sdp(BROWSER_OFFER)
    assert wait_for(lambda: survivor.state() == webrtc.STATE_DATA_CHANNEL_OPENED)
    survivor.close()


def test_sign_with_the_provisioned_key(key_path, cert_path, other_cert_path, nonce_path, sig_path):
    key, cert, other = read(key_path), read(cert_path), read(other_cert_path)
    nonce = read(nonce_path, "rb")
    peer = webrtc.Peer(key=key, cert=cert)
    sig = peer.sign(nonce)
    assert 68 <= len(sig) <= 72 and sig[0] == 0x30, sig  # a DER SEQUENCE
    with open(sig_path, "wb") as f:
        f.write(sig)
    peer.close()
    assert raises(lambda: webrtc.Peer(key=key, cert=other), ValueError)
    assert raises(lambda: webrtc.Peer(cert=cert), ValueError)
    assert raises(lambda: webrtc.Peer(key="-----BEGIN EC PRIVATE KEY-----\nnope\n"), ValueError)
    assert raises(lambda: webrtc.Peer().sign(b"n"), ValueError)


def test_signaling_helpers_and_bad_arguments():
    assert webrtc.signal_parse('{"sdp":"v=0"}') == ("offer", "v=0")
    reply = webrtc.signal_answer_reply(webrtc.STATE_CONNECTING, "v=0\r\n", ["c1"], False)
    assert reply == '{"status":"connecting","sdp":"v=0\\r\\n","ice_candidates":["c1"],"connected":false}', reply
    assert webrtc.signal_offer_reply("v=0", []) == '{"sdp":"v=0","candidates":[]}'
    assert raises(lambda: webrtc.rewrite_mdns("candidate:1", "10.0.0.1"), ValueError)
    assert raises(lambda: webrtc.rewrite_mdns("v=0", "not an ip"), ValueError)
    assert raises(lambda: webrtc.Peer(role=1), ValueError)
    assert raises(lambda: webrtc.Peer(recv_buffer=10 ** 8), ValueError)
    assert raises(lambda: webrtc.Peer(ice_servers=["stun:a:1"] * 5), ValueError)
    webrtc.pre_generate_cert()


def main(argv):
    tests = [
        test_controlled_peer_answers_connects_echoes_and_closes,
        test_controlling_peer_offers_and_takes_the_answer,
        test_failed_connection_is_reported,
        test_a_raising_callback_does_not_stop_later_events,
        test_process_queue_delivers_pending_events,
        test_dropped_peers_are_finalised_without_callbacks_into_freed_objects,
        lambda: test_sign_with_the_provisioned_key(*argv[1:6]),
        test_signaling_helpers_and_bad_arguments,
    ]
    passed = failed = 0
    for t in tests:
        try:
            t()
            passed += 1
        except Exception as e:
            failed += 1
            print("FAIL", getattr(t, "__name__", "sign"), repr(e))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main(sys.argv)
