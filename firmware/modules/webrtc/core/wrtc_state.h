/*
 * The peer's lifecycle, checked before every Python call reaches esp_peer and updated
 * from esp_peer's state callbacks. State values are esp_peer_state_t's, so the binding
 * can pass them through; they are repeated here to keep the core free of esp_peer.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  WRTC_STATE_CLOSED = 0,
  WRTC_STATE_DISCONNECTED = 1,
  WRTC_STATE_NEW_CONNECTION = 2,
  WRTC_STATE_PAIRING = 3,
  WRTC_STATE_PAIRED = 4,
  WRTC_STATE_CONNECTING = 5,
  WRTC_STATE_CONNECTED = 6,
  WRTC_STATE_CONNECT_FAILED = 7,
  WRTC_STATE_DATA_CHANNEL_CONNECTED = 8,
  WRTC_STATE_DATA_CHANNEL_OPENED = 9,
  WRTC_STATE_DATA_CHANNEL_CLOSED = 10,
  WRTC_STATE_DATA_CHANNEL_DISCONNECTED = 11,
  WRTC_STATE_COUNT = 12,
} wrtc_state_t;

typedef enum {
  WRTC_ROLE_CONTROLLING = 0, /* offers: the /webrtc-signal shape */
  WRTC_ROLE_CONTROLLED = 1,  /* answers: the /webrtc/offer shape */
} wrtc_role_t;

typedef struct {
  wrtc_role_t role;
  wrtc_state_t state;
  bool closed;          /* close() was called: terminal */
  bool negotiation_started; /* create_offer() (controlling) or set_remote_sdp(offer) (controlled) */
  bool remote_sdp_set;
  unsigned rejected_transitions;
} wrtc_session_state_t;

/* A fresh peer reports WRTC_STATE_NEW_CONNECTION, as the virtual board's module does. */
void wrtc_sm_init(wrtc_session_state_t *sm, wrtc_role_t role);

/* Parses 'controlling' / 'controlled'. */
int wrtc_sm_parse_role(const char *text, wrtc_role_t *role);

int wrtc_sm_check_create_offer(const wrtc_session_state_t *sm);
int wrtc_sm_check_set_remote_sdp(const wrtc_session_state_t *sm);
int wrtc_sm_check_add_candidate(const wrtc_session_state_t *sm);
int wrtc_sm_check_send(const wrtc_session_state_t *sm, size_t size, size_t send_buffer);

void wrtc_sm_mark_offer_created(wrtc_session_state_t *sm);
void wrtc_sm_mark_remote_sdp(wrtc_session_state_t *sm);

/*
 * Applies a state reported by the stack. A repeat of the current state is accepted with
 * *changed = false (esp_peer re-reports some states, and the DataChannel opening arrives both
 * as a state and as a channel event); WRTC_ERR_TRANSITION leaves the state unchanged.
 */
int wrtc_sm_apply(wrtc_session_state_t *sm, int next, bool *changed);
bool wrtc_sm_transition_allowed(int from, int to);

/* Returns true when this call closed the peer, false when it was already closed. */
bool wrtc_sm_close(wrtc_session_state_t *sm);

/* "connected", "data_channel_opened", …: the status field of /webrtc/offer replies. */
const char *wrtc_state_name(int state);

/* Buffer sizes accepted for send_buffer / recv_buffer. */
#define WRTC_BUFFER_MIN 256u
#define WRTC_BUFFER_MAX (4u * 1024u * 1024u)
int wrtc_check_buffer_size(long size);
