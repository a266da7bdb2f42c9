#include "wrtc_event_queue.h"

#include <stdlib.h>
#include <string.h>

#include "wrtc_status.h"

int wrtc_event_queue_init(wrtc_event_queue_t *q, size_t capacity, size_t data_byte_budget) {
  if (q == NULL || capacity <= WRTC_EVENT_QUEUE_CONTROL_RESERVE) {
    return WRTC_ERR_INVALID_ARG;
  }
  memset(q, 0, sizeof(*q));
  q->slots = calloc(capacity, sizeof(wrtc_event_t));
  if (q->slots == NULL) {
    return WRTC_ERR_NO_MEM;
  }
  q->lock = xSemaphoreCreateMutex();
  if (q->lock == NULL) {
    free(q->slots);
    q->slots = NULL;
    return WRTC_ERR_NO_MEM;
  }
  q->capacity = capacity;
  q->data_byte_budget = data_byte_budget;
  return WRTC_OK;
}

void wrtc_event_queue_deinit(wrtc_event_queue_t *q) {
  if (q == NULL || q->slots == NULL) {
    return;
  }
  wrtc_event_t ev;
  while (wrtc_event_queue_pop(q, &ev) == WRTC_OK) {
    wrtc_event_release(&ev);
  }
  vSemaphoreDelete(q->lock);
  free(q->slots);
  memset(q, 0, sizeof(*q));
}

static bool is_text_kind(wrtc_event_kind_t kind) {
  return kind == WRTC_EVENT_LOCAL_SDP || kind == WRTC_EVENT_ICE_CANDIDATE;
}

int wrtc_event_queue_push(wrtc_event_queue_t *q, wrtc_event_kind_t kind, int state,
                          const void *payload, size_t size, bool *needs_wakeup) {
  if (needs_wakeup != NULL) {
    *needs_wakeup = false;
  }
  if (q == NULL || q->slots == NULL || (size > 0 && payload == NULL)) {
    return WRTC_ERR_INVALID_ARG;
  }
  if (kind < WRTC_EVENT_STATE || kind > WRTC_EVENT_DATA) {
    return WRTC_ERR_INVALID_ARG;
  }

  // Allocate outside the lock: malloc may be slow and the consumer should not wait on it.
  uint8_t *copy = NULL;
  bool text = is_text_kind(kind);
  if (size > 0 || text) {
    copy = malloc(size + (text ? 1 : 0));
    if (copy == NULL) {
      xSemaphoreTake(q->lock, portMAX_DELAY);
      q->dropped++;
      xSemaphoreGive(q->lock);
      return WRTC_ERR_NO_MEM;
    }
    if (size > 0) {
      memcpy(copy, payload, size);
    }
    if (text) {
      copy[size] = '\0';
    }
  }

  int result = WRTC_OK;
  xSemaphoreTake(q->lock, portMAX_DELAY);
  if (kind == WRTC_EVENT_DATA) {
    if (q->count >= q->capacity - WRTC_EVENT_QUEUE_CONTROL_RESERVE ||
        size > q->data_byte_budget - q->data_bytes_queued) {
      result = WRTC_ERR_FULL;
    }
  } else if (q->count >= q->capacity) {
    result = WRTC_ERR_FULL;
  }
  if (result == WRTC_OK) {
    wrtc_event_t *slot = &q->slots[(q->head + q->count) % q->capacity];
    slot->kind = kind;
    slot->state = state;
    slot->payload = copy;
    slot->size = size;
    q->count++;
    if (kind == WRTC_EVENT_DATA) {
      q->data_bytes_queued += size;
    }
    if (!q->wakeup_pending) {
      q->wakeup_pending = true;
      if (needs_wakeup != NULL) {
        *needs_wakeup = true;
      }
    }
  } else {
    q->dropped++;
  }
  xSemaphoreGive(q->lock);

  if (result != WRTC_OK) {
    free(copy);
  }
  return result;
}

void wrtc_event_queue_begin_drain(wrtc_event_queue_t *q) {
  xSemaphoreTake(q->lock, portMAX_DELAY);
  q->wakeup_pending = false;
  xSemaphoreGive(q->lock);
}

void wrtc_event_queue_cancel_wakeup(wrtc_event_queue_t *q) {
  wrtc_event_queue_begin_drain(q);
}

int wrtc_event_queue_pop(wrtc_event_queue_t *q, wrtc_event_t *out) {
  if (q == NULL || q->slots == NULL || out == NULL) {
    return WRTC_ERR_INVALID_ARG;
  }
  int result = WRTC_ERR_EMPTY;
  xSemaphoreTake(q->lock, portMAX_DELAY);
  if (q->count > 0) {
    wrtc_event_t *slot = &q->slots[q->head];
    *out = *slot;
    memset(slot, 0, sizeof(*slot));
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    if (out->kind == WRTC_EVENT_DATA) {
      q->data_bytes_queued -= out->size;
    }
    result = WRTC_OK;
  }
  xSemaphoreGive(q->lock);
  return result;
}

size_t wrtc_event_queue_count(wrtc_event_queue_t *q) {
  xSemaphoreTake(q->lock, portMAX_DELAY);
  size_t count = q->count;
  xSemaphoreGive(q->lock);
  return count;
}

uint32_t wrtc_event_queue_dropped(wrtc_event_queue_t *q) {
  xSemaphoreTake(q->lock, portMAX_DELAY);
  uint32_t dropped = q->dropped;
  xSemaphoreGive(q->lock);
  return dropped;
}

void wrtc_event_release(wrtc_event_t *ev) {
  if (ev == NULL) {
    return;
  }
  free(ev->payload);
  ev->payload = NULL;
  ev->size = 0;
}
