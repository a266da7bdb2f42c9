import { generateDeviceCertificate } from "../../../src/core/provision/certificate";
import { createSerialTransport, type ReplExec } from "../../../src/core/signaling/serial-transport";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyDevice, type VerifyEvent, type VerifyRequest } from "../../../src/core/verify";

export interface Provisioned {
  certPem: string;
  keyPem: string;
  fingerprint: string;
  hostname: string;
}

export async function provisionedIdentity(hostname = "pyDirect-5a3c01"): Promise<Provisioned> {
  const cert = await generateDeviceCertificate({ hostname });
  return { certPem: cert.certificatePem, keyPem: cert.privateKeyPem.reveal(), fingerprint: cert.fingerprint, hostname };
}

/** verifyDevice over serial signaling to `device` (raw-REPL calls), the portal on werift. */
export function verifySerially(
  device: ReplExec,
  certificatePem: string,
  more: Partial<VerifyRequest> = {},
  onEvent?: (e: VerifyEvent) => void,
) {
  return verifyDevice(
    { transport: createSerialTransport(device), backend: weriftPeerBackend, certificatePem, ...more },
    onEvent,
  );
}
