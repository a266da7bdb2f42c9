#include "harness.h"
#include "wrtc_ice.h"
#include "wrtc_sdp.h"
#include "wrtc_status.h"

TEST(ice_parses_stun_and_turn_servers) {
  wrtc_ice_server_t s;
  const char *why = NULL;
  CHECK_EQ_INT(wrtc_ice_server_parse("stun:stun.l.google.com:19302", &s, &why), WRTC_OK);
  CHECK_EQ_STR(s.url, "stun:stun.l.google.com:19302");
  CHECK(s.user == NULL && s.password == NULL);
  wrtc_ice_server_free(&s);

  CHECK_EQ_INT(wrtc_ice_server_parse("turn:alice:p@ss:w0rd@turn.example.org:3478", &s, &why), WRTC_OK);
  CHECK_EQ_STR(s.url, "turn:turn.example.org:3478");
  CHECK_EQ_STR(s.user, "alice");
  CHECK_EQ_STR(s.password, "p@ss:w0rd"); // the last '@' separates the host
  wrtc_ice_server_free(&s);
  CHECK(s.url == NULL && s.password == NULL);

  CHECK_EQ_INT(wrtc_ice_server_parse("turns:u:p@[2001:db8::1]:5349", &s, &why), WRTC_OK);
  CHECK_EQ_STR(s.url, "turns:[2001:db8::1]:5349");
  wrtc_ice_server_free(&s);
}

TEST(ice_explains_bad_server_strings) {
  static const struct {
    const char *text;
    const char *why;
  } cases[] = {
    { "http://x:1", "ICE server must start with stun:, turn: or turns:" },
    { "stun:host", "ICE server address must be host:port with a port from 1 to 65535" },
    { "stun:host:0", "ICE server address must be host:port with a port from 1 to 65535" },
    { "stun:host:65536", "ICE server address must be host:port with a port from 1 to 65535" },
    { "stun::3478", "ICE server address must be host:port with a port from 1 to 65535" },
    { "stun:ho st:3478", "ICE server address must be host:port with a port from 1 to 65535" },
    { "stun:u:p@host:3478", "a STUN server takes no credentials; use stun:host:port" },
    { "turn:host:3478", "a TURN server needs credentials: turn:user:pass@host:port" },
    { "turn:user@host:3478", "a TURN server needs credentials: turn:user:pass@host:port" },
    { "turn::p@host:3478", "a TURN server needs credentials: turn:user:pass@host:port" },
    { "turn:u:@host:3478", "a TURN server needs credentials: turn:user:pass@host:port" },
    { "turn:u:p@host:x", "ICE server address must be host:port with a port from 1 to 65535" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wrtc_ice_server_t s;
    const char *why = NULL;
    CHECK_EQ_INT(wrtc_ice_server_parse(cases[i].text, &s, &why), WRTC_ERR_INVALID_ARG);
    CHECK_EQ_STR(why, cases[i].why);
    CHECK(s.url == NULL && s.user == NULL && s.password == NULL);
  }
  char long_text[300];
  memset(long_text, 'a', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = '\0';
  memcpy(long_text, "stun:", 5);
  wrtc_ice_server_t s;
  CHECK_EQ_INT(wrtc_ice_server_parse(long_text, &s, NULL), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_ice_server_parse(NULL, &s, NULL), WRTC_ERR_INVALID_ARG);
}

TEST(sdp_candidate_iterator_yields_each_candidate_line) {
  const char *sdp =
    "v=0\r\n"
    "a=candidate:1 1 udp 2122260223 192.168.4.1 50000 typ host\r\n"
    "a=ice-ufrag:x\r\n"
    "a=candidate:2 1 udp 1686052607 203.0.113.9 50001 typ srflx raddr 192.168.4.1 rport 50000\n"
    "a=candidate:\r\n";
  const char *cursor = sdp;
  const char *value;
  size_t len;
  CHECK(wrtc_sdp_next_candidate(&cursor, &value, &len));
  CHECK(len == strlen("candidate:1 1 udp 2122260223 192.168.4.1 50000 typ host") &&
        memcmp(value, "candidate:1 1 udp 2122260223 192.168.4.1 50000 typ host", len) == 0);
  CHECK(wrtc_sdp_next_candidate(&cursor, &value, &len));
  CHECK(len > 12 && memcmp(value, "candidate:2 ", 12) == 0 && value[len - 1] == '0');
  CHECK(!wrtc_sdp_next_candidate(&cursor, &value, &len)); // an empty candidate line is skipped
  CHECK(!wrtc_sdp_next_candidate(&cursor, &value, &len));
}
