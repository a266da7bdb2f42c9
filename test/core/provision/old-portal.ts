/**
 * A deliberately faithful miniature of what pyDirect's previous single-page flasher did, kept as
 * a test fixture so our tests can show, on the same virtual board, what it gets wrong:
 * - Wi-Fi settings pasted into Python source between single quotes;
 * - a 10-year RSA-2048 certificate made in pure JavaScript with node-forge;
 * - nothing read back after writing.
 * Never used by the product.
 */
import forge from "node-forge";

/** The old flasher's settings snippet: values spliced straight into source text. */
export function oldPortalWifiSnippet(ssid: string, password: string): string {
  return (
    "from lib.sys import settings\n" +
    `settings.set('wifi.ssid', '${ssid}')\n` +
    `settings.set('wifi.password', '${password}')\n` +
    "settings.save()\n"
  );
}

/** The old flasher's certificate: RSA-2048, 10 years, pure JS (as in a browser). */
export function oldPortalCertificate(hostname: string): { certPem: string; keyPem: string } {
  // As in a browser: no native RSA key generation to fall back on.
  (forge as unknown as { options: { usePureJavaScript: boolean } }).options.usePureJavaScript = true;
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date();
  cert.validity.notAfter.setFullYear(cert.validity.notBefore.getFullYear() + 10);
  const attrs = [{ name: "commonName", value: hostname }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: hostname },
        { type: 2, value: `*.${hostname}` },
      ],
    },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
