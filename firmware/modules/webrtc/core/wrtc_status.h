/*
 * Status codes shared by the host-testable core of the `webrtc` module.
 * The MicroPython binding maps each one to a Python exception (see modwebrtc.c).
 */
#pragma once

typedef enum {
  WRTC_OK = 0,
  WRTC_ERR_INVALID_ARG = -1,   /* argument out of range or malformed */
  WRTC_ERR_NO_MEM = -2,        /* allocation failed */
  WRTC_ERR_EMPTY = -3,         /* nothing queued */
  WRTC_ERR_FULL = -4,          /* queue slots or byte budget exhausted */
  WRTC_ERR_PARSE = -5,         /* text (JSON, SDP, candidate) could not be parsed */
  WRTC_ERR_TOO_LARGE = -6,     /* message larger than the configured buffer */
  WRTC_ERR_ROLE = -7,          /* operation not available for this peer's role */
  WRTC_ERR_STATE = -8,         /* operation out of order (e.g. answer before offer) */
  WRTC_ERR_NOT_CONNECTED = -9, /* DataChannel not open yet */
  WRTC_ERR_CLOSED = -10,       /* peer was closed by the user */
  WRTC_ERR_TRANSITION = -11,   /* state change the state machine does not allow */
  WRTC_ERR_STACK = -12,        /* esp_peer reported a failure (see the peer's last stack error) */
} wrtc_status_t;

const char *wrtc_status_text(int status);
