#include <stdlib.h>

#include "harness.h"
#include "wrtc_signal.h"
#include "wrtc_status.h"

static int parse(const char *body, wrtc_signal_request_t *req, const char **why) {
  return wrtc_signal_parse(body, strlen(body), req, why);
}

TEST(signal_parses_the_webrtc_signal_shape) {
  wrtc_signal_request_t req;
  const char *why = NULL;
  CHECK_EQ_INT(parse("{\"type\":\"get_offer\"}", &req, &why), WRTC_OK);
  CHECK_EQ_INT(req.kind, WRTC_SIGNAL_GET_OFFER);
  CHECK(req.sdp == NULL);
  wrtc_signal_request_free(&req);

  CHECK_EQ_INT(parse("{\"type\":\"answer\",\"sdp\":\"v=0\\r\\na=x\\\"y\\r\\n\"}", &req, &why),
               WRTC_OK);
  CHECK_EQ_INT(req.kind, WRTC_SIGNAL_ANSWER);
  CHECK_EQ_STR(req.sdp, "v=0\r\na=x\"y\r\n");
  CHECK_EQ_INT(req.sdp_len, 12);
  wrtc_signal_request_free(&req);
  CHECK(req.sdp == NULL);
}

TEST(signal_parses_the_webrtc_offer_shape) {
  wrtc_signal_request_t req;
  CHECK_EQ_INT(parse("{\"sdp\":\"v=0\\n\"}", &req, NULL), WRTC_OK);
  CHECK_EQ_INT(req.kind, WRTC_SIGNAL_OFFER);
  CHECK_EQ_STR(req.sdp, "v=0\n");
  wrtc_signal_request_free(&req);
  CHECK_EQ_INT(parse("{\"type\":\"offer\",\"sdp\":\"v=0\\n\",\"extra\":[1,{}]}", &req, NULL),
               WRTC_OK);
  CHECK_EQ_INT(req.kind, WRTC_SIGNAL_OFFER);
  wrtc_signal_request_free(&req);
}

TEST(signal_explains_what_is_wrong_with_a_request) {
  static const struct {
    const char *body;
    const char *why;
  } cases[] = {
    { "not json", "request body is not a JSON object" },
    { "[\"get_offer\"]", "request body is not a JSON object" },
    { "{\"type\":\"get_offer\"", "request body is not a JSON object" },
    { "{\"type\":7}", "\"type\" must be a string" },
    { "{\"type\":\"answer\",\"sdp\":null}", "\"sdp\" must be a string" },
    { "{\"type\":\"bye\"}", "unknown \"type\": expected \"get_offer\", \"answer\" or \"offer\"" },
    { "{\"type\":\"answer\"}", "an answer needs a non-empty \"sdp\"" },
    { "{\"type\":\"answer\",\"sdp\":\"\"}", "an answer needs a non-empty \"sdp\"" },
    { "{}", "an offer needs a non-empty \"sdp\"" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wrtc_signal_request_t req;
    const char *why = NULL;
    CHECK_EQ_INT(parse(cases[i].body, &req, &why), WRTC_ERR_PARSE);
    CHECK_EQ_STR(why, cases[i].why);
    CHECK(req.sdp == NULL);
  }
  const char *why = NULL;
  CHECK_EQ_INT(wrtc_signal_parse(NULL, 0, NULL, &why), WRTC_ERR_INVALID_ARG);
}

TEST(signal_formats_the_offer_reply) {
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  const char *cands[] = { "candidate:1 1 udp 2122260223 192.168.1.5 50000 typ host", "" };
  CHECK_EQ_INT(wrtc_signal_format_offer(&out, "v=0\r\ns=\"x\"\r\n", cands, 2), WRTC_OK);
  CHECK_EQ_STR(out.data,
               "{\"sdp\":\"v=0\\r\\ns=\\\"x\\\"\\r\\n\",\"candidates\":["
               "\"candidate:1 1 udp 2122260223 192.168.1.5 50000 typ host\",\"\"]}");
  wrtc_strbuf_free(&out);

  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  CHECK_EQ_INT(wrtc_signal_format_offer(&out, "v=0", NULL, 0), WRTC_OK);
  CHECK_EQ_STR(out.data, "{\"sdp\":\"v=0\",\"candidates\":[]}");
  wrtc_strbuf_free(&out);
}

TEST(signal_formats_the_answer_and_error_replies) {
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  const char *cands[] = { "candidate:2 1 udp 1 10.0.0.2 4000 typ host" };
  CHECK_EQ_INT(wrtc_signal_format_answer(&out, "connecting", "v=0\n", cands, 1, false), WRTC_OK);
  CHECK_EQ_STR(out.data,
               "{\"status\":\"connecting\",\"sdp\":\"v=0\\n\",\"ice_candidates\":["
               "\"candidate:2 1 udp 1 10.0.0.2 4000 typ host\"],\"connected\":false}");
  wrtc_strbuf_free(&out);

  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  CHECK_EQ_INT(wrtc_signal_format_error(&out, "no \"sdp\"\n"), WRTC_OK);
  CHECK_EQ_STR(out.data, "{\"error\":\"no \\\"sdp\\\"\\n\"}");
  wrtc_strbuf_free(&out);

  const char *holes[] = { "a", NULL };
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  CHECK_EQ_INT(wrtc_signal_format_answer(&out, "x", "v=0", holes, 2, true), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_signal_format_offer(&out, NULL, NULL, 0), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_signal_format_error(&out, NULL), WRTC_ERR_INVALID_ARG);
  wrtc_strbuf_free(&out);
}

TEST(signal_reply_round_trips_through_the_parser) {
  const char *sdp = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\na=note:\"quoted\" \\ and \x01\r\n";
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  CHECK_EQ_INT(wrtc_signal_format_offer(&out, sdp, NULL, 0), WRTC_OK);
  wrtc_signal_request_t req;
  CHECK_EQ_INT(wrtc_signal_parse(out.data, out.len, &req, NULL), WRTC_OK);
  CHECK_EQ_INT(req.kind, WRTC_SIGNAL_OFFER);
  CHECK_EQ_STR(req.sdp, sdp);
  wrtc_signal_request_free(&req);
  wrtc_strbuf_free(&out);
}

TEST(signal_reply_respects_its_size_limit) {
  char *huge = malloc(2000);
  memset(huge, 'a', 1999);
  huge[1999] = '\0';
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, 1000);
  CHECK_EQ_INT(wrtc_signal_format_offer(&out, huge, NULL, 0), WRTC_ERR_TOO_LARGE);
  wrtc_strbuf_free(&out);
  free(huge);
}
