/**
 * The board's provisioned key and certificate, used synchronously as the C module does: `sign()`
 * returns its signature before the Python call returns, so WebCrypto (async only) cannot serve.
 */
import { p256 } from "@noble/curves/nist";
import { sha256 } from "@noble/hashes/sha2.js";

export function pemBody(pem: string, label: string): Uint8Array | null {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) return null;
  const text = atob(m[1].replace(/\s+/g, ""));
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * The 32-byte P-256 scalar of a PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM: both wrap
 * `ECPrivateKey ::= SEQUENCE { version INTEGER 1, privateKey OCTET STRING (32) … }`.
 */
export function p256ScalarFromPem(pem: string): Uint8Array | null {
  const der = pemBody(pem, "PRIVATE KEY") ?? pemBody(pem, "EC PRIVATE KEY");
  if (!der) return null;
  const marker = [0x02, 0x01, 0x01, 0x04, 0x20];
  for (let i = 0; i + marker.length + 32 <= der.length; i++) {
    if (marker.every((b, j) => der[i + j] === b)) return der.slice(i + marker.length, i + marker.length + 32);
  }
  return null;
}

/** "sha-256 AB:CD:…" of a PEM certificate, the SDP `a=fingerprint` form. */
export function certificateFingerprintSync(certPem: string): string | null {
  const der = pemBody(certPem, "CERTIFICATE");
  if (!der) return null;
  return "sha-256 " + Array.from(sha256(der), (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** ECDSA P-256 over SHA-256(message), DER encoded, as mbedTLS's `mbedtls_pk_sign` returns it. */
export function signDer(scalar: Uint8Array, message: Uint8Array): Uint8Array {
  return p256.sign(sha256(message), scalar).toBytes("der");
}
