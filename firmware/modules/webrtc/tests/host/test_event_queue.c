#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "freertos/semphr.h"
#include "harness.h"
#include "wrtc_event_queue.h"
#include "wrtc_status.h"

TEST(queue_rejects_capacity_not_above_control_reserve) {
  wrtc_event_queue_t q;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, WRTC_EVENT_QUEUE_CONTROL_RESERVE, 1024),
               WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_event_queue_init(NULL, 16, 1024), WRTC_ERR_INVALID_ARG);
}

TEST(queue_reports_mutex_allocation_failure) {
  wrtc_event_queue_t q;
  wrtc_host_fail_next_mutex_creations(1);
  CHECK_EQ_INT(wrtc_event_queue_init(&q, 16, 1024), WRTC_ERR_NO_MEM);
}

TEST(queue_delivers_in_order_with_copied_payloads) {
  wrtc_event_queue_t q;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, 16, 1024), WRTC_OK);
  char sdp[] = "v=0\r\n";
  bool wake = false;
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 2, NULL, 0, &wake), WRTC_OK);
  CHECK(wake);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_LOCAL_SDP, 0, sdp, 5, &wake), WRTC_OK);
  CHECK(!wake); // a wake-up is already pending
  sdp[0] = 'X';   // the queue must hold its own copy
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_ICE_CANDIDATE, 0, "", 0, &wake), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, "\x00\x01\x02", 3, &wake), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_count(&q), 4);

  wrtc_event_t ev;
  CHECK_EQ_INT(wrtc_event_queue_pop(&q, &ev), WRTC_OK);
  CHECK_EQ_INT(ev.kind, WRTC_EVENT_STATE);
  CHECK_EQ_INT(ev.state, 2);
  CHECK(ev.payload == NULL);
  wrtc_event_release(&ev);

  CHECK_EQ_INT(wrtc_event_queue_pop(&q, &ev), WRTC_OK);
  CHECK_EQ_INT(ev.kind, WRTC_EVENT_LOCAL_SDP);
  CHECK_EQ_STR((const char *)ev.payload, "v=0\r\n");
  CHECK_EQ_INT(ev.size, 5);
  wrtc_event_release(&ev);

  CHECK_EQ_INT(wrtc_event_queue_pop(&q, &ev), WRTC_OK);
  CHECK_EQ_INT(ev.kind, WRTC_EVENT_ICE_CANDIDATE);
  CHECK(ev.payload != NULL && ev.payload[0] == '\0'); // end of gathering is an empty string
  wrtc_event_release(&ev);

  CHECK_EQ_INT(wrtc_event_queue_pop(&q, &ev), WRTC_OK);
  CHECK_EQ_INT(ev.kind, WRTC_EVENT_DATA);
  CHECK_EQ_INT(ev.size, 3);
  CHECK(ev.payload[0] == 0 && ev.payload[1] == 1 && ev.payload[2] == 2);
  wrtc_event_release(&ev);

  CHECK_EQ_INT(wrtc_event_queue_pop(&q, &ev), WRTC_ERR_EMPTY);
  wrtc_event_queue_deinit(&q);
}

TEST(queue_rejects_bad_push_arguments) {
  wrtc_event_queue_t q;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, 8, 64), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, NULL, 4, NULL), WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, (wrtc_event_kind_t)99, 0, NULL, 0, NULL),
               WRTC_ERR_INVALID_ARG);
  CHECK_EQ_INT(wrtc_event_queue_count(&q), 0);
  wrtc_event_queue_deinit(&q);
}

TEST(queue_enforces_receive_byte_budget_and_keeps_room_for_state_changes) {
  wrtc_event_queue_t q;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, 8, 100), WRTC_OK);
  uint8_t block[60] = { 0 };
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, block, 60, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, block, 41, NULL), WRTC_ERR_FULL);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, block, 40, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_dropped(&q), 1);
  // The budget is full but a state change still gets through.
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 9, NULL, 0, NULL), WRTC_OK);

  // Popping returns bytes to the budget.
  wrtc_event_t ev;
  CHECK_EQ_INT(wrtc_event_queue_pop(&q, &ev), WRTC_OK);
  wrtc_event_release(&ev);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, block, 60, NULL), WRTC_OK);
  wrtc_event_queue_deinit(&q); // frees what is still queued (ASan checks for leaks)
}

TEST(queue_reserves_slots_for_control_events) {
  wrtc_event_queue_t q;
  const size_t capacity = WRTC_EVENT_QUEUE_CONTROL_RESERVE + 2;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, capacity, 1 << 20), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, "a", 1, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, "b", 1, NULL), WRTC_OK);
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_DATA, 0, "c", 1, NULL), WRTC_ERR_FULL);
  for (size_t i = 0; i < WRTC_EVENT_QUEUE_CONTROL_RESERVE; i++) {
    CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_STATE, (int)i, NULL, 0, NULL), WRTC_OK);
  }
  CHECK_EQ_INT(wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 0, NULL, 0, NULL), WRTC_ERR_FULL);
  CHECK_EQ_INT(wrtc_event_queue_count(&q), capacity);
  CHECK_EQ_INT(wrtc_event_queue_dropped(&q), 2);
  wrtc_event_queue_deinit(&q);
}

TEST(queue_asks_for_one_wakeup_per_drain_cycle) {
  wrtc_event_queue_t q;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, 16, 1024), WRTC_OK);
  bool wake = false;
  wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 1, NULL, 0, &wake);
  CHECK(wake);
  wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 2, NULL, 0, &wake);
  CHECK(!wake);
  wrtc_event_queue_begin_drain(&q);
  wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 3, NULL, 0, &wake);
  CHECK(wake); // pushed after the drain began: the consumer must come back
  wrtc_event_queue_cancel_wakeup(&q);
  wrtc_event_queue_push(&q, WRTC_EVENT_STATE, 4, NULL, 0, &wake);
  CHECK(wake); // scheduling failed earlier, so the next push asks again
  wrtc_event_queue_deinit(&q);
}

/* ---- producer (esp_peer's task) and consumer (MicroPython thread) at once ---- */

#define THREAD_EVENTS 20000

typedef struct {
  wrtc_event_queue_t *q;
  unsigned wakeups;
  unsigned full_retries;
} producer_args_t;

static void *producer(void *arg) {
  producer_args_t *a = arg;
  for (uint32_t seq = 0; seq < THREAD_EVENTS; seq++) {
    bool wake = false;
    int rc;
    // Every 7th event is a state change; the rest carry their sequence number as data.
    for (;;) {
      if (seq % 7 == 0) {
        rc = wrtc_event_queue_push(a->q, WRTC_EVENT_STATE, (int)seq, NULL, 0, &wake);
      } else {
        uint8_t payload[1 + sizeof seq];
        payload[0] = (uint8_t)(seq & 0xff);
        memcpy(payload + 1, &seq, sizeof seq);
        rc = wrtc_event_queue_push(a->q, WRTC_EVENT_DATA, 0, payload, 1 + (seq % 5), &wake);
      }
      if (rc != WRTC_ERR_FULL) {
        break;
      }
      a->full_retries++;
      sched_yield();
    }
    if (rc != WRTC_OK) {
      return (void *)1;
    }
    if (wake) {
      a->wakeups++;
    }
  }
  return NULL;
}

TEST(queue_survives_concurrent_producer_and_consumer) {
  wrtc_event_queue_t q;
  CHECK_EQ_INT(wrtc_event_queue_init(&q, 32, 64), WRTC_OK);
  producer_args_t args = { &q, 0, 0 };
  pthread_t thread;
  CHECK_EQ_INT(pthread_create(&thread, NULL, producer, &args), 0);

  uint32_t expected = 0;
  unsigned drains = 0;
  bool ordered = true;
  while (expected < THREAD_EVENTS) {
    wrtc_event_queue_begin_drain(&q);
    drains++;
    wrtc_event_t ev;
    while (wrtc_event_queue_pop(&q, &ev) == WRTC_OK) {
      if (expected % 7 == 0) {
        ordered = ordered && ev.kind == WRTC_EVENT_STATE && ev.state == (int)expected;
      } else {
        ordered = ordered && ev.kind == WRTC_EVENT_DATA && ev.size == 1 + (expected % 5) &&
                  ev.payload[0] == (uint8_t)(expected & 0xff);
      }
      wrtc_event_release(&ev);
      expected++;
    }
    sched_yield();
  }
  void *result = NULL;
  pthread_join(thread, &result);
  CHECK(result == NULL);
  CHECK(ordered);
  CHECK_EQ_INT(expected, THREAD_EVENTS);
  CHECK_EQ_INT(wrtc_event_queue_count(&q), 0);
  CHECK(args.wakeups >= 1);
  CHECK(args.wakeups <= drains + 1);        // never more wake-ups than drain cycles
  CHECK_EQ_INT(wrtc_event_queue_dropped(&q), args.full_retries);
  wrtc_event_queue_deinit(&q);
}
