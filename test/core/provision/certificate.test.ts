import { createPrivateKey, X509Certificate, createHash } from "node:crypto";
import { createServer } from "node:https";
import { connect } from "node:tls";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  generateDeviceCertificate,
  MAX_VALIDITY_DAYS,
  pemCertificateFingerprint,
  validateIpAddress,
} from "../../../src/core/provision";

describe("device certificate", () => {
  it("is a self-signed ECDSA P-256 X.509 v3 server certificate with the pyDirect names", async () => {
    const cert = await generateDeviceCertificate({ hostname: "pyDirect-5a3c01" });
    const x = new X509Certificate(cert.certificatePem);
    expect(x.subject).toBe("CN=pyDirect-5a3c01");
    expect(x.issuer).toBe(x.subject);
    expect(x.subjectAltName).toBe("DNS:pyDirect-5a3c01.local, DNS:pyDirect-5a3c01");
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // Node lists the extended key usage here: serverAuth
    expect(x.publicKey.asymmetricKeyType).toBe("ec");
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkHost("pyDirect-5a3c01.local")).toBe("pyDirect-5a3c01.local");
    // Random, positive, 16 bytes.
    expect(x.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(x.serialNumber).not.toBe((await generateDeviceCertificate({ hostname: "a" })).serialNumber.toUpperCase());
    // Fingerprint is SHA-256 over DER, colon hex, as Node computes it.
    expect(cert.fingerprint).toBe(x.fingerprint256);
    expect(cert.fingerprint).toBe(
      createHash("sha256").update(x.raw).digest("hex").toUpperCase().match(/../g)!.join(":"),
    );
    expect(await pemCertificateFingerprint(cert.certificatePem)).toBe(cert.fingerprint);
  });

  it("marks basicConstraints critical, keyUsage digitalSignature only", async () => {
    const cert = await generateDeviceCertificate({ hostname: "board" });
    const text = new X509Certificate(cert.certificatePem).toLegacyObject();
    expect(text.ext_key_usage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    const {
      X509Certificate: PeculiarCert,
      BasicConstraintsExtension,
      KeyUsagesExtension,
      KeyUsageFlags,
    } = await import("@peculiar/x509");
    const pc = new PeculiarCert(cert.certificatePem);
    const bc = pc.getExtension(BasicConstraintsExtension)!;
    expect(bc.critical).toBe(true);
    expect(bc.ca).toBe(false);
    const ku = pc.getExtension(KeyUsagesExtension)!;
    expect(ku.usages).toBe(KeyUsageFlags.digitalSignature);
    const { AsnConvert } = await import("@peculiar/asn1-schema");
    const { Certificate } = await import("@peculiar/asn1-x509");
    expect(AsnConvert.parse(pc.rawData, Certificate).tbsCertificate.version).toBe(2); // v3 is encoded as 2
  });

  it("adds the board's IP to the SAN on re-provision", async () => {
    const cert = await generateDeviceCertificate({ hostname: "lab-7", ipAddress: "192.168.4.23" });
    expect(new X509Certificate(cert.certificatePem).subjectAltName).toBe(
      "DNS:lab-7.local, DNS:lab-7, IP Address:192.168.4.23",
    );
  });

  it("limits validity to 397 days and refuses more", async () => {
    const now = new Date("2026-11-25T04:00:00Z");
    const cert = await generateDeviceCertificate({ hostname: "b", now });
    const x = new X509Certificate(cert.certificatePem);
    const days = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000;
    expect(days).toBe(MAX_VALIDITY_DAYS);
    expect(Date.parse(x.validFrom)).toBeLessThanOrEqual(now.getTime());
    const short = await generateDeviceCertificate({ hostname: "b", validityDays: 30, now });
    expect(short.notAfter.getTime() - short.notBefore.getTime()).toBe(30 * 86_400_000);
    for (const bad of [398, 3650, 0, -1, 1.5, Number.NaN]) {
      await expect(generateDeviceCertificate({ hostname: "b", validityDays: bad })).rejects.toMatchObject({
        code: "invalid-validity",
        field: "validityDays",
        action: "fix-input",
      });
    }
  });

  it("takes IPv4 and IPv6 addresses for the SAN and refuses anything else with the field named", async () => {
    for (const ip of [
      "192.168.4.23",
      "10.0.0.1",
      "0.0.0.0",
      "fe80::1",
      "::1",
      "2001:db8:0:0:0:0:0:1",
      "::ffff:192.0.2.1",
    ]) {
      expect(validateIpAddress(ip)).toBe(ip);
    }
    const v6 = await generateDeviceCertificate({ hostname: "lab-7", ipAddress: "fe80::1" });
    expect(new X509Certificate(v6.certificatePem).subjectAltName).toBe(
      "DNS:lab-7.local, DNS:lab-7, IP Address:FE80:0:0:0:0:0:0:1",
    );
    for (const bad of [
      "",
      "192.168.4",
      "192.168.4.256",
      "192.168.04.1",
      "board.local",
      "1.2.3.4.5",
      "fe80:::1",
      "1::2::3",
      "12345::1",
      "1:2:3:4:5:6:7",
      " 10.0.0.1",
    ]) {
      await expect(generateDeviceCertificate({ hostname: "lab-7", ipAddress: bad }), bad).rejects.toMatchObject({
        code: "invalid-ip-address",
        field: "ipAddress",
        action: "fix-input",
      });
    }
  });

  it("refuses a hostname that is not a DNS label, as the CN and SAN need one", async () => {
    for (const bad of ["", "has space", "dots.inside", "-edge", "x".repeat(64)]) {
      await expect(generateDeviceCertificate({ hostname: bad }), bad).rejects.toMatchObject({
        code: "invalid-hostname",
        field: "hostname",
      });
    }
  });

  it("gives a PKCS#8 key that Node's crypto loads and that matches the certificate", async () => {
    const cert = await generateDeviceCertificate({ hostname: "pyDirect-000001" });
    const pem = cert.privateKeyPem.reveal();
    expect(pem.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe("ec");
    expect(new X509Certificate(cert.certificatePem).checkPrivateKey(key)).toBe(true);
  });

  it("serves TLS from a Node https server with the pair, trusted by a client pinning the certificate", async () => {
    const cert = await generateDeviceCertificate({ hostname: "pyDirect-abcdef" });
    const server = createServer({ key: cert.privateKeyPem.reveal(), cert: cert.certificatePem }, (_req, res) =>
      res.end("ok"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const peer = await new Promise<string>((resolve, reject) => {
        const socket = connect(
          { host: "127.0.0.1", port, servername: "pyDirect-abcdef.local", ca: cert.certificatePem },
          () => {
            const fp = socket.getPeerX509Certificate()?.fingerprint256 ?? "";
            socket.end();
            resolve(fp);
          },
        );
        socket.on("error", reject);
      });
      expect(peer).toBe(cert.fingerprint);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("never shows the private key when stringified, logged or serialised", async () => {
    const cert = await generateDeviceCertificate({ hostname: "x" });
    const body = cert.privateKeyPem.reveal().split("\n")[1];
    for (const shown of [
      JSON.stringify(cert),
      String(cert.privateKeyPem),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- interpolation is what is under test
      `${cert.privateKeyPem}`,
      inspect(cert, { depth: 5 }),
    ]) {
      expect(shown).not.toContain(body);
      expect(shown).not.toContain("PRIVATE KEY");
    }
  });
});
