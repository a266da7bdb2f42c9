/*
 * ICE server strings as Python passes them ("stun:host:port", "turn:user:pass@host:port",
 * "turns:…") split into what esp_peer_ice_server_cfg_t wants: the URL without credentials,
 * a user name and a password. TURN credentials are secrets and never logged.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *url;      /* "stun:host:port" / "turn:host:port" (malloc'd) */
  char *user;     /* NULL for STUN */
  char *password; /* NULL for STUN; wiped on free */
} wrtc_ice_server_t;

#define WRTC_ICE_URL_MAX 256

int wrtc_ice_server_parse(const char *text, wrtc_ice_server_t *out, const char **why);
void wrtc_ice_server_free(wrtc_ice_server_t *server);
