// @peculiar/x509 resolves its ASN.1 providers through tsyringe, which needs the Reflect metadata API
// in place before it loads; this import must stay first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { ProvisionError } from "./errors";
import { certificateFingerprint } from "./fingerprint";
import { validateHostname } from "./identity";
import { SecretText } from "./secret";

/** Browsers refuse server certificates valid for longer than this (CA/Browser Forum, Apple, Chrome). */
export const MAX_VALIDITY_DAYS = 397;
export const DEFAULT_VALIDITY_DAYS = 397;
/** Backdate a little so a board whose clock (or NTP) lags a few minutes accepts the certificate. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;

export interface DeviceCertificateRequest {
  hostname: string;
  /** Added to the SAN when known (on re-provision, once the board has an address). */
  ipAddress?: string;
  validityDays?: number;
  /** Start of validity; defaults to now. */
  now?: Date;
}

export interface DeviceCertificate {
  /** PEM "CERTIFICATE", what the board serves and the browser pins. */
  certificatePem: string;
  /**
   * PKCS#8 "PRIVATE KEY" PEM. Goes to the device over serial and nowhere else; wrapped so that it
   * cannot end up in JSON, logs or template strings by accident.
   */
  privateKeyPem: SecretText;
  /** SHA-256 of the certificate DER, upper-case colon hex (as browsers show it). */
  fingerprint: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  subjectAltNames: string[];
}

/**
 * A fresh ECDSA P-256 key pair and a self-signed X.509 v3 server certificate for one board.
 *
 * The key is PKCS#8: it is what WebCrypto exports natively (no hand-made ASN.1), and mbedTLS's
 * `mbedtls_pk_parse_key` (which the firmware's HTTPS server and MicroPython's `ssl` use) reads
 * unencrypted PKCS#8 EC keys as readily as SEC1 ones. After the one export the key object is
 * dropped; only the PEM inside a `SecretText` leaves this function.
 */
export async function generateDeviceCertificate(request: DeviceCertificateRequest): Promise<DeviceCertificate> {
  const validityDays = validateValidityDays(request.validityDays ?? DEFAULT_VALIDITY_DAYS);
  const hostname = validateHostname(request.hostname);
  if (request.ipAddress !== undefined) validateIpAddress(request.ipAddress);
  const crypto = globalThis.crypto;
  const keys = await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  const now = request.now ?? new Date();
  const notBefore = new Date(Math.floor((now.getTime() - CLOCK_SKEW_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + validityDays * DAY_MS);
  const altNames: x509.JsonGeneralName[] = [
    { type: "dns", value: `${hostname}.local` },
    { type: "dns", value: hostname },
  ];
  if (request.ipAddress) altNames.push({ type: "ip", value: request.ipAddress });
  const serialNumber = randomPositiveSerial();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber,
      name: [{ CN: [hostname] }],
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(altNames, false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  const privateKeyPem = new SecretText(toPem(new Uint8Array(pkcs8), "PRIVATE KEY"));
  new Uint8Array(pkcs8).fill(0);
  return {
    certificatePem: cert.toString("pem").replace(/\r\n/g, "\n") + "\n",
    privateKeyPem,
    fingerprint: await certificateFingerprint(new Uint8Array(cert.rawData)),
    serialNumber,
    notBefore,
    notAfter,
    subjectAltNames: altNames.map((n) => n.value),
  };
}

/** 1–397 whole days; anything else is refused rather than clamped, so the user sees why. */
export function validateValidityDays(validityDays: number): number {
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new ProvisionError(
      "invalid-validity",
      `Certificate validity must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS} (browsers reject longer server certificates); got ${String(validityDays)}.`,
      { field: "validityDays", reason: "out-of-range" },
    );
  }
  return validityDays;
}

/**
 * An IPv4 dotted quad or an IPv6 address, as it goes into the certificate's SAN. The X.509
 * library encodes whatever it is given, so a typo would otherwise yield a certificate no browser
 * matches.
 */
export function validateIpAddress(ipAddress: string): string {
  if (isIPv4(ipAddress) || isIPv6(ipAddress)) return ipAddress;
  throw new ProvisionError(
    "invalid-ip-address",
    `"${ipAddress}" is not an IP address; enter the board's address like 192.168.4.23 (or an IPv6 address), or leave it empty.`,
    { field: "ipAddress", reason: "malformed" },
  );
}

function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(text: string): boolean {
  const halves = text.split("::");
  if (halves.length > 2) return false;
  let slots = 0;
  for (const [i, half] of halves.entries()) {
    if (half.length === 0) continue;
    const groups = half.split(":");
    const last = groups[groups.length - 1];
    // An IPv4 tail (::ffff:192.0.2.1) fills two 16-bit groups; only at the very end.
    if (i === halves.length - 1 && last.includes(".")) {
      if (!isIPv4(last)) return false;
      groups.pop();
      slots += 2;
    }
    if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
    slots += groups.length;
  }
  return halves.length === 2 ? slots < 8 : slots === 8;
}

export { certificateFingerprint };

/** Fingerprint of a PEM certificate, for re-checking what a board serves against the registry. */
export async function pemCertificateFingerprint(pem: string): Promise<string> {
  return certificateFingerprint(new Uint8Array(new x509.X509Certificate(pem).rawData));
}

/** 16 random bytes, top bit clear (DER INTEGER stays positive) and first byte non-zero (stays 16 bytes). */
function randomPositiveSerial(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0] & 0x7f || 0x01;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function toPem(der: Uint8Array, label: string): string {
  let binary = "";
  for (const b of der) binary += String.fromCharCode(b);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
