/**
 * Certificate fingerprints without an X.509 parser: the SHA-256 of the DER bytes, which is all a
 * fingerprint is, so code that only compares what a board presents need not load @peculiar/x509.
 */

/** The DER bytes inside a PEM block (its base64 body). */
export function pemDer(pem: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}

/** SHA-256 over DER, "AB:CD:…" (the form Chrome and Firefox certificate viewers show). */
export async function certificateFingerprint(der: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}
