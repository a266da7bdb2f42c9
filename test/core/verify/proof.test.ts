import { describe, expect, it } from "vitest";
import { p256 } from "@noble/curves/nist";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  PROOF_CONTEXT,
  ecdsaDerToRaw,
  ecdsaRawToDer,
  parseCertificate,
  sameFingerprint,
  verifyNonceSignature,
} from "../../../src/core/verify";
import { p256ScalarFromPem, signDer, certificateFingerprintSync } from "../../../src/virtual-board/webrtc/device-key";
import { provisionedIdentity } from "./fixtures";

describe("key proof", () => {
  it("verifies a board signature over context + nonce with WebCrypto, and nothing else", async () => {
    const id = await provisionedIdentity();
    const cert = await parseCertificate(id.certPem);
    expect(cert.fingerprint).toBe(id.fingerprint);
    const scalar = p256ScalarFromPem(id.keyPem)!;
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const good = signDer(scalar, new Uint8Array([...new TextEncoder().encode(PROOF_CONTEXT), ...nonce]));
    expect(await verifyNonceSignature(cert.publicKey, nonce, good)).toBe(true);
    // A signature over the bare nonce (no context) must not pass.
    expect(await verifyNonceSignature(cert.publicKey, nonce, signDer(scalar, nonce))).toBe(false);
    // Another key must not pass.
    const other = await provisionedIdentity();
    const bad = signDer(
      p256ScalarFromPem(other.keyPem)!,
      new Uint8Array([...new TextEncoder().encode(PROOF_CONTEXT), ...nonce]),
    );
    expect(await verifyNonceSignature(cert.publicKey, nonce, bad)).toBe(false);
    expect(await verifyNonceSignature(cert.publicKey, nonce, new Uint8Array([0x30, 0x02, 0x02, 0x00]))).toBe(false);
  });

  it("converts ECDSA signatures between DER and r||s both ways", () => {
    for (let i = 0; i < 50; i++) {
      const sig = p256.sign(sha256(new Uint8Array([i])), p256.utils.randomSecretKey());
      const raw = sig.toBytes("compact");
      expect(ecdsaRawToDer(raw)).toEqual(sig.toBytes("der"));
      expect(ecdsaDerToRaw(sig.toBytes("der"), 32)).toEqual(raw);
    }
    expect(ecdsaDerToRaw(new Uint8Array([0x31, 0]), 32)).toBeNull();
  });

  it("compares SDP and record fingerprint forms", async () => {
    const id = await provisionedIdentity();
    expect(certificateFingerprintSync(id.certPem)).toBe(`sha-256 ${id.fingerprint}`);
    expect(sameFingerprint(`sha-256 ${id.fingerprint.toLowerCase()}`, id.fingerprint)).toBe(true);
    expect(sameFingerprint(`sha-1 ${id.fingerprint}`, id.fingerprint)).toBe(false);
    expect(sameFingerprint(null, id.fingerprint)).toBe(false);
  });
});
