#include "wrtc_state.h"

#include <string.h>

#include "wrtc_status.h"

#define BIT(s) (1u << (s))
#define ANY_STATE (BIT(WRTC_STATE_COUNT) - 1u)

/*
 * Allowed predecessors of each state (repeats are handled in wrtc_sm_apply). esp_peer
 * reconnects on its own unless told not to, so the failure states lead back to
 * NEW_CONNECTION; what is rejected are jumps that would let Python believe in a channel
 * that was never negotiated, and anything after close().
 */
static const unsigned allowed_from[WRTC_STATE_COUNT] = {
  [WRTC_STATE_CLOSED] = ANY_STATE,
  [WRTC_STATE_DISCONNECTED] = ANY_STATE,
  [WRTC_STATE_NEW_CONNECTION] = BIT(WRTC_STATE_CLOSED) | BIT(WRTC_STATE_DISCONNECTED) |
                                BIT(WRTC_STATE_CONNECT_FAILED),
  [WRTC_STATE_PAIRING] = BIT(WRTC_STATE_NEW_CONNECTION) | BIT(WRTC_STATE_DISCONNECTED),
  [WRTC_STATE_PAIRED] = BIT(WRTC_STATE_PAIRING),
  [WRTC_STATE_CONNECTING] = BIT(WRTC_STATE_PAIRED) | BIT(WRTC_STATE_PAIRING),
  [WRTC_STATE_CONNECTED] = BIT(WRTC_STATE_CONNECTING) | BIT(WRTC_STATE_PAIRED),
  [WRTC_STATE_CONNECT_FAILED] = BIT(WRTC_STATE_NEW_CONNECTION) | BIT(WRTC_STATE_PAIRING) |
                                BIT(WRTC_STATE_PAIRED) | BIT(WRTC_STATE_CONNECTING),
  [WRTC_STATE_DATA_CHANNEL_CONNECTED] = BIT(WRTC_STATE_CONNECTED) |
                                        BIT(WRTC_STATE_DATA_CHANNEL_CLOSED),
  [WRTC_STATE_DATA_CHANNEL_OPENED] = BIT(WRTC_STATE_CONNECTED) |
                                     BIT(WRTC_STATE_DATA_CHANNEL_CONNECTED) |
                                     BIT(WRTC_STATE_DATA_CHANNEL_CLOSED),
  [WRTC_STATE_DATA_CHANNEL_CLOSED] = BIT(WRTC_STATE_DATA_CHANNEL_CONNECTED) |
                                     BIT(WRTC_STATE_DATA_CHANNEL_OPENED),
  [WRTC_STATE_DATA_CHANNEL_DISCONNECTED] = BIT(WRTC_STATE_DATA_CHANNEL_CONNECTED) |
                                           BIT(WRTC_STATE_DATA_CHANNEL_OPENED) |
                                           BIT(WRTC_STATE_DATA_CHANNEL_CLOSED),
};

static const char *const state_names[WRTC_STATE_COUNT] = {
  "closed", "disconnected", "new_connection", "pairing", "paired", "connecting",
  "connected", "connect_failed", "data_channel_connected", "data_channel_opened",
  "data_channel_closed", "data_channel_disconnected",
};

void wrtc_sm_init(wrtc_session_state_t *sm, wrtc_role_t role) {
  memset(sm, 0, sizeof(*sm));
  sm->role = role;
  sm->state = WRTC_STATE_NEW_CONNECTION;
}

int wrtc_sm_parse_role(const char *text, wrtc_role_t *role) {
  if (text == NULL) {
    return WRTC_ERR_INVALID_ARG;
  }
  if (strcmp(text, "controlling") == 0) {
    *role = WRTC_ROLE_CONTROLLING;
    return WRTC_OK;
  }
  if (strcmp(text, "controlled") == 0) {
    *role = WRTC_ROLE_CONTROLLED;
    return WRTC_OK;
  }
  return WRTC_ERR_INVALID_ARG;
}

int wrtc_sm_check_create_offer(const wrtc_session_state_t *sm) {
  if (sm->closed) {
    return WRTC_ERR_CLOSED;
  }
  if (sm->role != WRTC_ROLE_CONTROLLING) {
    return WRTC_ERR_ROLE;
  }
  if (sm->negotiation_started) {
    return WRTC_ERR_STATE;
  }
  return WRTC_OK;
}

int wrtc_sm_check_set_remote_sdp(const wrtc_session_state_t *sm) {
  if (sm->closed) {
    return WRTC_ERR_CLOSED;
  }
  if (sm->remote_sdp_set) {
    return WRTC_ERR_STATE;
  }
  // The controlling side can only take an answer to an offer it has made.
  if (sm->role == WRTC_ROLE_CONTROLLING && !sm->negotiation_started) {
    return WRTC_ERR_STATE;
  }
  return WRTC_OK;
}

int wrtc_sm_check_add_candidate(const wrtc_session_state_t *sm) {
  if (sm->closed) {
    return WRTC_ERR_CLOSED;
  }
  if (!sm->remote_sdp_set) {
    return WRTC_ERR_STATE;
  }
  return WRTC_OK;
}

int wrtc_sm_check_send(const wrtc_session_state_t *sm, size_t size, size_t send_buffer) {
  if (sm->closed) {
    return WRTC_ERR_CLOSED;
  }
  if (size > send_buffer) {
    return WRTC_ERR_TOO_LARGE;
  }
  if (sm->state != WRTC_STATE_DATA_CHANNEL_OPENED) {
    return WRTC_ERR_NOT_CONNECTED;
  }
  return WRTC_OK;
}

void wrtc_sm_mark_offer_created(wrtc_session_state_t *sm) {
  sm->negotiation_started = true;
}

void wrtc_sm_mark_remote_sdp(wrtc_session_state_t *sm) {
  sm->remote_sdp_set = true;
  sm->negotiation_started = true;
}

bool wrtc_sm_transition_allowed(int from, int to) {
  if (from < 0 || from >= WRTC_STATE_COUNT || to < 0 || to >= WRTC_STATE_COUNT) {
    return false;
  }
  return (allowed_from[to] & BIT(from)) != 0;
}

int wrtc_sm_apply(wrtc_session_state_t *sm, int next, bool *changed) {
  if (changed != NULL) {
    *changed = false;
  }
  if (!sm->closed && next == (int)sm->state) {
    return WRTC_OK;
  }
  if (sm->closed || !wrtc_sm_transition_allowed((int)sm->state, next)) {
    sm->rejected_transitions++;
    return WRTC_ERR_TRANSITION;
  }
  sm->state = (wrtc_state_t)next;
  if (changed != NULL) {
    *changed = true;
  }
  return WRTC_OK;
}

bool wrtc_sm_close(wrtc_session_state_t *sm) {
  if (sm->closed) {
    return false;
  }
  sm->closed = true;
  sm->state = WRTC_STATE_CLOSED;
  return true;
}

const char *wrtc_state_name(int state) {
  if (state < 0 || state >= WRTC_STATE_COUNT) {
    return "unknown";
  }
  return state_names[state];
}

int wrtc_check_buffer_size(long size) {
  if (size < (long)WRTC_BUFFER_MIN || size > (long)WRTC_BUFFER_MAX) {
    return WRTC_ERR_INVALID_ARG;
  }
  return WRTC_OK;
}
