#define _GNU_SOURCE
/*
 * A scripted, in-process esp_peer for running the webrtc module in unix MicroPython: it behaves
 * like esp_peer with a cooperative browser on the other side. main_loop delivers one pending
 * event per call, from the loop's own thread, as the real library does.
 *   - new_connection: NEW_CONNECTION; a controlling peer then reports its offer.
 *   - remote SDP: a controlled peer reports its answer; then PAIRING … CONNECTED and the
 *     channel opens (or CONNECT_FAILED if the SDP carries "a=x-fake-fail").
 *   - send_data: echoed back as received data; the text "__close__" makes the remote close
 *     the channel.
 */
#include <stdlib.h>
#include <string.h>

#include "esp_peer.h"
#include "esp_peer_default.h"

enum action_kind { ACT_STATE, ACT_SDP, ACT_OPEN, ACT_CLOSE_CHANNEL, ACT_DATA };

typedef struct action {
  enum action_kind kind;
  int state;
  uint8_t *data;
  int size;
  esp_peer_data_channel_type_t type;
  struct action *next;
} action_t;

typedef struct {
  esp_peer_cfg_t cfg;
  uint32_t send_cache;
  action_t *head;
  action_t *tail;
} fake_peer_t;

static const char local_sdp[] =
  "v=0\r\n"
  "o=- 7331 2 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:fake\r\n"
  "a=ice-pwd:fakefakefakefakefakefake\r\n"
  "a=fingerprint:sha-256 0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9\r\n"
  "a=setup:actpass\r\n"
  "a=sctp-port:5000\r\n"
  "a=candidate:1 1 udp 2130706431 192.168.4.1 50000 typ host\r\n"
  "a=candidate:2 1 udp 1694498815 203.0.113.5 50000 typ srflx raddr 192.168.4.1 rport 50000\r\n";

static struct esp_peer_ops {
  int unused;
} default_impl;

const esp_peer_ops_t *esp_peer_get_default_impl(void) {
  return &default_impl;
}

static int push(fake_peer_t *p, enum action_kind kind, int state, const void *data, int size,
                esp_peer_data_channel_type_t type) {
  action_t *a = calloc(1, sizeof(*a));
  if (a == NULL) return ESP_PEER_ERR_NO_MEM;
  a->kind = kind;
  a->state = state;
  a->type = type;
  if (size > 0) {
    a->data = malloc((size_t)size);
    if (a->data == NULL) {
      free(a);
      return ESP_PEER_ERR_NO_MEM;
    }
    memcpy(a->data, data, (size_t)size);
    a->size = size;
  }
  if (p->tail) p->tail->next = a; else p->head = a;
  p->tail = a;
  return ESP_PEER_ERR_NONE;
}

int esp_peer_open(esp_peer_cfg_t *cfg, const esp_peer_ops_t *ops, esp_peer_handle_t *peer) {
  if (cfg == NULL || ops == NULL || peer == NULL || !cfg->enable_data_channel) {
    return ESP_PEER_ERR_INVALID_ARG;
  }
  fake_peer_t *p = calloc(1, sizeof(*p));
  if (p == NULL) return ESP_PEER_ERR_NO_MEM;
  p->cfg = *cfg;
  const esp_peer_default_cfg_t *extra = cfg->extra_cfg;
  p->send_cache = extra != NULL && extra->data_ch_cfg.send_cache_size ? extra->data_ch_cfg.send_cache_size : 100 * 1024;
  *peer = p;
  return ESP_PEER_ERR_NONE;
}

int esp_peer_new_connection(esp_peer_handle_t peer) {
  fake_peer_t *p = peer;
  if (p == NULL) return ESP_PEER_ERR_INVALID_ARG;
  push(p, ACT_STATE, ESP_PEER_STATE_NEW_CONNECTION, NULL, 0, 0);
  if (p->cfg.role == ESP_PEER_ROLE_CONTROLLING) {
    push(p, ACT_SDP, 0, local_sdp, (int)strlen(local_sdp), 0);
  }
  return ESP_PEER_ERR_NONE;
}

int esp_peer_send_msg(esp_peer_handle_t peer, esp_peer_msg_t *msg) {
  fake_peer_t *p = peer;
  if (p == NULL || msg == NULL || msg->data == NULL || msg->size <= 0) return ESP_PEER_ERR_INVALID_ARG;
  if (msg->type != ESP_PEER_MSG_TYPE_SDP) return ESP_PEER_ERR_NONE; // candidates: accepted
  if (p->cfg.role == ESP_PEER_ROLE_CONTROLLED) {
    push(p, ACT_SDP, 0, local_sdp, (int)strlen(local_sdp), 0);
  }
  bool fail = memmem(msg->data, (size_t)msg->size, "a=x-fake-fail", 13) != NULL;
  push(p, ACT_STATE, ESP_PEER_STATE_PAIRING, NULL, 0, 0);
  if (fail) {
    push(p, ACT_STATE, ESP_PEER_STATE_CONNECT_FAILED, NULL, 0, 0);
    return ESP_PEER_ERR_NONE;
  }
  static const int path[] = { ESP_PEER_STATE_PAIRED, ESP_PEER_STATE_CONNECTING, ESP_PEER_STATE_CONNECTED,
                              ESP_PEER_STATE_DATA_CHANNEL_CONNECTED };
  for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
    push(p, ACT_STATE, path[i], NULL, 0, 0);
  }
  return push(p, ACT_OPEN, 0, NULL, 0, 0);
}

int esp_peer_send_data(esp_peer_handle_t peer, esp_peer_data_frame_t *frame) {
  fake_peer_t *p = peer;
  if (p == NULL || frame == NULL || frame->size < 0) return ESP_PEER_ERR_INVALID_ARG;
  if ((uint32_t)frame->size > p->send_cache) return ESP_PEER_ERR_WOULD_BLOCK;
  if (frame->size == 9 && memcmp(frame->data, "__close__", 9) == 0) {
    return push(p, ACT_CLOSE_CHANNEL, 0, NULL, 0, 0);
  }
  return push(p, ACT_DATA, 0, frame->data, frame->size, frame->type);
}

int esp_peer_main_loop(esp_peer_handle_t peer) {
  fake_peer_t *p = peer;
  if (p == NULL) return ESP_PEER_ERR_INVALID_ARG;
  action_t *a = p->head;
  if (a == NULL) return ESP_PEER_ERR_NONE;
  p->head = a->next;
  if (p->head == NULL) p->tail = NULL;
  esp_peer_data_channel_info_t ch = { .label = "pydirect", .stream_id = 1 };
  switch (a->kind) {
    case ACT_STATE:
      p->cfg.on_state((esp_peer_state_t)a->state, p->cfg.ctx);
      break;
    case ACT_SDP: {
      esp_peer_msg_t msg = { .type = ESP_PEER_MSG_TYPE_SDP, .data = a->data, .size = a->size };
      p->cfg.on_msg(&msg, p->cfg.ctx);
      break;
    }
    case ACT_OPEN:
      p->cfg.on_channel_open(&ch, p->cfg.ctx);
      break;
    case ACT_CLOSE_CHANNEL:
      p->cfg.on_channel_close(&ch, p->cfg.ctx);
      break;
    case ACT_DATA: {
      esp_peer_data_frame_t frame = { .type = a->type, .stream_id = 1, .data = a->data, .size = a->size };
      p->cfg.on_data(&frame, p->cfg.ctx);
      break;
    }
  }
  free(a->data);
  free(a);
  return ESP_PEER_ERR_NONE;
}

int esp_peer_close(esp_peer_handle_t peer) {
  fake_peer_t *p = peer;
  if (p == NULL) return ESP_PEER_ERR_INVALID_ARG;
  while (p->head != NULL) {
    action_t *a = p->head;
    p->head = a->next;
    free(a->data);
    free(a);
  }
  free(p);
  return ESP_PEER_ERR_NONE;
}

int esp_peer_pre_generate_cert(void) {
  return ESP_PEER_ERR_NONE;
}
