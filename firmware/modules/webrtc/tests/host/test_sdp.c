#include <stdlib.h>

#include "harness.h"
#include "wrtc_sdp.h"
#include "wrtc_status.h"

static const char remote_offer[] =
  "v=0\r\n"
  "o=- 4611 2 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "a=group:BUNDLE 0\r\n"
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=candidate:842163049 1 udp 2122260223 1f2e3d4c-aaaa-bbbb-cccc-0123456789ab.local 54321 typ host generation 0\r\n"
  "a=candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0\r\n"
  "a=ice-ufrag:abcd\r\n"
  "a=ice-pwd:0123456789012345678901\r\n"
  "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n"
  "a=setup:actpass\r\n"
  "a=sctp-port:5000\r\n";

TEST(sdp_accepts_a_datachannel_offer) {
  const char *why = NULL;
  CHECK_EQ_INT(wrtc_sdp_check_remote(remote_offer, strlen(remote_offer), &why), WRTC_OK);
}

TEST(sdp_explains_why_a_description_is_unusable) {
  static const struct {
    const char *sdp;
    const char *why;
  } cases[] = {
    { "", "the SDP is empty" },
    { "hello", "the SDP does not start with v=0" },
    { "v=01\r\n", "the SDP does not start with v=0" },
    { "v=0\r\nm=audio 9 RTP/AVP 0\r\n", "the SDP has no m=application section (no DataChannel offered)" },
    { "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=ice-ufrag:x\n",
      "the SDP has no ICE credentials (a=ice-ufrag / a=ice-pwd)" },
    { "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=ice-ufrag:x\na=ice-pwd:y\n",
      "the SDP has no DTLS fingerprint (a=fingerprint)" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *why = NULL;
    CHECK_EQ_INT(wrtc_sdp_check_remote(cases[i].sdp, strlen(cases[i].sdp), &why), WRTC_ERR_PARSE);
    CHECK_EQ_STR(why, cases[i].why);
  }
  const char *why = NULL;
  CHECK_EQ_INT(wrtc_sdp_check_remote("v=0\n\0m=application", 19, &why), WRTC_ERR_PARSE);
  CHECK_EQ_STR(why, "the SDP contains a NUL byte");
}

TEST(sdp_extracts_the_local_fingerprint) {
  char fp[128];
  CHECK_EQ_INT(wrtc_sdp_fingerprint(remote_offer, fp, sizeof fp), WRTC_OK);
  CHECK_EQ_STR(fp, "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
  CHECK_EQ_INT(wrtc_sdp_fingerprint(remote_offer, fp, 20), WRTC_ERR_TOO_LARGE);
  CHECK_EQ_INT(wrtc_sdp_fingerprint("v=0\r\n", fp, sizeof fp), WRTC_ERR_PARSE);
  CHECK_EQ_INT(wrtc_sdp_fingerprint("v=0\r\na=fingerprint:\r\n", fp, sizeof fp), WRTC_ERR_PARSE);
}

TEST(sdp_host_must_be_an_ip_literal) {
  CHECK(wrtc_host_is_ip_literal("192.168.1.20"));
  CHECK(wrtc_host_is_ip_literal("fe80::1"));
  CHECK(wrtc_host_is_ip_literal("::ffff:10.0.0.1"));
  CHECK(!wrtc_host_is_ip_literal(""));
  CHECK(!wrtc_host_is_ip_literal(NULL));
  CHECK(!wrtc_host_is_ip_literal("pydirect.local"));
  CHECK(!wrtc_host_is_ip_literal("1.2.3"));
  CHECK(!wrtc_host_is_ip_literal("1..2.3"));
  CHECK(!wrtc_host_is_ip_literal("1.2.3.4."));
  CHECK(!wrtc_host_is_ip_literal("1.2.3.4 9 typ relay")); // would smuggle fields into the candidate
}

TEST(candidate_mdns_address_is_replaced_by_the_request_address) {
  char out[256];
  bool rewritten = false;
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns(
                 "candidate:1 1 udp 2122260223 1f2e3d4c-aaaa.local 54321 typ host generation 0",
                 "192.168.1.20", out, sizeof out, &rewritten), WRTC_OK);
  CHECK(rewritten);
  CHECK_EQ_STR(out, "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0");

  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("a=candidate:1 1 UDP 5 ABC.LOCAL 9 typ host",
                                           "fe80::2", out, sizeof out, &rewritten), WRTC_OK);
  CHECK(rewritten);
  CHECK_EQ_STR(out, "a=candidate:1 1 UDP 5 fe80::2 9 typ host");
}

TEST(candidate_without_mdns_is_copied_unchanged) {
  char out[256];
  bool rewritten = true;
  const char *srflx = "candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0";
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns(srflx, "10.0.0.1", out, sizeof out, &rewritten), WRTC_OK);
  CHECK(!rewritten);
  CHECK_EQ_STR(out, srflx);
  // ".local" must be a suffix of the address, not anywhere in the line.
  const char *tricky = "candidate:3 1 udp 1 10.0.0.9 9 typ host ufrag x.local";
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns(tricky, "10.0.0.1", out, sizeof out, &rewritten), WRTC_OK);
  CHECK(!rewritten);
  CHECK_EQ_STR(out, tricky);
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("candidate:4 1 udp 1 .local 9 typ host", "10.0.0.1",
                                           out, sizeof out, &rewritten), WRTC_OK);
  CHECK(!rewritten); // ".local" alone is not a name
}

TEST(candidate_rewrite_rejects_bad_input) {
  char out[64];
  bool rewritten = true;
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("candidate:1 1 udp 1 x.local 9", "10.0.0.1", out,
                                           sizeof out, &rewritten), WRTC_ERR_PARSE);
  CHECK(!rewritten);
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("not a candidate", "10.0.0.1", out, sizeof out, NULL),
               WRTC_ERR_PARSE);
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("", "10.0.0.1", out, sizeof out, NULL), WRTC_ERR_PARSE);
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("candidate:1 1 udp 1 x.local 9 typ host", "evil host",
                                           out, sizeof out, NULL), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_candidate_rewrite_mdns("candidate:1 1 udp 1 x.local 9 typ host", "10.0.0.1",
                                           out, 20, NULL), WRTC_ERR_TOO_LARGE);
}

TEST(sdp_rewrite_replaces_every_mdns_candidate_line) {
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, 8192);
  size_t count = 0;
  CHECK_EQ_INT(wrtc_sdp_rewrite_mdns(remote_offer, "192.168.1.20", &out, &count), WRTC_OK);
  CHECK_EQ_INT(count, 1);
  CHECK(strstr(out.data, ".local") == NULL);
  CHECK(strstr(out.data, "a=candidate:842163049 1 udp 2122260223 192.168.1.20 54321 typ host generation 0\r\n") != NULL);
  CHECK(strstr(out.data, "a=candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx") != NULL);
  // Everything else is byte-for-byte the same length apart from the swapped address.
  CHECK_EQ_INT(out.len, strlen(remote_offer) - strlen("1f2e3d4c-aaaa-bbbb-cccc-0123456789ab.local") +
                          strlen("192.168.1.20"));
  wrtc_strbuf_free(&out);
}

TEST(sdp_rewrite_keeps_line_endings_and_malformed_lines) {
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, 1024);
  size_t count = 0;
  const char *sdp = "v=0\na=candidate:broken x.local\na=candidate:1 1 udp 1 h.local 9 typ host\r\nlast";
  CHECK_EQ_INT(wrtc_sdp_rewrite_mdns(sdp, "10.1.1.1", &out, &count), WRTC_OK);
  CHECK_EQ_INT(count, 1);
  CHECK_EQ_STR(out.data, "v=0\na=candidate:broken x.local\na=candidate:1 1 udp 1 10.1.1.1 9 typ host\r\nlast");
  wrtc_strbuf_free(&out);

  wrtc_strbuf_init(&out, 1024);
  CHECK_EQ_INT(wrtc_sdp_rewrite_mdns("", "10.1.1.1", &out, &count), WRTC_OK);
  CHECK_EQ_STR(out.data, "");
  CHECK_EQ_INT(count, 0);
  CHECK_EQ_INT(wrtc_sdp_rewrite_mdns("v=0", "not-an-ip", &out, &count), WRTC_ERR_INVALID_ARG);
  wrtc_strbuf_free(&out);
}
