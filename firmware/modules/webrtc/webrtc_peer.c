#include "webrtc_peer.h"

#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_peer.h"
#include "esp_peer_default.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#include "core/wrtc_sdp.h"
#include "core/wrtc_status.h"

static const char *TAG = "webrtc";

// The core and Python see esp_peer's state numbers unchanged.
_Static_assert((int)ESP_PEER_STATE_CLOSED == WRTC_STATE_CLOSED, "esp_peer state order changed");
_Static_assert((int)ESP_PEER_STATE_CONNECTED == WRTC_STATE_CONNECTED, "esp_peer state order changed");
_Static_assert((int)ESP_PEER_STATE_DATA_CHANNEL_OPENED == WRTC_STATE_DATA_CHANNEL_OPENED,
               "esp_peer state order changed");
_Static_assert((int)ESP_PEER_STATE_DATA_CHANNEL_DISCONNECTED == WRTC_STATE_DATA_CHANNEL_DISCONNECTED,
               "esp_peer state order changed");

struct webrtc_peer {
  esp_peer_handle_t handle;
  /* Serialises calls into esp_peer: its default implementation is driven by main_loop and
   * is not documented as safe to call from two tasks at once. */
  SemaphoreHandle_t peer_lock;
  /* Guards sm, local_sdp and stream_id, shared by esp_peer's task and the MicroPython thread. */
  SemaphoreHandle_t session_lock;
  SemaphoreHandle_t task_exited;
  TaskHandle_t task;
  bool stopping; /* read by the task, written by the MicroPython thread: __atomic access only */
  bool task_stopped;
  bool closed;

  wrtc_session_state_t sm;
  wrtc_event_queue_t events;
  char *local_sdp;
  uint16_t stream_id;
  bool candidates_trickled;
  int last_stack_error;

  size_t send_buffer;
  esp_peer_ice_server_cfg_t *servers;
  size_t n_servers;
  bool (*wakeup)(void *arg);
  void *wakeup_arg;
};

static int stack_status(webrtc_peer_t *peer, int err) {
  if (err == ESP_PEER_ERR_NONE) {
    return WRTC_OK;
  }
  peer->last_stack_error = err;
  if (err == ESP_PEER_ERR_NO_MEM) {
    return WRTC_ERR_NO_MEM;
  }
  if (err == ESP_PEER_ERR_WOULD_BLOCK) {
    return WRTC_ERR_FULL;
  }
  return WRTC_ERR_STACK;
}

static void queue_event(webrtc_peer_t *peer, wrtc_event_kind_t kind, int state, const void *data,
                        size_t size) {
  bool wake = false;
  int rc = wrtc_event_queue_push(&peer->events, kind, state, data, size, &wake);
  if (rc != WRTC_OK) {
    // Dropped (receive budget full or no heap); the size is safe to log, the content is not.
    ESP_LOGW(TAG, "event %d (%u bytes) dropped: %s", kind, (unsigned)size, wrtc_status_text(rc));
    return;
  }
  if (wake && peer->wakeup != NULL && !peer->wakeup(peer->wakeup_arg)) {
    wrtc_event_queue_cancel_wakeup(&peer->events);
  }
}

static void apply_state(webrtc_peer_t *peer, int state) {
  bool changed = false;
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  int rc = wrtc_sm_apply(&peer->sm, state, &changed);
  xSemaphoreGive(peer->session_lock);
  if (rc != WRTC_OK) {
    ESP_LOGW(TAG, "ignored state %s", wrtc_state_name(state));
  } else if (changed) {
    queue_event(peer, WRTC_EVENT_STATE, state, NULL, 0);
  }
}

/* ---- esp_peer callbacks: run on the peer task, inside esp_peer_main_loop ---- */

static int on_state(esp_peer_state_t state, void *ctx) {
  apply_state(ctx, (int)state);
  return 0;
}

static void queue_candidates_from_sdp(webrtc_peer_t *peer, const char *sdp) {
  const char *cursor = sdp;
  const char *value;
  size_t len;
  while (wrtc_sdp_next_candidate(&cursor, &value, &len)) {
    queue_event(peer, WRTC_EVENT_ICE_CANDIDATE, 0, value, len);
  }
  queue_event(peer, WRTC_EVENT_ICE_CANDIDATE, 0, "", 0); // gathering complete
}

static int on_msg(esp_peer_msg_t *msg, void *ctx) {
  webrtc_peer_t *peer = ctx;
  if (msg == NULL || msg->data == NULL || msg->size <= 0) {
    return 0;
  }
  if (msg->type == ESP_PEER_MSG_TYPE_SDP) {
    char *copy = malloc((size_t)msg->size + 1);
    if (copy != NULL) {
      memcpy(copy, msg->data, (size_t)msg->size);
      copy[msg->size] = '\0';
    }
    xSemaphoreTake(peer->session_lock, portMAX_DELAY);
    free(peer->local_sdp);
    peer->local_sdp = copy;
    bool trickled = peer->candidates_trickled;
    xSemaphoreGive(peer->session_lock);
    queue_event(peer, WRTC_EVENT_LOCAL_SDP, 0, msg->data, (size_t)msg->size);
    // esp_peer's default implementation gathers before reporting the SDP, so the
    // candidates are inside it; report them one by one unless they came separately.
    if (copy != NULL && !trickled) {
      queue_candidates_from_sdp(peer, copy);
    }
  } else if (msg->type == ESP_PEER_MSG_TYPE_CANDIDATE) {
    const char *value = (const char *)msg->data;
    size_t len = (size_t)msg->size;
    if (len >= 2 && memcmp(value, "a=", 2) == 0) {
      value += 2;
      len -= 2;
    }
    xSemaphoreTake(peer->session_lock, portMAX_DELAY);
    peer->candidates_trickled = true;
    xSemaphoreGive(peer->session_lock);
    queue_event(peer, WRTC_EVENT_ICE_CANDIDATE, 0, value, len);
  }
  return 0;
}

static int on_channel_open(esp_peer_data_channel_info_t *ch, void *ctx) {
  webrtc_peer_t *peer = ctx;
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  peer->stream_id = ch != NULL ? ch->stream_id : 0;
  xSemaphoreGive(peer->session_lock);
  apply_state(peer, WRTC_STATE_DATA_CHANNEL_OPENED);
  return 0;
}

static int on_channel_close(esp_peer_data_channel_info_t *ch, void *ctx) {
  (void)ch;
  apply_state(ctx, WRTC_STATE_DATA_CHANNEL_CLOSED);
  return 0;
}

static int on_data(esp_peer_data_frame_t *frame, void *ctx) {
  if (frame != NULL && frame->size >= 0 && (frame->data != NULL || frame->size == 0)) {
    queue_event(ctx, WRTC_EVENT_DATA, 0, frame->data, (size_t)frame->size);
  }
  return 0;
}

static void peer_task(void *arg) {
  webrtc_peer_t *peer = arg;
  while (!__atomic_load_n(&peer->stopping, __ATOMIC_ACQUIRE)) {
    xSemaphoreTake(peer->peer_lock, portMAX_DELAY);
    esp_peer_main_loop(peer->handle);
    xSemaphoreGive(peer->peer_lock);
    // Yield so Python-side calls waiting on peer_lock get their turn.
    vTaskDelay(pdMS_TO_TICKS(WEBRTC_LOOP_INTERVAL_MS));
  }
  xSemaphoreGive(peer->task_exited);
  vTaskDelete(NULL);
}

/* ---- API used by the binding (MicroPython thread) ---- */

static void release(webrtc_peer_t *peer) {
  if (peer->peer_lock) vSemaphoreDelete(peer->peer_lock);
  if (peer->session_lock) vSemaphoreDelete(peer->session_lock);
  if (peer->task_exited) vSemaphoreDelete(peer->task_exited);
  wrtc_event_queue_deinit(&peer->events);
  free(peer->servers);
  free(peer->local_sdp);
  free(peer);
}

int webrtc_peer_open(const webrtc_peer_config_t *cfg, webrtc_peer_t **out) {
  *out = NULL;
  webrtc_peer_t *peer = calloc(1, sizeof(*peer));
  if (peer == NULL) {
    return WRTC_ERR_NO_MEM;
  }
  wrtc_sm_init(&peer->sm, cfg->role);
  peer->send_buffer = cfg->send_buffer;
  peer->wakeup = cfg->wakeup;
  peer->wakeup_arg = cfg->wakeup_arg;
  peer->peer_lock = xSemaphoreCreateMutex();
  peer->session_lock = xSemaphoreCreateMutex();
  peer->task_exited = xSemaphoreCreateBinary();
  int rc = WRTC_ERR_NO_MEM;
  if (peer->peer_lock && peer->session_lock && peer->task_exited) {
    rc = wrtc_event_queue_init(&peer->events, WEBRTC_EVENT_SLOTS, cfg->recv_buffer);
  }
  if (rc == WRTC_OK && cfg->n_servers > 0) {
    // esp_peer keeps pointers to the strings; the binding keeps the wrtc_ice_server_t alive.
    peer->servers = calloc(cfg->n_servers, sizeof(esp_peer_ice_server_cfg_t));
    if (peer->servers == NULL) {
      rc = WRTC_ERR_NO_MEM;
    } else {
      for (size_t i = 0; i < cfg->n_servers; i++) {
        peer->servers[i].stun_url = cfg->servers[i].url;
        peer->servers[i].user = cfg->servers[i].user;
        peer->servers[i].psw = cfg->servers[i].password;
      }
      peer->n_servers = cfg->n_servers;
    }
  }
  if (rc != WRTC_OK) {
    release(peer);
    return rc;
  }

  esp_peer_default_cfg_t extra = {
    .data_ch_cfg = {
      .send_cache_size = (uint32_t)cfg->send_buffer,
      .recv_cache_size = (uint32_t)cfg->recv_buffer,
    },
    .keep_role = true, // the Python role is a promise to the signaling side
  };
  esp_peer_cfg_t peer_cfg = {
    .server_lists = peer->servers,
    .server_num = (uint8_t)peer->n_servers,
    .role = cfg->role == WRTC_ROLE_CONTROLLING ? ESP_PEER_ROLE_CONTROLLING : ESP_PEER_ROLE_CONTROLLED,
    .ice_trans_policy = ESP_PEER_ICE_TRANS_POLICY_ALL,
    .audio_dir = ESP_PEER_MEDIA_DIR_NONE,
    .video_dir = ESP_PEER_MEDIA_DIR_NONE,
    .enable_data_channel = true,
    .extra_cfg = &extra,
    .extra_size = sizeof(extra),
    .ctx = peer,
    .on_state = on_state,
    .on_msg = on_msg,
    .on_channel_open = on_channel_open,
    .on_data = on_data,
    .on_channel_close = on_channel_close,
  };
  rc = stack_status(peer, esp_peer_open(&peer_cfg, esp_peer_get_default_impl(), &peer->handle));
  if (rc != WRTC_OK) {
    release(peer);
    return rc;
  }
  if (xTaskCreate(peer_task, "webrtc", WEBRTC_TASK_STACK_BYTES, peer, WEBRTC_TASK_PRIORITY,
                  &peer->task) != pdPASS) {
    esp_peer_close(peer->handle);
    release(peer);
    return WRTC_ERR_NO_MEM;
  }
  *out = peer;
  return WRTC_OK;
}

static int checked(webrtc_peer_t *peer, int (*check)(const wrtc_session_state_t *)) {
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  int rc = check(&peer->sm);
  xSemaphoreGive(peer->session_lock);
  return rc;
}

int webrtc_peer_create_offer(webrtc_peer_t *peer) {
  int rc = checked(peer, wrtc_sm_check_create_offer);
  if (rc != WRTC_OK) {
    return rc;
  }
  xSemaphoreTake(peer->peer_lock, portMAX_DELAY);
  rc = stack_status(peer, esp_peer_new_connection(peer->handle));
  xSemaphoreGive(peer->peer_lock);
  if (rc == WRTC_OK) {
    xSemaphoreTake(peer->session_lock, portMAX_DELAY);
    wrtc_sm_mark_offer_created(&peer->sm);
    xSemaphoreGive(peer->session_lock);
  }
  return rc;
}

int webrtc_peer_set_remote_sdp(webrtc_peer_t *peer, const char *sdp, size_t len, const char **why) {
  int rc = checked(peer, wrtc_sm_check_set_remote_sdp);
  if (rc != WRTC_OK) {
    return rc;
  }
  rc = wrtc_sdp_check_remote(sdp, len, why);
  if (rc != WRTC_OK) {
    return rc;
  }
  esp_peer_msg_t msg = { .type = ESP_PEER_MSG_TYPE_SDP, .data = (uint8_t *)sdp, .size = (int)len };
  xSemaphoreTake(peer->peer_lock, portMAX_DELAY);
  if (peer->sm.role == WRTC_ROLE_CONTROLLED) {
    // The answering side starts gathering when the offer arrives.
    rc = stack_status(peer, esp_peer_new_connection(peer->handle));
  }
  if (rc == WRTC_OK) {
    rc = stack_status(peer, esp_peer_send_msg(peer->handle, &msg));
  }
  xSemaphoreGive(peer->peer_lock);
  if (rc == WRTC_OK) {
    xSemaphoreTake(peer->session_lock, portMAX_DELAY);
    wrtc_sm_mark_remote_sdp(&peer->sm);
    xSemaphoreGive(peer->session_lock);
  }
  return rc;
}

int webrtc_peer_add_candidate(webrtc_peer_t *peer, const char *candidate, size_t len) {
  int rc = checked(peer, wrtc_sm_check_add_candidate);
  if (rc != WRTC_OK || len == 0) {
    return rc; // '' ends remote candidates: esp_peer needs no notice of that
  }
  esp_peer_msg_t msg = {
    .type = ESP_PEER_MSG_TYPE_CANDIDATE, .data = (uint8_t *)candidate, .size = (int)len,
  };
  xSemaphoreTake(peer->peer_lock, portMAX_DELAY);
  rc = stack_status(peer, esp_peer_send_msg(peer->handle, &msg));
  xSemaphoreGive(peer->peer_lock);
  return rc;
}

int webrtc_peer_send(webrtc_peer_t *peer, const uint8_t *data, size_t len, bool text) {
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  int rc = wrtc_sm_check_send(&peer->sm, len, peer->send_buffer);
  uint16_t stream_id = peer->stream_id;
  xSemaphoreGive(peer->session_lock);
  if (rc != WRTC_OK) {
    return rc;
  }
  esp_peer_data_frame_t frame = {
    .type = text ? ESP_PEER_DATA_CHANNEL_STRING : ESP_PEER_DATA_CHANNEL_DATA,
    .stream_id = stream_id,
    .data = (uint8_t *)data,
    .size = (int)len,
  };
  xSemaphoreTake(peer->peer_lock, portMAX_DELAY);
  rc = stack_status(peer, esp_peer_send_data(peer->handle, &frame));
  xSemaphoreGive(peer->peer_lock);
  return rc;
}

int webrtc_peer_state(webrtc_peer_t *peer) {
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  int state = (int)peer->sm.state;
  xSemaphoreGive(peer->session_lock);
  return state;
}

int webrtc_peer_fingerprint(webrtc_peer_t *peer, char *out, size_t out_size) {
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  int rc = peer->local_sdp != NULL ? wrtc_sdp_fingerprint(peer->local_sdp, out, out_size)
                                   : WRTC_ERR_NOT_CONNECTED;
  xSemaphoreGive(peer->session_lock);
  return rc;
}

int webrtc_peer_last_stack_error(webrtc_peer_t *peer) {
  return peer->last_stack_error;
}

wrtc_event_queue_t *webrtc_peer_events(webrtc_peer_t *peer) {
  return &peer->events;
}

wrtc_role_t webrtc_peer_role(webrtc_peer_t *peer) {
  return peer->sm.role; // set once at open, never changed
}

static void stop_task(webrtc_peer_t *peer) {
  if (peer->task_stopped) {
    return;
  }
  peer->task_stopped = true;
  __atomic_store_n(&peer->stopping, true, __ATOMIC_RELEASE);
  if (xSemaphoreTake(peer->task_exited, pdMS_TO_TICKS(5000)) != pdTRUE) {
    ESP_LOGE(TAG, "peer task did not stop; closing anyway");
  }
}

void webrtc_peer_close(webrtc_peer_t *peer) {
  if (peer->closed) {
    return;
  }
  peer->closed = true;
  xSemaphoreTake(peer->session_lock, portMAX_DELAY);
  wrtc_sm_close(&peer->sm); // from here on, callbacks cannot queue new states
  xSemaphoreGive(peer->session_lock);
  stop_task(peer);
  xSemaphoreTake(peer->peer_lock, portMAX_DELAY);
  esp_peer_close(peer->handle);
  peer->handle = NULL;
  xSemaphoreGive(peer->peer_lock);
  queue_event(peer, WRTC_EVENT_STATE, WRTC_STATE_CLOSED, NULL, 0);
}

void webrtc_peer_free(webrtc_peer_t *peer) {
  if (peer == NULL) {
    return;
  }
  // Called from the Python object's finaliser: the object is being collected, so nothing may
  // schedule it again. With the task stopped, clearing wakeup cannot race.
  stop_task(peer);
  peer->wakeup = NULL;
  webrtc_peer_close(peer);
  release(peer);
}
