#include "wrtc_status.h"

const char *wrtc_status_text(int status) {
  switch (status) {
    case WRTC_OK: return "ok";
    case WRTC_ERR_INVALID_ARG: return "invalid argument";
    case WRTC_ERR_NO_MEM: return "out of memory";
    case WRTC_ERR_EMPTY: return "queue empty";
    case WRTC_ERR_FULL: return "queue full";
    case WRTC_ERR_PARSE: return "could not parse";
    case WRTC_ERR_TOO_LARGE: return "larger than the configured buffer";
    case WRTC_ERR_ROLE: return "not available for this role";
    case WRTC_ERR_STATE: return "not allowed in the current state";
    case WRTC_ERR_NOT_CONNECTED: return "DataChannel is not open";
    case WRTC_ERR_CLOSED: return "peer is closed";
    case WRTC_ERR_TRANSITION: return "illegal state transition";
    case WRTC_ERR_STACK: return "the WebRTC stack reported an error";
    default: return "unknown error";
  }
}
