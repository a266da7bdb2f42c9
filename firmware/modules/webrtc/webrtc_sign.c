#include "webrtc_sign.h"

#include <stdlib.h>
#include <string.h>

#include "esp_random.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/sha256.h"
#include "mbedtls/x509_crt.h"

#include "core/wrtc_status.h"

/* mbedTLS wants an RNG for key checks and ECDSA blinding; the chip's RNG serves. */
static int hardware_rng(void *ctx, unsigned char *out, size_t len) {
  (void)ctx;
  esp_fill_random(out, len);
  return 0;
}

static int fail(const char **why, const char *text, int code) {
  if (why != NULL) {
    *why = text;
  }
  return code;
}

/* mbedTLS parses PEM only from a NUL-terminated buffer whose length includes the NUL. */
static unsigned char *terminated_copy(const char *text, size_t len) {
  unsigned char *copy = malloc(len + 1);
  if (copy != NULL) {
    memcpy(copy, text, len);
    copy[len] = '\0';
  }
  return copy;
}

void webrtc_signer_init(webrtc_signer_t *signer) {
  mbedtls_pk_init(&signer->key);
  signer->loaded = false;
}

int webrtc_signer_load(webrtc_signer_t *signer, const char *key_pem, size_t key_len,
                       const char *cert_pem, size_t cert_len, const char **why) {
  unsigned char *key_copy = terminated_copy(key_pem, key_len);
  if (key_copy == NULL) {
    return fail(why, "out of memory reading the key", WRTC_ERR_NO_MEM);
  }
  int err = mbedtls_pk_parse_key(&signer->key, key_copy, key_len + 1, NULL, 0, hardware_rng, NULL);
  mbedtls_platform_zeroize(key_copy, key_len + 1);
  free(key_copy);
  if (err != 0) {
    mbedtls_pk_free(&signer->key);
    mbedtls_pk_init(&signer->key);
    return fail(why, "key is not a PEM private key (expected /certs/prvtkey.pem)", WRTC_ERR_PARSE);
  }
  if (mbedtls_pk_get_type(&signer->key) != MBEDTLS_PK_ECKEY ||
      mbedtls_pk_get_bitlen(&signer->key) != 256) {
    webrtc_signer_free(signer);
    return fail(why, "key must be an ECDSA P-256 private key", WRTC_ERR_PARSE);
  }
  if (cert_pem != NULL) {
    unsigned char *cert_copy = terminated_copy(cert_pem, cert_len);
    if (cert_copy == NULL) {
      webrtc_signer_free(signer);
      return fail(why, "out of memory reading the certificate", WRTC_ERR_NO_MEM);
    }
    mbedtls_x509_crt cert;
    mbedtls_x509_crt_init(&cert);
    err = mbedtls_x509_crt_parse(&cert, cert_copy, cert_len + 1);
    free(cert_copy);
    const char *problem = NULL;
    if (err != 0) {
      problem = "cert is not a PEM certificate (expected /certs/servercert.pem)";
    } else if (mbedtls_pk_check_pair(&cert.pk, &signer->key, hardware_rng, NULL) != 0) {
      problem = "cert and key do not belong together: the certificate holds another public key";
    }
    mbedtls_x509_crt_free(&cert);
    if (problem != NULL) {
      webrtc_signer_free(signer);
      return fail(why, problem, WRTC_ERR_PARSE);
    }
  }
  signer->loaded = true;
  return WRTC_OK;
}

int webrtc_signer_sign(webrtc_signer_t *signer, const uint8_t *message, size_t len,
                       uint8_t *signature, size_t *signature_len) {
  if (!signer->loaded) {
    return WRTC_ERR_STATE;
  }
  unsigned char hash[32];
  if (mbedtls_sha256(message, len, hash, 0) != 0) {
    return WRTC_ERR_STACK;
  }
  int err = mbedtls_pk_sign(&signer->key, MBEDTLS_MD_SHA256, hash, sizeof hash, signature,
                            WEBRTC_SIGNATURE_MAX, signature_len, hardware_rng, NULL);
  return err == 0 ? WRTC_OK : (err == MBEDTLS_ERR_PK_ALLOC_FAILED ? WRTC_ERR_NO_MEM : WRTC_ERR_STACK);
}

void webrtc_signer_free(webrtc_signer_t *signer) {
  mbedtls_pk_free(&signer->key); // mbedtls_pk_free zeroizes the key context
  mbedtls_pk_init(&signer->key);
  signer->loaded = false;
}
