/* FreeRTOS semaphores and tasks on pthreads, for running the webrtc module in unix MicroPython. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "esp_random.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

struct harness_semaphore {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  bool available;
};

static SemaphoreHandle_t create(bool available) {
  SemaphoreHandle_t s = calloc(1, sizeof(*s));
  if (s == NULL) return NULL;
  pthread_mutex_init(&s->mutex, NULL);
  pthread_cond_init(&s->cond, NULL);
  s->available = available;
  return s;
}

SemaphoreHandle_t xSemaphoreCreateMutex(void) { return create(true); }
SemaphoreHandle_t xSemaphoreCreateBinary(void) { return create(false); }

BaseType_t xSemaphoreTake(SemaphoreHandle_t s, TickType_t ticks) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += ticks / 1000;
  deadline.tv_nsec += (long)(ticks % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&s->mutex);
  int rc = 0;
  while (!s->available && rc != ETIMEDOUT) {
    rc = ticks == portMAX_DELAY ? pthread_cond_wait(&s->cond, &s->mutex)
                                : pthread_cond_timedwait(&s->cond, &s->mutex, &deadline);
  }
  bool taken = s->available;
  s->available = false;
  pthread_mutex_unlock(&s->mutex);
  return taken ? pdTRUE : pdFALSE;
}

BaseType_t xSemaphoreGive(SemaphoreHandle_t s) {
  pthread_mutex_lock(&s->mutex);
  s->available = true;
  pthread_cond_signal(&s->cond);
  pthread_mutex_unlock(&s->mutex);
  return pdTRUE;
}

void vSemaphoreDelete(SemaphoreHandle_t s) {
  pthread_cond_destroy(&s->cond);
  pthread_mutex_destroy(&s->mutex);
  free(s);
}

typedef struct {
  TaskFunction_t fn;
  void *arg;
} start_t;

static void *trampoline(void *p) {
  start_t start = *(start_t *)p;
  free(p);
  start.fn(start.arg);
  return NULL;
}

BaseType_t xTaskCreate(TaskFunction_t fn, const char *name, uint32_t stack_bytes, void *arg,
                       UBaseType_t priority, TaskHandle_t *handle) {
  (void)name;
  (void)stack_bytes;
  (void)priority;
  start_t *start = malloc(sizeof(*start));
  if (start == NULL) return pdFALSE;
  start->fn = fn;
  start->arg = arg;
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&thread, &attr, trampoline, start);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    free(start);
    return pdFALSE;
  }
  if (handle != NULL) *handle = (TaskHandle_t)(uintptr_t)1;
  return pdPASS;
}

void vTaskDelay(TickType_t ticks) { usleep((useconds_t)ticks * 1000u); }

void vTaskDelete(TaskHandle_t task) {
  if (task == NULL) pthread_exit(NULL);
}

void esp_fill_random(void *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom((char *)buf + done, len - done, 0);
    if (n > 0) done += (size_t)n;
  }
}
