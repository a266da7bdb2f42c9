/*
 * Just enough JSON for the signaling bodies: reading the string members of one object
 * and writing strings with correct escaping. Signaling bodies come from the network,
 * so every path rejects malformed input instead of guessing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Growable text buffer with a hard limit, so a hostile SDP cannot exhaust the heap. */
typedef struct {
  char *data; /* always NUL-terminated once anything was appended */
  size_t len;
  size_t cap;
  size_t limit;
  int error; /* first failure (WRTC_ERR_NO_MEM / WRTC_ERR_TOO_LARGE); appends stop after it */
} wrtc_strbuf_t;

void wrtc_strbuf_init(wrtc_strbuf_t *b, size_t limit);
void wrtc_strbuf_free(wrtc_strbuf_t *b);
int wrtc_strbuf_append(wrtc_strbuf_t *b, const char *s, size_t n);
int wrtc_strbuf_append_str(wrtc_strbuf_t *b, const char *s);

/* Appends s (n bytes) as a quoted JSON string. */
int wrtc_json_append_string(wrtc_strbuf_t *b, const char *s, size_t n);

typedef enum {
  WRTC_JSON_MISSING = 0,
  WRTC_JSON_STRING,
  WRTC_JSON_NUMBER,
  WRTC_JSON_OBJECT,
  WRTC_JSON_ARRAY,
  WRTC_JSON_BOOL,
  WRTC_JSON_NULL,
} wrtc_json_type_t;

/* Filled by wrtc_json_parse_object for each requested top-level key. */
typedef struct {
  const char *key;
  wrtc_json_type_t type;
  char *str; /* unescaped UTF-8 (malloc'd) when type is WRTC_JSON_STRING */
  size_t str_len;
} wrtc_json_field_t;

#define WRTC_JSON_MAX_DEPTH 32

/*
 * Validates the whole text as one JSON object and extracts the requested members.
 * Strings containing \u0000 are rejected: every consumer treats them as C strings.
 * A repeated key keeps its last value, as JavaScript's JSON.parse does.
 */
int wrtc_json_parse_object(const char *json, size_t len, wrtc_json_field_t *fields,
                           size_t n_fields);
void wrtc_json_fields_free(wrtc_json_field_t *fields, size_t n_fields);
