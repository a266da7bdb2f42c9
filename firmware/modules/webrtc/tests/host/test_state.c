#include "harness.h"
#include "wrtc_state.h"
#include "wrtc_status.h"

static void walk(wrtc_session_state_t *sm, const int *states, size_t n) {
  for (size_t i = 0; i < n; i++) {
    CHECK_EQ_INT(wrtc_sm_apply(sm, states[i], NULL), WRTC_OK);
  }
}

static const int happy_path[] = {
  WRTC_STATE_NEW_CONNECTION, WRTC_STATE_PAIRING, WRTC_STATE_PAIRED, WRTC_STATE_CONNECTING,
  WRTC_STATE_CONNECTED, WRTC_STATE_DATA_CHANNEL_CONNECTED, WRTC_STATE_DATA_CHANNEL_OPENED,
};

TEST(state_parses_roles) {
  wrtc_role_t role;
  CHECK_EQ_INT(wrtc_sm_parse_role("controlling", &role), WRTC_OK);
  CHECK_EQ_INT(role, WRTC_ROLE_CONTROLLING);
  CHECK_EQ_INT(wrtc_sm_parse_role("controlled", &role), WRTC_OK);
  CHECK_EQ_INT(role, WRTC_ROLE_CONTROLLED);
  CHECK_EQ_INT(wrtc_sm_parse_role("Controlling", &role), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_sm_parse_role("", &role), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_sm_parse_role(NULL, &role), WRTC_ERR_INVALID_ARG);
}

TEST(state_controlling_peer_walks_to_open_channel_and_sends) {
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLING);
  CHECK_EQ_INT(sm.state, WRTC_STATE_NEW_CONNECTION);
  CHECK_EQ_INT(wrtc_sm_check_send(&sm, 10, 100), WRTC_ERR_NOT_CONNECTED);
  CHECK_EQ_INT(wrtc_sm_check_set_remote_sdp(&sm), WRTC_ERR_STATE); // no offer made yet
  CHECK_EQ_INT(wrtc_sm_check_add_candidate(&sm), WRTC_ERR_STATE);
  CHECK_EQ_INT(wrtc_sm_check_create_offer(&sm), WRTC_OK);
  wrtc_sm_mark_offer_created(&sm);
  CHECK_EQ_INT(wrtc_sm_check_create_offer(&sm), WRTC_ERR_STATE); // only once
  CHECK_EQ_INT(wrtc_sm_check_set_remote_sdp(&sm), WRTC_OK);
  wrtc_sm_mark_remote_sdp(&sm);
  CHECK_EQ_INT(wrtc_sm_check_set_remote_sdp(&sm), WRTC_ERR_STATE); // only once
  CHECK_EQ_INT(wrtc_sm_check_add_candidate(&sm), WRTC_OK);
  walk(&sm, happy_path, sizeof happy_path / sizeof happy_path[0]);
  CHECK_EQ_INT(wrtc_sm_check_send(&sm, 100, 100), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_check_send(&sm, 101, 100), WRTC_ERR_TOO_LARGE);
}

TEST(state_controlled_peer_cannot_offer_but_takes_an_offer) {
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLED);
  CHECK_EQ_INT(wrtc_sm_check_create_offer(&sm), WRTC_ERR_ROLE);
  CHECK_EQ_INT(wrtc_sm_check_set_remote_sdp(&sm), WRTC_OK);
  wrtc_sm_mark_remote_sdp(&sm);
  CHECK_EQ_INT(wrtc_sm_check_add_candidate(&sm), WRTC_OK);
}

TEST(state_rejects_illegal_transitions_and_keeps_the_old_state) {
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLING);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_DATA_CHANNEL_OPENED, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_CONNECTED, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_PAIRED, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(sm.state, WRTC_STATE_NEW_CONNECTION);
  CHECK_EQ_INT(wrtc_sm_check_send(&sm, 1, 100), WRTC_ERR_NOT_CONNECTED);

  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_NEW_CONNECTION, NULL), WRTC_OK); // a repeat
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_CONNECTED, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_PAIRING, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_CONNECTED, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_DATA_CHANNEL_CLOSED, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, -1, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_COUNT, NULL), WRTC_ERR_TRANSITION);
  CHECK_EQ_INT(sm.state, WRTC_STATE_PAIRING);
  CHECK_EQ_INT(sm.rejected_transitions, 8);
}

TEST(state_failure_and_reconnect_paths_are_legal) {
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLED);
  walk(&sm, happy_path, sizeof happy_path / sizeof happy_path[0]);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_DATA_CHANNEL_CLOSED, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_check_send(&sm, 1, 100), WRTC_ERR_NOT_CONNECTED);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_DISCONNECTED, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_NEW_CONNECTION, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_PAIRING, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_CONNECT_FAILED, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_NEW_CONNECTION, NULL), WRTC_OK);
}

TEST(state_close_is_terminal) {
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLING);
  walk(&sm, happy_path, 2);
  CHECK(wrtc_sm_close(&sm));
  CHECK(!wrtc_sm_close(&sm)); // closing twice is harmless
  CHECK_EQ_INT(sm.state, WRTC_STATE_CLOSED);
  for (int s = 0; s < WRTC_STATE_COUNT; s++) {
    CHECK_EQ_INT(wrtc_sm_apply(&sm, s, NULL), WRTC_ERR_TRANSITION);
  }
  CHECK_EQ_INT(sm.state, WRTC_STATE_CLOSED);
  CHECK_EQ_INT(wrtc_sm_check_send(&sm, 1, 100), WRTC_ERR_CLOSED);
  CHECK_EQ_INT(wrtc_sm_check_create_offer(&sm), WRTC_ERR_CLOSED);
  CHECK_EQ_INT(wrtc_sm_check_set_remote_sdp(&sm), WRTC_ERR_CLOSED);
  CHECK_EQ_INT(wrtc_sm_check_add_candidate(&sm), WRTC_ERR_CLOSED);
}

TEST(state_table_allows_only_listed_predecessors) {
  // Spot-check the table from both sides: every state may fall to DISCONNECTED,
  // nothing reaches PAIRED except from PAIRING.
  for (int s = 0; s < WRTC_STATE_COUNT; s++) {
    CHECK(wrtc_sm_transition_allowed(s, WRTC_STATE_DISCONNECTED));
    CHECK_EQ_INT(wrtc_sm_transition_allowed(s, WRTC_STATE_PAIRED), s == WRTC_STATE_PAIRING);
  }
  CHECK(!wrtc_sm_transition_allowed(WRTC_STATE_CONNECTING, WRTC_STATE_DATA_CHANNEL_OPENED));
  CHECK(wrtc_sm_transition_allowed(WRTC_STATE_CONNECTED, WRTC_STATE_DATA_CHANNEL_OPENED));
}

TEST(state_names_match_esp_peer_order) {
  CHECK_EQ_STR(wrtc_state_name(WRTC_STATE_CLOSED), "closed");
  CHECK_EQ_STR(wrtc_state_name(WRTC_STATE_CONNECTED), "connected");
  CHECK_EQ_STR(wrtc_state_name(WRTC_STATE_DATA_CHANNEL_OPENED), "data_channel_opened");
  CHECK_EQ_STR(wrtc_state_name(11), "data_channel_disconnected");
  CHECK_EQ_STR(wrtc_state_name(12), "unknown");
  CHECK_EQ_STR(wrtc_state_name(-3), "unknown");
}

TEST(buffer_sizes_are_bounded) {
  CHECK_EQ_INT(wrtc_check_buffer_size(16384), WRTC_OK);
  CHECK_EQ_INT(wrtc_check_buffer_size(WRTC_BUFFER_MIN), WRTC_OK);
  CHECK_EQ_INT(wrtc_check_buffer_size(WRTC_BUFFER_MIN - 1), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_check_buffer_size(WRTC_BUFFER_MAX), WRTC_OK);
  CHECK_EQ_INT(wrtc_check_buffer_size((long)WRTC_BUFFER_MAX + 1), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_check_buffer_size(-1), WRTC_ERR_INVALID_ARG);
}

TEST(status_texts_cover_every_code) {
  for (int code = WRTC_OK; code >= WRTC_ERR_STACK; code--) {
    CHECK(strcmp(wrtc_status_text(code), "unknown error") != 0);
  }
  CHECK_EQ_STR(wrtc_status_text(-100), "unknown error");
}

TEST(state_repeats_are_accepted_without_a_change) {
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLING);
  bool changed = true;
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_NEW_CONNECTION, &changed), WRTC_OK);
  CHECK(!changed); // esp_peer reports NEW_CONNECTION when create_offer() starts it
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_PAIRING, &changed), WRTC_OK);
  CHECK(changed);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_PAIRING, &changed), WRTC_OK);
  CHECK(!changed);
  CHECK_EQ_INT(sm.rejected_transitions, 0);
  wrtc_sm_close(&sm);
  CHECK_EQ_INT(wrtc_sm_apply(&sm, WRTC_STATE_CLOSED, &changed), WRTC_ERR_TRANSITION);
  CHECK(!changed);
}

TEST(state_accepts_the_machine_esp_peer_documents) {
  // esp_peer's README: NEW_CONNECTION → PAIRING → PAIRED → CONNECTING → CONNECTED →
  // DATA_CHANNEL_CONNECTED → DATA_CHANNEL_OPENED → DISCONNECTED → CLOSED, and a new connection after.
  static const int documented[] = {
    WRTC_STATE_NEW_CONNECTION, WRTC_STATE_PAIRING, WRTC_STATE_PAIRED, WRTC_STATE_CONNECTING,
    WRTC_STATE_CONNECTED, WRTC_STATE_DATA_CHANNEL_CONNECTED, WRTC_STATE_DATA_CHANNEL_OPENED,
    WRTC_STATE_DISCONNECTED, WRTC_STATE_CLOSED, WRTC_STATE_NEW_CONNECTION,
  };
  wrtc_session_state_t sm;
  wrtc_sm_init(&sm, WRTC_ROLE_CONTROLLED);
  walk(&sm, documented, sizeof documented / sizeof documented[0]);
  CHECK(!sm.closed); // a CLOSED reported by the stack is not the user's close()
  CHECK_EQ_INT(sm.rejected_transitions, 0);
}
