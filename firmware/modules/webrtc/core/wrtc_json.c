#include "wrtc_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_status.h"

void wrtc_strbuf_init(wrtc_strbuf_t *b, size_t limit) {
  memset(b, 0, sizeof(*b));
  b->limit = limit;
}

void wrtc_strbuf_free(wrtc_strbuf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

int wrtc_strbuf_append(wrtc_strbuf_t *b, const char *s, size_t n) {
  if (b->error != WRTC_OK) {
    return b->error;
  }
  if (n > b->limit || b->len > b->limit - n) {
    b->error = WRTC_ERR_TOO_LARGE;
    return b->error;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) {
      cap *= 2;
    }
    char *grown = realloc(b->data, cap);
    if (grown == NULL) {
      b->error = WRTC_ERR_NO_MEM;
      return b->error;
    }
    b->data = grown;
    b->cap = cap;
  }
  if (n > 0) {
    memcpy(b->data + b->len, s, n);
  }
  b->len += n;
  b->data[b->len] = '\0';
  return WRTC_OK;
}

int wrtc_strbuf_append_str(wrtc_strbuf_t *b, const char *s) {
  return wrtc_strbuf_append(b, s, strlen(s));
}

int wrtc_json_append_string(wrtc_strbuf_t *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  wrtc_strbuf_append(b, "\"", 1);
  size_t run = 0; // bytes copied verbatim are appended in runs, not one at a time
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[7];
    switch (c) {
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      case '\b': esc = "\\b"; break;
      case '\f': esc = "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
          u[4] = hex[c >> 4]; u[5] = hex[c & 0xf]; u[6] = '\0';
          esc = u;
        }
    }
    if (esc != NULL) {
      wrtc_strbuf_append(b, s + i - run, run);
      run = 0;
      wrtc_strbuf_append_str(b, esc);
    } else {
      run++;
    }
  }
  wrtc_strbuf_append(b, s + n - run, run);
  return wrtc_strbuf_append(b, "\"", 1);
}

/* ---- parsing ---- */

typedef struct {
  const char *p;
  const char *end;
} cursor_t;

static void skip_ws(cursor_t *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
    c->p++;
  }
}

static int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

static int read_hex4(cursor_t *c, uint32_t *out) {
  if (c->end - c->p < 4) {
    return WRTC_ERR_PARSE;
  }
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int h = hex_value(c->p[i]);
    if (h < 0) {
      return WRTC_ERR_PARSE;
    }
    v = (v << 4) | (uint32_t)h;
  }
  c->p += 4;
  *out = v;
  return WRTC_OK;
}

static size_t utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Parses a string at c->p (the opening quote). When out is non-NULL, appends the unescaped text. */
static int parse_string(cursor_t *c, wrtc_strbuf_t *out) {
  if (c->p >= c->end || *c->p != '"') {
    return WRTC_ERR_PARSE;
  }
  c->p++;
  while (c->p < c->end) {
    unsigned char ch = (unsigned char)*c->p;
    if (ch == '"') {
      c->p++;
      return out != NULL ? out->error : WRTC_OK;
    }
    if (ch < 0x20) {
      return WRTC_ERR_PARSE; // raw control characters are not allowed inside JSON strings
    }
    if (ch != '\\') {
      if (out != NULL) {
        wrtc_strbuf_append(out, c->p, 1);
      }
      c->p++;
      continue;
    }
    c->p++;
    if (c->p >= c->end) {
      return WRTC_ERR_PARSE;
    }
    char esc = *c->p++;
    char decoded[4];
    size_t decoded_len = 1;
    switch (esc) {
      case '"': decoded[0] = '"'; break;
      case '\\': decoded[0] = '\\'; break;
      case '/': decoded[0] = '/'; break;
      case 'b': decoded[0] = '\b'; break;
      case 'f': decoded[0] = '\f'; break;
      case 'n': decoded[0] = '\n'; break;
      case 'r': decoded[0] = '\r'; break;
      case 't': decoded[0] = '\t'; break;
      case 'u': {
        uint32_t cp;
        if (read_hex4(c, &cp) != WRTC_OK || cp == 0) {
          return WRTC_ERR_PARSE;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t low;
          if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u') {
            return WRTC_ERR_PARSE; // lone high surrogate
          }
          c->p += 2;
          if (read_hex4(c, &low) != WRTC_OK || low < 0xdc00 || low > 0xdfff) {
            return WRTC_ERR_PARSE;
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          return WRTC_ERR_PARSE; // lone low surrogate
        }
        decoded_len = utf8_encode(cp, decoded);
        break;
      }
      default:
        return WRTC_ERR_PARSE;
    }
    if (out != NULL) {
      wrtc_strbuf_append(out, decoded, decoded_len);
    }
  }
  return WRTC_ERR_PARSE; // unterminated
}

static int parse_number(cursor_t *c) {
  const char *start = c->p;
  if (c->p < c->end && *c->p == '-') c->p++;
  if (c->p >= c->end) return WRTC_ERR_PARSE;
  if (*c->p == '0') {
    c->p++;
  } else if (*c->p >= '1' && *c->p <= '9') {
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
  } else {
    return WRTC_ERR_PARSE;
  }
  if (c->p < c->end && *c->p == '.') {
    c->p++;
    const char *digits = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    if (c->p == digits) return WRTC_ERR_PARSE;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    c->p++;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
    const char *digits = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    if (c->p == digits) return WRTC_ERR_PARSE;
  }
  return c->p > start ? WRTC_OK : WRTC_ERR_PARSE;
}

static int parse_literal(cursor_t *c, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) {
    return WRTC_ERR_PARSE;
  }
  c->p += n;
  return WRTC_OK;
}

static int skip_value(cursor_t *c, int depth, wrtc_json_type_t *type);

/* Between a member's key and its value. */
static int expect_colon(cursor_t *c) {
  skip_ws(c);
  if (c->p >= c->end || *c->p != ':') return WRTC_ERR_PARSE;
  c->p++;
  skip_ws(c);
  return WRTC_OK;
}

/* After a member or element: a comma means another follows, `close` ends the container. */
static int end_of_member(cursor_t *c, char close, bool *done) {
  skip_ws(c);
  if (c->p >= c->end) return WRTC_ERR_PARSE;
  if (*c->p == ',') {
    c->p++;
    skip_ws(c);
    *done = false;
    return WRTC_OK;
  }
  if (*c->p == close) {
    c->p++;
    *done = true;
    return WRTC_OK;
  }
  return WRTC_ERR_PARSE;
}

static int skip_container(cursor_t *c, int depth, char close, bool members) {
  if (depth >= WRTC_JSON_MAX_DEPTH) {
    return WRTC_ERR_PARSE;
  }
  c->p++;
  skip_ws(c);
  if (c->p < c->end && *c->p == close) {
    c->p++;
    return WRTC_OK;
  }
  for (;;) {
    wrtc_json_type_t ignored;
    if (members) {
      if (parse_string(c, NULL) != WRTC_OK) return WRTC_ERR_PARSE;
      if (expect_colon(c) != WRTC_OK) return WRTC_ERR_PARSE;
    }
    if (skip_value(c, depth + 1, &ignored) != WRTC_OK) return WRTC_ERR_PARSE;
    bool done;
    if (end_of_member(c, close, &done) != WRTC_OK) return WRTC_ERR_PARSE;
    if (done) return WRTC_OK;
  }
}

static int skip_value(cursor_t *c, int depth, wrtc_json_type_t *type) {
  if (c->p >= c->end) return WRTC_ERR_PARSE;
  switch (*c->p) {
    case '"': *type = WRTC_JSON_STRING; return parse_string(c, NULL);
    case '{': *type = WRTC_JSON_OBJECT; return skip_container(c, depth, '}', true);
    case '[': *type = WRTC_JSON_ARRAY; return skip_container(c, depth, ']', false);
    case 't': *type = WRTC_JSON_BOOL; return parse_literal(c, "true");
    case 'f': *type = WRTC_JSON_BOOL; return parse_literal(c, "false");
    case 'n': *type = WRTC_JSON_NULL; return parse_literal(c, "null");
    default: *type = WRTC_JSON_NUMBER; return parse_number(c);
  }
}

static wrtc_json_field_t *find_field(wrtc_json_field_t *fields, size_t n, const char *key,
                                     size_t key_len) {
  for (size_t i = 0; i < n; i++) {
    if (strlen(fields[i].key) == key_len && memcmp(fields[i].key, key, key_len) == 0) {
      return &fields[i];
    }
  }
  return NULL;
}

static void clear_field(wrtc_json_field_t *f) {
  free(f->str);
  f->str = NULL;
  f->str_len = 0;
  f->type = WRTC_JSON_MISSING;
}

static int parse_members(cursor_t *c, wrtc_json_field_t *fields, size_t n_fields) {
  c->p++; // '{'
  skip_ws(c);
  if (c->p < c->end && *c->p == '}') {
    c->p++;
    return WRTC_OK;
  }
  for (;;) {
    wrtc_strbuf_t key;
    wrtc_strbuf_init(&key, 4096);
    int rc = parse_string(c, &key);
    if (rc != WRTC_OK) {
      wrtc_strbuf_free(&key);
      return rc == WRTC_ERR_NO_MEM ? rc : WRTC_ERR_PARSE;
    }
    wrtc_json_field_t *field = find_field(fields, n_fields, key.data ? key.data : "", key.len);
    wrtc_strbuf_free(&key);
    if (expect_colon(c) != WRTC_OK) return WRTC_ERR_PARSE;
    if (field != NULL && c->p < c->end && *c->p == '"') {
      clear_field(field);
      wrtc_strbuf_t value;
      wrtc_strbuf_init(&value, (size_t)(c->end - c->p));
      rc = parse_string(c, &value);
      if (rc != WRTC_OK) {
        wrtc_strbuf_free(&value);
        return rc == WRTC_ERR_NO_MEM ? rc : WRTC_ERR_PARSE;
      }
      if (value.data == NULL) {
        value.data = calloc(1, 1); // "" still yields a real C string
        if (value.data == NULL) return WRTC_ERR_NO_MEM;
      }
      field->type = WRTC_JSON_STRING;
      field->str = value.data;
      field->str_len = value.len;
    } else {
      wrtc_json_type_t type;
      if (skip_value(c, 1, &type) != WRTC_OK) return WRTC_ERR_PARSE;
      if (field != NULL) {
        clear_field(field);
        field->type = type;
      }
    }
    bool done;
    if (end_of_member(c, '}', &done) != WRTC_OK) return WRTC_ERR_PARSE;
    if (done) return WRTC_OK;
  }
}

int wrtc_json_parse_object(const char *json, size_t len, wrtc_json_field_t *fields,
                           size_t n_fields) {
  if (json == NULL || (n_fields > 0 && fields == NULL)) {
    return WRTC_ERR_INVALID_ARG;
  }
  for (size_t i = 0; i < n_fields; i++) {
    fields[i].type = WRTC_JSON_MISSING;
    fields[i].str = NULL;
    fields[i].str_len = 0;
  }
  cursor_t c = { json, json + len };
  skip_ws(&c);
  int rc = WRTC_ERR_PARSE;
  if (c.p < c.end && *c.p == '{') {
    rc = parse_members(&c, fields, n_fields);
  }
  if (rc == WRTC_OK) {
    skip_ws(&c);
    if (c.p != c.end) {
      rc = WRTC_ERR_PARSE; // trailing garbage
    }
  }
  if (rc != WRTC_OK) {
    wrtc_json_fields_free(fields, n_fields);
  }
  return rc;
}

void wrtc_json_fields_free(wrtc_json_field_t *fields, size_t n_fields) {
  for (size_t i = 0; i < n_fields; i++) {
    clear_field(&fields[i]);
  }
}
