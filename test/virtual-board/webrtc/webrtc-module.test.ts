/**
 * The virtual `webrtc` module as MicroPython code sees it (firmware/docs/webrtc-api.md): errors,
 * states, callback delivery, and two Python peers talking over werift.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionedIdentity, type Provisioned } from "../../core/verify/fixtures";
import { defaultPeerBackend } from "../../../src/virtual-board/webrtc";
import { startMicroPythonDevice, type MicroPythonDevice } from "./micropython-device";

let device: MicroPythonDevice;
let id: Provisioned;

beforeAll(async () => {
  id = await provisionedIdentity();
  device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem });
  await py(
    "import webrtc, errno\nCERT = open('/certs/servercert.pem').read()\nKEY = open('/certs/prvtkey.pem').read()",
  );
});
afterAll(async () => device.stop());

async function py(code: string): Promise<string> {
  const { stdout, stderr } = await device.exec(code);
  if (stderr) throw new Error(stderr);
  return stdout.trim();
}

async function until(code: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await py(`print(bool(${code}))`)) !== "True") {
    if (Date.now() > end) throw new Error(`timed out waiting for ${code}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Make `offerer` (controlling, with `offererArgs`) and `answerer` in Python, wire their offer and
 * answer to each other, run `wiring` (more callbacks), start, and wait until both channels are open.
 */
async function openPair(offerer: string, answerer: string, offererArgs: string, wiring: string): Promise<void> {
  await py(
    [
      `${offerer} = webrtc.Peer('controlling'${offererArgs})`,
      `${answerer} = webrtc.Peer('controlled')`,
      `${offerer}.on_offer(lambda sdp: ${answerer}.set_remote_sdp(sdp))`,
      `${answerer}.on_answer(lambda sdp: ${offerer}.set_remote_sdp(sdp))`,
      wiring.trim(),
      `${offerer}.create_offer()`,
    ].join("\n"),
  );
  await until(
    `${offerer}.state() == webrtc.STATE_DATA_CHANNEL_OPENED and ${answerer}.state() == webrtc.STATE_DATA_CHANNEL_OPENED`,
  );
}

describe("webrtc module API", () => {
  it("has the esp_peer state values", async () => {
    expect(
      await py(
        "print(webrtc.STATE_CLOSED, webrtc.STATE_CONNECTED, webrtc.STATE_DATA_CHANNEL_OPENED, webrtc.STATE_DATA_CHANNEL_DISCONNECTED)",
      ),
    ).toBe("0 6 9 11");
    expect(await py("print(webrtc.pre_generate_cert())")).toBe("None");
  });

  it("raises the documented exceptions", async () => {
    const out = await py(`
def raises(fn):
    try:
        fn()
        return 'nothing'
    except OSError as e:
        return 'OSError %d' % e.errno
    except ValueError as e:
        return 'ValueError'
p = webrtc.Peer('controlled')
print(raises(lambda: webrtc.Peer('boss')))
print(raises(lambda: webrtc.Peer(key='not a key')))
print(raises(p.create_offer))
print(raises(lambda: p.set_remote_sdp('hello')))
print(raises(lambda: p.add_ice_candidate('x')))
print(raises(lambda: p.send(b'hi')) == 'OSError %d' % errno.ENOTCONN)
print(raises(lambda: p.sign(b'n')))
print(raises(lambda: webrtc.Peer(send_buffer=4, key=KEY, cert=CERT).send('12345')))
p.close()
print(p.state(), raises(lambda: p.send(b'hi')) == 'OSError %d' % errno.EBADF)
`);
    expect(out.split("\n")).toEqual([
      "ValueError",
      "ValueError",
      "ValueError",
      "ValueError",
      "ValueError",
      "True",
      "ValueError",
      "ValueError",
      "0 True",
    ]);
  });

  it("reports the provisioned certificate's fingerprint and signs with its key", async () => {
    const out = await py(
      "p = webrtc.Peer(cert=CERT, key=KEY)\nprint(p.fingerprint())\nprint(p.sign(b'abc')[0] == 0x30)\np.close()",
    );
    expect(out.split("\n")).toEqual([`sha-256 ${id.fingerprint}`, "True"]);
  });

  it("delivers callbacks on their own turn, never inside the call that caused them", async () => {
    const out = await py(`
events = []
p = webrtc.Peer('controlling')
p.on_offer(lambda sdp: events.append('offer'))
p.on_ice_candidate(lambda c: events.append('ice'))
p.create_offer()
print(len(events))
`);
    expect(out).toBe("0");
    await until("'offer' in events");
    expect(await py("print(events.count('offer'), 'ice' in events)\np.close()")).toBe("1 True");
  });

  it("connects two Python peers over werift and carries bytes and text both ways", async () => {
    await openPair(
      "a",
      "b",
      ", cert=CERT, key=KEY",
      `
got_a, got_b, states_a = [], [], []
a.on_ice_candidate(lambda c: b.add_ice_candidate(c))
b.on_ice_candidate(lambda c: a.add_ice_candidate(c))
a.on_state(lambda s: states_a.append(s))
a.on_data(lambda d: got_a.append(d))
b.on_data(lambda d: got_b.append(d))
`,
    );
    await py("a.send(b'\\x00\\xffbinary')\nb.send('text')");
    await until("got_a and got_b");
    const out = await py(
      "print(got_b[0], got_a[0])\nprint(webrtc.STATE_PAIRING in states_a, states_a[-1])\nprint(a.process_queue())",
    );
    expect(out.split("\n")).toEqual(["b'\\x00\\xffbinary' b'text'", "True 9", "0"]);
    await py("a.close()\nb.close()");
  });
});

describe("recv_buffer", () => {
  it("keeps messages larger than recv_buffer away from Python, as the C module's buffer does", async () => {
    await openPair("c", "d", ", recv_buffer=8", "got_c = []\nc.on_data(lambda m: got_c.append(m))");
    await py("d.send(b'x' * 64)\nd.send(b'y' * 4)");
    await until("got_c");
    expect(await py("print(got_c)")).toBe("[b'yyyy']");
    expect(device.console.join("\n")).toMatch(/dropped a 64-byte message, larger than recv_buffer \(8\)/);
    await py("c.close()\nd.close()");
  });
});

describe("backend choice", () => {
  it("uses werift in Node, where there is no RTCPeerConnection", async () => {
    const backend = await defaultPeerBackend();
    expect(backend.name).toBe("werift");
    expect(backend.canChooseCertificate).toBe(true);
  });
});
