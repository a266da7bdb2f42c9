/*
 * Shadows MicroPython's ports/unix/mbedtls/mbedtls_config_port.h (this shim directory comes first
 * on the include path): the same settings, plus PEM parsing, which ESP-IDF's default mbedTLS
 * configuration has and webrtc_sign.c needs.
 */
#ifndef MICROPY_INCLUDED_MBEDTLS_CONFIG_H
#define MICROPY_INCLUDED_MBEDTLS_CONFIG_H

#define MBEDTLS_CIPHER_MODE_CTR
#define MBEDTLS_TIMING_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

#include "extmod/mbedtls/mbedtls_config_common.h"

#endif
