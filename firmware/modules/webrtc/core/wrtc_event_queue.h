/*
 * Bounded queue carrying esp_peer callbacks (which run on esp_peer's task) to the
 * MicroPython thread. Payloads are copied with malloc, never with the MicroPython GC
 * heap, because the GC must not be touched off the MicroPython thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"

typedef enum {
  WRTC_EVENT_STATE = 1,     /* `state` holds an esp_peer_state_t value */
  WRTC_EVENT_LOCAL_SDP,     /* payload: local offer or answer, NUL-terminated */
  WRTC_EVENT_ICE_CANDIDATE, /* payload: candidate value, NUL-terminated; "" ends gathering */
  WRTC_EVENT_DATA,          /* payload: one DataChannel message */
} wrtc_event_kind_t;

typedef struct {
  wrtc_event_kind_t kind;
  int state;
  uint8_t *payload; /* owned by whoever holds the event; release with wrtc_event_release */
  size_t size;
} wrtc_event_t;

/* Slots kept free of DATA events so that a flood of messages cannot starve state changes. */
#define WRTC_EVENT_QUEUE_CONTROL_RESERVE 4

typedef struct {
  SemaphoreHandle_t lock;
  wrtc_event_t *slots;
  size_t capacity;
  size_t head;
  size_t count;
  size_t data_byte_budget; /* the peer's recv_buffer: bytes of DATA payload queued at most */
  size_t data_bytes_queued;
  uint32_t dropped;
  bool wakeup_pending;
} wrtc_event_queue_t;

/* capacity must exceed WRTC_EVENT_QUEUE_CONTROL_RESERVE. */
int wrtc_event_queue_init(wrtc_event_queue_t *q, size_t capacity, size_t data_byte_budget);
/* Frees the payloads still queued. */
void wrtc_event_queue_deinit(wrtc_event_queue_t *q);

/*
 * Copies payload. On success *needs_wakeup says whether the consumer must be woken
 * (true once per drain cycle, so the binding schedules at most one pending dispatch).
 * WRTC_ERR_FULL / WRTC_ERR_NO_MEM: nothing queued, the drop counter is incremented.
 */
int wrtc_event_queue_push(wrtc_event_queue_t *q, wrtc_event_kind_t kind, int state,
                          const void *payload, size_t size, bool *needs_wakeup);

/* Consumer side: call before draining, then pop until WRTC_ERR_EMPTY. */
void wrtc_event_queue_begin_drain(wrtc_event_queue_t *q);
int wrtc_event_queue_pop(wrtc_event_queue_t *q, wrtc_event_t *out);
/* When waking the consumer failed, so the next push tries again. */
void wrtc_event_queue_cancel_wakeup(wrtc_event_queue_t *q);

size_t wrtc_event_queue_count(wrtc_event_queue_t *q);
uint32_t wrtc_event_queue_dropped(wrtc_event_queue_t *q);

void wrtc_event_release(wrtc_event_t *ev);
