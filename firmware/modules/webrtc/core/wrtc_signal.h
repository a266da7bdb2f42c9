/*
 * pyDirect's two signaling shapes (see docs/webrtc-api.md and the device contract):
 *  1. POST /webrtc-signal, board controlling:
 *       {"type":"get_offer"}            -> {"sdp": "...", "candidates": ["...", ...]}
 *       {"type":"answer","sdp":"..."}   -> (device script's choice of reply)
 *  2. POST /webrtc/offer, board controlled:
 *       {"sdp":"..."} (optionally "type":"offer")
 *         -> {"status": "...", "sdp": "...", "ice_candidates": [...], "connected": bool}
 *         or {"error": "..."}
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "wrtc_json.h"

typedef enum {
  WRTC_SIGNAL_GET_OFFER = 1,
  WRTC_SIGNAL_ANSWER,
  WRTC_SIGNAL_OFFER,
} wrtc_signal_kind_t;

typedef struct {
  wrtc_signal_kind_t kind;
  char *sdp; /* malloc'd, NUL-terminated; NULL for GET_OFFER */
  size_t sdp_len;
} wrtc_signal_request_t;

/* Replies are bounded: an SDP with a few candidates is a few KB. */
#define WRTC_SIGNAL_REPLY_LIMIT (64u * 1024u)

/* On failure *why (when non-NULL) names the problem in words a client developer can act on. */
int wrtc_signal_parse(const char *body, size_t len, wrtc_signal_request_t *req, const char **why);
void wrtc_signal_request_free(wrtc_signal_request_t *req);

/* Each writes a complete JSON object into out (initialised by the caller). */
int wrtc_signal_format_offer(wrtc_strbuf_t *out, const char *sdp, const char *const *candidates,
                             size_t n_candidates);
int wrtc_signal_format_answer(wrtc_strbuf_t *out, const char *status, const char *sdp,
                              const char *const *candidates, size_t n_candidates,
                              bool connected);
int wrtc_signal_format_error(wrtc_strbuf_t *out, const char *message);
