#include <stdlib.h>

#include "harness.h"
#include "wrtc_json.h"
#include "wrtc_status.h"

static char *escaped(const char *s, size_t n) {
  static char out[1024];
  wrtc_strbuf_t b;
  wrtc_strbuf_init(&b, sizeof out - 1);
  CHECK_EQ_INT(wrtc_json_append_string(&b, s, n), WRTC_OK);
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  wrtc_strbuf_free(&b);
  return out;
}

TEST(json_escapes_quotes_backslashes_and_control_characters) {
  CHECK_EQ_STR(escaped("", 0), "\"\"");
  CHECK_EQ_STR(escaped("plain", 5), "\"plain\"");
  CHECK_EQ_STR(escaped("say \"hi\"\\", 9), "\"say \\\"hi\\\"\\\\\"");
  CHECK_EQ_STR(escaped("v=0\r\no=-\n", 9), "\"v=0\\r\\no=-\\n\"");
  CHECK_EQ_STR(escaped("\t\b\f\x01\x1f\x7f", 6), "\"\\t\\b\\f\\u0001\\u001f\\u007f\"");
  CHECK_EQ_STR(escaped("a\0b", 3), "\"a\\u0000b\"");
  CHECK_EQ_STR(escaped("caf\xc3\xa9 \xe2\x9c\x93", 9), "\"caf\xc3\xa9 \xe2\x9c\x93\"");
  CHECK_EQ_STR(escaped("</script>", 9), "\"</script>\"");
}

TEST(json_escape_round_trips_every_byte) {
  char all[255];
  for (int i = 0; i < 255; i++) {
    all[i] = (char)(i + 1);
  }
  wrtc_strbuf_t body;
  wrtc_strbuf_init(&body, 4096);
  wrtc_strbuf_append_str(&body, "{\"k\":");
  wrtc_json_append_string(&body, all, sizeof all);
  wrtc_strbuf_append_str(&body, "}");
  wrtc_json_field_t f = { .key = "k" };
  CHECK_EQ_INT(wrtc_json_parse_object(body.data, body.len, &f, 1), WRTC_OK);
  CHECK_EQ_INT(f.type, WRTC_JSON_STRING);
  CHECK_EQ_INT(f.str_len, sizeof all);
  CHECK(f.str != NULL && memcmp(f.str, all, sizeof all) == 0);
  wrtc_json_fields_free(&f, 1);
  wrtc_strbuf_free(&body);
}

TEST(json_strbuf_stops_at_its_limit) {
  wrtc_strbuf_t b;
  wrtc_strbuf_init(&b, 8);
  CHECK_EQ_INT(wrtc_strbuf_append_str(&b, "12345678"), WRTC_OK);
  CHECK_EQ_INT(wrtc_strbuf_append_str(&b, "9"), WRTC_ERR_TOO_LARGE);
  CHECK_EQ_INT(wrtc_strbuf_append_str(&b, ""), WRTC_ERR_TOO_LARGE); // sticky
  CHECK_EQ_STR(b.data, "12345678");
  wrtc_strbuf_free(&b);
}

TEST(json_reads_requested_members_and_skips_the_rest) {
  const char *text =
    " { \"skip\" : [1, -2.5e+3, {\"x\": [true, false, null]}, \"s\"],"
    "   \"type\":\"answer\", \"n\": 0, \"sdp\": \"v=0\\r\\n\\u00e9\\ud83d\\ude00\\/\" } ";
  wrtc_json_field_t f[3] = { { .key = "type" }, { .key = "sdp" }, { .key = "n" } };
  CHECK_EQ_INT(wrtc_json_parse_object(text, strlen(text), f, 3), WRTC_OK);
  CHECK_EQ_STR(f[0].str, "answer");
  CHECK_EQ_STR(f[1].str, "v=0\r\n\xc3\xa9\xf0\x9f\x98\x80/");
  CHECK_EQ_INT(f[2].type, WRTC_JSON_NUMBER);
  CHECK(f[2].str == NULL);
  wrtc_json_fields_free(f, 3);
}

TEST(json_missing_member_and_last_duplicate_wins) {
  const char *text = "{\"a\":\"1\",\"a\":\"2\",\"b\":{}}";
  wrtc_json_field_t f[3] = { { .key = "a" }, { .key = "b" }, { .key = "c" } };
  CHECK_EQ_INT(wrtc_json_parse_object(text, strlen(text), f, 3), WRTC_OK);
  CHECK_EQ_STR(f[0].str, "2");
  CHECK_EQ_INT(f[1].type, WRTC_JSON_OBJECT);
  CHECK_EQ_INT(f[2].type, WRTC_JSON_MISSING);
  wrtc_json_fields_free(f, 3);
}

TEST(json_empty_string_is_a_real_string) {
  const char *text = "{\"sdp\":\"\"}";
  wrtc_json_field_t f = { .key = "sdp" };
  CHECK_EQ_INT(wrtc_json_parse_object(text, strlen(text), &f, 1), WRTC_OK);
  CHECK_EQ_INT(f.type, WRTC_JSON_STRING);
  CHECK_EQ_STR(f.str, "");
  wrtc_json_fields_free(&f, 1);
}

TEST(json_rejects_malformed_text) {
  static const char *const bad[] = {
    "", "   ", "[]", "\"str\"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
    "{\"a\":1} x", "{\"a\":1}{}", "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":-}",
    "{\"a\":1.}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":\"\\x\"}",
    "{\"a\":\"\\u12\"}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
    "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"line\nbreak\"}", "{\"a\":\"open}",
    "{\"a\":[1 2]}", "{\"a\":{\"b\" 1}}", "{\"a\":[}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wrtc_json_field_t f = { .key = "a" };
    int rc = wrtc_json_parse_object(bad[i], strlen(bad[i]), &f, 1);
    if (rc != WRTC_ERR_PARSE) {
      fprintf(stderr, "  accepted: %s\n", bad[i]);
    }
    CHECK_EQ_INT(rc, WRTC_ERR_PARSE);
    CHECK(f.str == NULL); // nothing leaks out of a failed parse
  }
}

TEST(json_rejects_nesting_deeper_than_the_limit) {
  char deep[200];
  size_t n = 0;
  deep[n++] = '{';
  const char *key = "\"a\":";
  memcpy(deep + n, key, 4);
  n += 4;
  for (int i = 0; i < WRTC_JSON_MAX_DEPTH + 5; i++) deep[n++] = '[';
  for (int i = 0; i < WRTC_JSON_MAX_DEPTH + 5; i++) deep[n++] = ']';
  deep[n++] = '}';
  wrtc_json_field_t f = { .key = "a" };
  CHECK_EQ_INT(wrtc_json_parse_object(deep, n, &f, 1), WRTC_ERR_PARSE);

  // Within the limit the same shape is fine.
  n = 5;
  for (int i = 0; i < 10; i++) deep[n++] = '[';
  for (int i = 0; i < 10; i++) deep[n++] = ']';
  deep[n++] = '}';
  CHECK_EQ_INT(wrtc_json_parse_object(deep, n, &f, 1), WRTC_OK);
  CHECK_EQ_INT(f.type, WRTC_JSON_ARRAY);
}

TEST(json_does_not_read_past_the_given_length) {
  // The buffer holds a valid object only if read beyond len; len cuts it short.
  // Heap copies without a terminating NUL, so ASan sees any read past the end.
  const char text[] = "{\"a\":\"xy\"}";
  char *cut = malloc(7);
  char *whole = malloc(sizeof text - 1);
  memcpy(cut, text, 7);
  memcpy(whole, text, sizeof text - 1);
  wrtc_json_field_t f = { .key = "a" };
  CHECK_EQ_INT(wrtc_json_parse_object(cut, 7, &f, 1), WRTC_ERR_PARSE);
  CHECK_EQ_INT(wrtc_json_parse_object(whole, sizeof text - 1, &f, 1), WRTC_OK);
  CHECK_EQ_STR(f.str, "xy");
  wrtc_json_fields_free(&f, 1);
  free(cut);
  free(whole);
}
