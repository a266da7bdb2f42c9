/* Host stand-in for the FreeRTOS types the webrtc core uses (pthread-backed, see freertos_shim.c). */
#pragma once

#include <stdint.h>

typedef int32_t BaseType_t;
typedef uint32_t TickType_t;

#define pdTRUE ((BaseType_t)1)
#define pdFALSE ((BaseType_t)0)
#define portMAX_DELAY ((TickType_t)0xffffffffu)
