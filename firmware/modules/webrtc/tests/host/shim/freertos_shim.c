#include <pthread.h>
#include <stdlib.h>

#include "freertos/semphr.h"

struct wrtc_host_mutex {
  pthread_mutex_t mutex;
};

static int failures_left;

void wrtc_host_fail_next_mutex_creations(int n) {
  failures_left = n;
}

SemaphoreHandle_t xSemaphoreCreateMutex(void) {
  if (failures_left > 0) {
    failures_left--;
    return NULL;
  }
  SemaphoreHandle_t m = malloc(sizeof(*m));
  if (m == NULL) {
    return NULL;
  }
  if (pthread_mutex_init(&m->mutex, NULL) != 0) {
    free(m);
    return NULL;
  }
  return m;
}

BaseType_t xSemaphoreTake(SemaphoreHandle_t mutex, TickType_t ticks) {
  if (ticks != portMAX_DELAY) {
    abort();
  }
  return pthread_mutex_lock(&mutex->mutex) == 0 ? pdTRUE : pdFALSE;
}

BaseType_t xSemaphoreGive(SemaphoreHandle_t mutex) {
  return pthread_mutex_unlock(&mutex->mutex) == 0 ? pdTRUE : pdFALSE;
}

void vSemaphoreDelete(SemaphoreHandle_t mutex) {
  pthread_mutex_destroy(&mutex->mutex);
  free(mutex);
}
