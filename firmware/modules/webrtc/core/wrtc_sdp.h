/*
 * The little SDP work the module does itself: sanity checks on a remote description,
 * the local DTLS fingerprint, and replacing browsers' mDNS host candidates.
 *
 * Browsers hide host candidates behind random "<uuid>.local" names. The board has no
 * mDNS resolver in esp_peer's ICE agent, so pyDirect replaces such an address with the
 * address the signaling request came from.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "wrtc_json.h"

/*
 * Checks what esp_peer needs from a remote description for a DataChannel: a v=0 header,
 * an m=application section, ICE credentials and a DTLS fingerprint. *why names what is
 * missing.
 */
int wrtc_sdp_check_remote(const char *sdp, size_t len, const char **why);

/* Copies "sha-256 AA:BB:..." from the first a=fingerprint line into out. */
int wrtc_sdp_fingerprint(const char *sdp, char *out, size_t out_size);

/* host must be an IPv4/IPv6 literal: it is spliced into text sent to the ICE agent. */
bool wrtc_host_is_ip_literal(const char *host);

/*
 * Rewrites one candidate value ("candidate:..." with or without "a=") whose address
 * ends in ".local". *rewritten tells whether anything changed; other candidates are
 * copied unchanged. WRTC_ERR_PARSE when the candidate has fewer than the 8 mandatory
 * fields; WRTC_ERR_TOO_LARGE when out is too small.
 */
int wrtc_candidate_rewrite_mdns(const char *candidate, const char *host, char *out,
                                size_t out_size, bool *rewritten);

/* Applies the same rewrite to every a=candidate line of an SDP; returns the count in *count. */
int wrtc_sdp_rewrite_mdns(const char *sdp, const char *host, wrtc_strbuf_t *out, size_t *count);

/*
 * Iterates the a=candidate lines of an SDP: each call yields the next value without
 * "a=" (not NUL-terminated: *len bytes). esp_peer puts its gathered candidates into the
 * local description, and on_ice_candidate reports them one by one from there.
 */
bool wrtc_sdp_next_candidate(const char **cursor, const char **value, size_t *len);
