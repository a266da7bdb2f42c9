/* Unix-harness stand-in for the FreeRTOS API that webrtc_peer.c and the core use (pthreads). */
#pragma once

#include <stdint.h>

typedef int32_t BaseType_t;
typedef uint32_t TickType_t;
typedef uint32_t UBaseType_t;

#define pdTRUE ((BaseType_t)1)
#define pdFALSE ((BaseType_t)0)
#define pdPASS pdTRUE
#define portMAX_DELAY ((TickType_t)0xffffffffu)
/* One tick per millisecond, as on ESP-IDF's default CONFIG_FREERTOS_HZ=1000. */
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
