#include "wrtc_sdp.h"

#include <ctype.h>
#include <string.h>

#include "wrtc_status.h"

/* Finds a line starting with prefix; returns its start or NULL. Lines end in \n or \r\n. */
static const char *find_line(const char *sdp, size_t len, const char *prefix) {
  size_t plen = strlen(prefix);
  const char *p = sdp;
  const char *end = sdp + len;
  while (p < end) {
    if ((size_t)(end - p) >= plen && memcmp(p, prefix, plen) == 0) {
      return p;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL) {
      break;
    }
    p = nl + 1;
  }
  return NULL;
}

static int fail(const char **why, const char *text) {
  if (why != NULL) {
    *why = text;
  }
  return WRTC_ERR_PARSE;
}

int wrtc_sdp_check_remote(const char *sdp, size_t len, const char **why) {
  if (sdp == NULL || len == 0) {
    return fail(why, "the SDP is empty");
  }
  if (memchr(sdp, '\0', len) != NULL) {
    return fail(why, "the SDP contains a NUL byte");
  }
  if (len < 4 || memcmp(sdp, "v=0", 3) != 0 || (sdp[3] != '\r' && sdp[3] != '\n')) {
    return fail(why, "the SDP does not start with v=0");
  }
  if (find_line(sdp, len, "m=application ") == NULL) {
    return fail(why, "the SDP has no m=application section (no DataChannel offered)");
  }
  if (find_line(sdp, len, "a=ice-ufrag:") == NULL || find_line(sdp, len, "a=ice-pwd:") == NULL) {
    return fail(why, "the SDP has no ICE credentials (a=ice-ufrag / a=ice-pwd)");
  }
  if (find_line(sdp, len, "a=fingerprint:") == NULL) {
    return fail(why, "the SDP has no DTLS fingerprint (a=fingerprint)");
  }
  return WRTC_OK;
}

int wrtc_sdp_fingerprint(const char *sdp, char *out, size_t out_size) {
  if (sdp == NULL || out == NULL || out_size == 0) {
    return WRTC_ERR_INVALID_ARG;
  }
  const char *line = find_line(sdp, strlen(sdp), "a=fingerprint:");
  if (line == NULL) {
    return WRTC_ERR_PARSE;
  }
  line += strlen("a=fingerprint:");
  size_t n = strcspn(line, "\r\n");
  if (n == 0) {
    return WRTC_ERR_PARSE;
  }
  if (n >= out_size) {
    return WRTC_ERR_TOO_LARGE;
  }
  memcpy(out, line, n);
  out[n] = '\0';
  return WRTC_OK;
}

bool wrtc_host_is_ip_literal(const char *host) {
  if (host == NULL) {
    return false;
  }
  size_t n = strlen(host);
  if (n == 0 || n > 45) {
    return false;
  }
  bool colon = strchr(host, ':') != NULL;
  int dots = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = host[i];
    if (colon) {
      if (!isxdigit((unsigned char)ch) && ch != ':' && ch != '.') return false;
    } else {
      if (ch == '.') {
        dots++;
        if (i == 0 || host[i - 1] == '.') return false;
      } else if (!isdigit((unsigned char)ch)) {
        return false;
      }
    }
  }
  return colon || (dots == 3 && host[n - 1] != '.');
}

static bool ends_with_local(const char *s, size_t n) {
  static const char suffix[] = ".local";
  size_t sn = sizeof(suffix) - 1;
  if (n <= sn) {
    return false;
  }
  for (size_t i = 0; i < sn; i++) {
    if (tolower((unsigned char)s[n - sn + i]) != suffix[i]) {
      return false;
    }
  }
  return true;
}

/*
 * Locates the connection-address field (the 5th space-separated field) of a candidate
 * of length len. Needs the 8 mandatory fields of RFC 8839 §5.1.
 */
static int locate_address(const char *c, size_t len, size_t *start, size_t *addr_len) {
  size_t offset = 0;
  if (len >= 2 && memcmp(c, "a=", 2) == 0) {
    offset = 2;
  }
  if (len - offset < 10 || memcmp(c + offset, "candidate:", 10) != 0) {
    return WRTC_ERR_PARSE;
  }
  size_t field = 0;
  size_t i = offset;
  size_t field_start[8];
  size_t field_len[8];
  while (i < len && field < 8) {
    while (i < len && c[i] == ' ') i++;
    if (i >= len) break;
    field_start[field] = i;
    while (i < len && c[i] != ' ') i++;
    field_len[field] = i - field_start[field];
    field++;
  }
  if (field < 8 || field_len[6] != 3 || memcmp(c + field_start[6], "typ", 3) != 0) {
    return WRTC_ERR_PARSE;
  }
  *start = field_start[4];
  *addr_len = field_len[4];
  return WRTC_OK;
}

static int rewrite_span(const char *c, size_t len, const char *host, wrtc_strbuf_t *out,
                        bool *rewritten) {
  size_t start, addr_len;
  *rewritten = false;
  int rc = locate_address(c, len, &start, &addr_len);
  if (rc != WRTC_OK) {
    return rc;
  }
  if (!ends_with_local(c + start, addr_len)) {
    return wrtc_strbuf_append(out, c, len);
  }
  wrtc_strbuf_append(out, c, start);
  wrtc_strbuf_append_str(out, host);
  rc = wrtc_strbuf_append(out, c + start + addr_len, len - start - addr_len);
  *rewritten = rc == WRTC_OK;
  return rc;
}

int wrtc_candidate_rewrite_mdns(const char *candidate, const char *host, char *out,
                                size_t out_size, bool *rewritten) {
  bool changed = false;
  if (rewritten != NULL) {
    *rewritten = false;
  }
  if (candidate == NULL || out == NULL || out_size == 0 || !wrtc_host_is_ip_literal(host)) {
    return WRTC_ERR_INVALID_ARG;
  }
  wrtc_strbuf_t buf;
  wrtc_strbuf_init(&buf, out_size - 1);
  int rc = rewrite_span(candidate, strlen(candidate), host, &buf, &changed);
  if (rc == WRTC_OK) {
    memcpy(out, buf.data, buf.len + 1);
    if (rewritten != NULL) {
      *rewritten = changed;
    }
  }
  wrtc_strbuf_free(&buf);
  return rc;
}

int wrtc_sdp_rewrite_mdns(const char *sdp, const char *host, wrtc_strbuf_t *out, size_t *count) {
  if (count != NULL) {
    *count = 0;
  }
  if (sdp == NULL || out == NULL || !wrtc_host_is_ip_literal(host)) {
    return WRTC_ERR_INVALID_ARG;
  }
  const char *p = sdp;
  while (*p != '\0') {
    size_t line_len = strcspn(p, "\r\n");
    size_t eol_len = 0;
    if (p[line_len] == '\r') {
      eol_len = p[line_len + 1] == '\n' ? 2 : 1;
    } else if (p[line_len] == '\n') {
      eol_len = 1;
    }
    if (line_len >= 12 && memcmp(p, "a=candidate:", 12) == 0) {
      bool changed = false;
      // A malformed candidate line is passed through: the ICE agent will ignore it,
      // and refusing the whole offer for it would help nobody.
      if (rewrite_span(p, line_len, host, out, &changed) == WRTC_ERR_PARSE) {
        wrtc_strbuf_append(out, p, line_len);
      }
      if (changed && count != NULL) {
        (*count)++;
      }
    } else {
      wrtc_strbuf_append(out, p, line_len);
    }
    wrtc_strbuf_append(out, p + line_len, eol_len);
    p += line_len + eol_len;
  }
  if (out->error == WRTC_OK && out->data == NULL) {
    wrtc_strbuf_append(out, "", 0);
  }
  return out->error;
}

bool wrtc_sdp_next_candidate(const char **cursor, const char **value, size_t *len) {
  const char *p = *cursor;
  while (p != NULL && *p != '\0') {
    size_t line_len = strcspn(p, "\r\n");
    const char *line = p;
    p += line_len;
    p += strspn(p, "\r\n");
    if (line_len > 12 && memcmp(line, "a=candidate:", 12) == 0) {
      *value = line + 2;
      *len = line_len - 2;
      *cursor = p;
      return true;
    }
  }
  *cursor = p;
  return false;
}
