/*
 * Proof of identity for the portal: esp_peer generates its own DTLS certificate and offers
 * no way to supply one, so the board proves it holds the provisioned key by signing the
 * portal's nonce (ECDSA P-256 over SHA-256, DER) with /certs/prvtkey.pem. ESP-IDF only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbedtls/pk.h"

typedef struct {
  mbedtls_pk_context key;
  bool loaded;
} webrtc_signer_t;

/* Max DER size of a P-256 ECDSA signature. */
#define WEBRTC_SIGNATURE_MAX 72

void webrtc_signer_init(webrtc_signer_t *signer);
/*
 * Parses the PEM key (and, when given, checks that the PEM certificate carries the matching
 * public key). wrtc_status_t result; *why explains a failure without quoting the key.
 */
int webrtc_signer_load(webrtc_signer_t *signer, const char *key_pem, size_t key_len,
                       const char *cert_pem, size_t cert_len, const char **why);
int webrtc_signer_sign(webrtc_signer_t *signer, const uint8_t *message, size_t len,
                       uint8_t *signature, size_t *signature_len);
/* Zeroes the key material. */
void webrtc_signer_free(webrtc_signer_t *signer);
