/* Host stand-in for FreeRTOS mutexes: only the calls the webrtc core makes. */
#pragma once

#include "freertos/FreeRTOS.h"

typedef struct wrtc_host_mutex *SemaphoreHandle_t;

SemaphoreHandle_t xSemaphoreCreateMutex(void);
/* Only portMAX_DELAY is supported: the core never polls a mutex. */
BaseType_t xSemaphoreTake(SemaphoreHandle_t mutex, TickType_t ticks);
BaseType_t xSemaphoreGive(SemaphoreHandle_t mutex);
void vSemaphoreDelete(SemaphoreHandle_t mutex);

/* Test hook: makes the next n mutex creations fail, as on a device out of heap. */
void wrtc_host_fail_next_mutex_creations(int n);
