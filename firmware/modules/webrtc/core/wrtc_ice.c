#include "wrtc_ice.h"

#include <stdlib.h>
#include <string.h>

#include "wrtc_status.h"

static int fail(const char **why, const char *text) {
  if (why != NULL) {
    *why = text;
  }
  return WRTC_ERR_INVALID_ARG;
}

static char *copy_span(const char *s, size_t n) {
  char *out = malloc(n + 1);
  if (out != NULL) {
    memcpy(out, s, n);
    out[n] = '\0';
  }
  return out;
}

/* host:port with a non-empty host and a decimal port 1..65535 (IPv6 hosts in brackets). */
static int check_host_port(const char *s) {
  const char *colon = strrchr(s, ':');
  if (colon == NULL || colon == s) {
    return WRTC_ERR_INVALID_ARG;
  }
  if (s[0] == '[' && colon[-1] != ']') {
    return WRTC_ERR_INVALID_ARG;
  }
  const char *port = colon + 1;
  size_t digits = strspn(port, "0123456789");
  if (digits == 0 || digits > 5 || port[digits] != '\0') {
    return WRTC_ERR_INVALID_ARG;
  }
  long value = strtol(port, NULL, 10);
  if (value < 1 || value > 65535) {
    return WRTC_ERR_INVALID_ARG;
  }
  for (const char *p = s; p < colon; p++) {
    if (*p == ' ' || *p == '@' || *p == '/' || (unsigned char)*p < 0x21) {
      return WRTC_ERR_INVALID_ARG;
    }
  }
  return WRTC_OK;
}

int wrtc_ice_server_parse(const char *text, wrtc_ice_server_t *out, const char **why) {
  if (out == NULL) {
    return WRTC_ERR_INVALID_ARG;
  }
  memset(out, 0, sizeof(*out));
  if (text == NULL || strlen(text) > WRTC_ICE_URL_MAX) {
    return fail(why, "ICE server must be a string of at most 256 characters");
  }
  const char *rest;
  size_t scheme_len;
  bool turn;
  if (strncmp(text, "stun:", 5) == 0) {
    scheme_len = 5, turn = false;
  } else if (strncmp(text, "turn:", 5) == 0) {
    scheme_len = 5, turn = true;
  } else if (strncmp(text, "turns:", 6) == 0) {
    scheme_len = 6, turn = true;
  } else {
    return fail(why, "ICE server must start with stun:, turn: or turns:");
  }
  rest = text + scheme_len;
  const char *at = strrchr(rest, '@');
  const char *host = rest;
  if (!turn && at != NULL) {
    return fail(why, "a STUN server takes no credentials; use stun:host:port");
  }
  if (turn) {
    if (at == NULL) {
      return fail(why, "a TURN server needs credentials: turn:user:pass@host:port");
    }
    const char *sep = memchr(rest, ':', (size_t)(at - rest));
    if (sep == NULL || sep == rest || sep + 1 == at) {
      return fail(why, "a TURN server needs credentials: turn:user:pass@host:port");
    }
    host = at + 1;
    if (check_host_port(host) != WRTC_OK) {
      return fail(why, "ICE server address must be host:port with a port from 1 to 65535");
    }
    out->user = copy_span(rest, (size_t)(sep - rest));
    out->password = copy_span(sep + 1, (size_t)(at - sep - 1));
  } else if (check_host_port(host) != WRTC_OK) {
    return fail(why, "ICE server address must be host:port with a port from 1 to 65535");
  }
  size_t host_len = strlen(host);
  out->url = malloc(scheme_len + host_len + 1);
  if (out->url != NULL) {
    memcpy(out->url, text, scheme_len);
    memcpy(out->url + scheme_len, host, host_len + 1);
  }
  if (out->url == NULL || (turn && (out->user == NULL || out->password == NULL))) {
    wrtc_ice_server_free(out);
    return WRTC_ERR_NO_MEM;
  }
  return WRTC_OK;
}

void wrtc_ice_server_free(wrtc_ice_server_t *server) {
  if (server == NULL) {
    return;
  }
  if (server->password != NULL) {
    // volatile so the compiler cannot drop the wipe of a buffer about to be freed
    volatile char *p = server->password;
    while (*p != '\0') {
      *p++ = '\0';
    }
  }
  free(server->url);
  free(server->user);
  free(server->password);
  memset(server, 0, sizeof(*server));
}
