/**
 * Checks that the board holds the private key of the certificate the portal provisioned: either its
 * DTLS certificate is that certificate (the handshake already proved the key), or it signs a fresh
 * nonce that verifies against the certificate's public key with WebCrypto.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { VerifyError } from "./errors";
import { PROOF_CONTEXT } from "./device-channel";

/**
 * How the board showed it holds the key: its DTLS certificate, a signed nonce, or (firmware whose
 * DataChannel has no verification protocol) the HTTPS certificate signaling went to, pinned by the
 * portal (Node) or trusted by the user in the browser's trust step.
 */
export type KeyProof = "dtls-certificate" | "nonce-signature" | "https-certificate" | "trusted-https-certificate";

export interface ParsedCertificate {
  /** "AB:CD:…" SHA-256 of the DER. */
  fingerprint: string;
  publicKey: CryptoKey;
  subject: string;
}

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

export async function parseCertificate(pem: string): Promise<ParsedCertificate> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(pem);
  } catch (err) {
    throw new VerifyError(
      "bad-certificate",
      "The provisioned certificate could not be read as a PEM X.509 certificate; provision the board again.",
      { cause: err },
    );
  }
  const der = new Uint8Array(cert.rawData);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", der));
  let publicKey: CryptoKey;
  try {
    publicKey = await globalThis.crypto.subtle.importKey("spki", cert.publicKey.rawData, ECDSA_P256, false, ["verify"]);
  } catch (err) {
    throw new VerifyError(
      "bad-certificate",
      "The provisioned certificate does not hold an ECDSA P-256 key; provision the board again.",
      { cause: err },
    );
  }
  return { fingerprint: colonHex(digest), publicKey, subject: cert.subject };
}

export function colonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** "sha-256 AB:…" (SDP form) and "AB:…" (record form) compare equal when the digests match. */
export function sameFingerprint(sdpForm: string | null, recordForm: string): boolean {
  if (!sdpForm) return false;
  const fields = sdpForm.trim().split(/\s+/);
  const algorithm = fields.at(0);
  const value = fields.at(1);
  return algorithm?.toLowerCase() === "sha-256" && value?.toUpperCase() === recordForm.toUpperCase();
}

export async function verifyNonceSignature(
  publicKey: CryptoKey,
  nonce: Uint8Array,
  derSignature: Uint8Array,
): Promise<boolean> {
  const raw = ecdsaDerToRaw(derSignature, 32);
  if (!raw) return false;
  const message = new Uint8Array([...new TextEncoder().encode(PROOF_CONTEXT), ...nonce]);
  return globalThis.crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, raw, message);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → r‖s, each left-padded to `size` bytes; null when malformed. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | null {
  let i = 0;
  if (der[i++] !== 0x30) return null;
  let seqLen = der.at(i++);
  if (seqLen === undefined) return null;
  if (seqLen & 0x80) {
    if (seqLen !== 0x81) return null;
    seqLen = der.at(i++);
    if (seqLen === undefined) return null;
  }
  if (i + seqLen !== der.length) return null;
  const out = new Uint8Array(size * 2);
  for (let part = 0; part < 2; part++) {
    if (der[i++] !== 0x02) return null;
    const len = der.at(i++);
    if (len === undefined || len === 0 || i + len > der.length) return null;
    let value = der.subarray(i, i + len);
    i += len;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) return null;
    out.set(value, part * size + (size - value.length));
  }
  return i === der.length ? out : null;
}

/** r‖s → DER, as mbedTLS and the virtual board's `sign()` produce it. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (v: Uint8Array) => {
    let start = 0;
    while (start < v.length - 1 && v[start] === 0) start++;
    const trimmed = v.subarray(start);
    const body = trimmed[0] & 0x80 ? new Uint8Array([0, ...trimmed]) : trimmed;
    return new Uint8Array([0x02, body.length, ...body]);
  };
  const r = integer(raw.subarray(0, half));
  const s = integer(raw.subarray(half));
  return new Uint8Array([0x30, r.length + s.length, ...r, ...s]);
}
