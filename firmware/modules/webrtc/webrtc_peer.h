/*
 * The esp_peer side of the `webrtc` module: one peer connection, the FreeRTOS task that
 * runs esp_peer's main loop, and the callbacks that turn esp_peer events into queued
 * wrtc_event_t records. Nothing here touches MicroPython objects: the binding
 * (modwebrtc.c) drains the queue on the MicroPython thread.
 *
 * ESP-IDF only; the logic it relies on lives in core/ and is host-tested.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/wrtc_event_queue.h"
#include "core/wrtc_ice.h"
#include "core/wrtc_state.h"

typedef struct webrtc_peer webrtc_peer_t;

typedef struct {
  wrtc_role_t role;
  size_t send_buffer;
  size_t recv_buffer;
  const wrtc_ice_server_t *servers; /* copied by esp_peer_open's caller contract: kept until free */
  size_t n_servers;
  /* Called on esp_peer's task when queued events need the MicroPython thread; returns false
   * when the wake-up could not be arranged (the next event will ask again). */
  bool (*wakeup)(void *arg);
  void *wakeup_arg;
} webrtc_peer_config_t;

/* Queue depth: SDP, a handful of candidates and states per connection, plus messages. */
#define WEBRTC_EVENT_SLOTS 32
#define WEBRTC_TASK_STACK_BYTES (12 * 1024)
#define WEBRTC_TASK_PRIORITY 5
#define WEBRTC_LOOP_INTERVAL_MS 10

/* All return wrtc_status_t values. */
int webrtc_peer_open(const webrtc_peer_config_t *cfg, webrtc_peer_t **out);
int webrtc_peer_create_offer(webrtc_peer_t *peer);
int webrtc_peer_set_remote_sdp(webrtc_peer_t *peer, const char *sdp, size_t len, const char **why);
int webrtc_peer_add_candidate(webrtc_peer_t *peer, const char *candidate, size_t len);
int webrtc_peer_send(webrtc_peer_t *peer, const uint8_t *data, size_t len, bool text);
int webrtc_peer_state(webrtc_peer_t *peer);
int webrtc_peer_fingerprint(webrtc_peer_t *peer, char *out, size_t out_size);
/* The esp_peer_err_t behind the last WRTC_ERR_STACK, for the exception message. */
int webrtc_peer_last_stack_error(webrtc_peer_t *peer);
wrtc_event_queue_t *webrtc_peer_events(webrtc_peer_t *peer);
wrtc_role_t webrtc_peer_role(webrtc_peer_t *peer);

/* Stops the task and closes the connection; queues STATE_CLOSED. Safe to call twice. */
void webrtc_peer_close(webrtc_peer_t *peer);
/* Stops callbacks and wake-ups, closes if needed, then releases everything. For finalisers:
 * it never calls back into the binding. */
void webrtc_peer_free(webrtc_peer_t *peer);
