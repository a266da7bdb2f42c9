/**
 * The split PeerBackend the board worker uses: peers made on one side of a message channel run on
 * a real stack (werift here, the page's RTCPeerConnection in a browser) on the other. Every
 * message is structured-cloned on the way, as postMessage does.
 */
import { describe, expect, it } from "vitest";
import type { ChannelHandle, ChannelMessage, PeerHandle } from "../../../src/core/signaling/peer";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import {
  createRemotePeerBackend,
  servePeerBackend,
  type PeerNotice,
  type PeerRequest,
} from "../../../src/virtual-board/webrtc/remote-peer";

/** Two sides joined as postMessage joins a page and a worker: cloned, delivered on a later task. */
function wire() {
  const requests: PeerRequest[] = [];
  const server = servePeerBackend(weriftPeerBackend, (notice: PeerNotice) => {
    const copy = structuredClone(notice);
    setTimeout(() => remote.handle(copy), 0);
  });
  const remote = createRemotePeerBackend({ name: "werift", canChooseCertificate: true }, (request) => {
    requests.push(request);
    const copy = structuredClone(request);
    setTimeout(() => server.handle(copy), 0);
  });
  return { remote, server, requests };
}

function firstMessage(channel: ChannelHandle): Promise<ChannelMessage> {
  return new Promise((resolve) => channel.onMessage(resolve));
}

function opened(channel: ChannelHandle): Promise<void> {
  return channel.readyState === "open" ? Promise.resolve() : new Promise((resolve) => channel.onOpen(resolve));
}

/** Offer from `offerer`, answer from `answerer`, candidates both ways. */
async function connect(offerer: PeerHandle, answerer: PeerHandle): Promise<void> {
  offerer.onIceCandidate((c) => void (c && answerer.addIceCandidate(c).catch(() => undefined)));
  answerer.onIceCandidate((c) => void (c && offerer.addIceCandidate(c).catch(() => undefined)));
  const offer = await offerer.createOffer();
  await answerer.setRemoteDescription("offer", offer);
  const answer = await answerer.createAnswer();
  await offerer.setRemoteDescription("answer", answer);
}

describe("remote peer backend", () => {
  it("runs a worker-side peer on the page's stack: SDP, candidates, states and a DataChannel both ways", async () => {
    const { remote, server, requests } = wire();
    const devicePeer = remote.backend.createPeer({ iceServers: [] });
    const portalPeer = weriftPeerBackend.createPeer({ iceServers: [] });
    const deviceChannel = devicePeer.createDataChannel("pydirect");
    expect(deviceChannel.readyState).toBe("connecting");
    const portalChannel = new Promise<ChannelHandle>((resolve) => portalPeer.onDataChannel(resolve));
    const seenStates: string[] = [];
    devicePeer.onStateChange((s) => seenStates.push(s.connection));

    await connect(devicePeer, portalPeer);
    // The synchronous getters answer from the latest snapshot.
    expect(devicePeer.localSdp()).toMatch(/^v=0\r?\n[\s\S]*m=application /);
    expect(devicePeer.remoteSdp()).toMatch(/^v=0/);

    const channel = await portalChannel;
    await Promise.all([opened(deviceChannel), opened(channel)]);
    expect(deviceChannel.readyState).toBe("open");
    expect(devicePeer.states().connection).toBe("connected");
    expect(seenStates).toContain("connected");

    const atPortal = firstMessage(channel);
    deviceChannel.send("hello from the worker");
    expect(await atPortal).toBe("hello from the worker");
    const atDevice = firstMessage(deviceChannel);
    channel.send(new Uint8Array([0, 255, 7]));
    expect(Array.from((await atDevice) as Uint8Array)).toEqual([0, 255, 7]);

    devicePeer.close();
    expect(requests.at(-1)).toEqual({ kind: "close", peer: 1 });
    server.closeAll();
    portalPeer.close();
  });

  it("answers an offer on the worker side and hands over the channel the other side opened", async () => {
    const { remote, server } = wire();
    const devicePeer = remote.backend.createPeer({ iceServers: [] });
    const portalPeer = weriftPeerBackend.createPeer({ iceServers: [] });
    const portalChannel = portalPeer.createDataChannel("pydirect");
    const deviceChannel = new Promise<ChannelHandle>((resolve) => devicePeer.onDataChannel(resolve));
    await connect(portalPeer, devicePeer);
    const channel = await deviceChannel;
    expect(channel.label).toBe("pydirect");
    await Promise.all([opened(channel), opened(portalChannel)]);
    const echoed = firstMessage(portalChannel);
    channel.onMessage((m) => channel.send(m));
    portalChannel.send("ping");
    expect(await echoed).toBe("ping");
    server.closeAll();
    portalPeer.close();
  });

  it("rejects a call on a peer the page has already closed", async () => {
    const { remote, server, requests } = wire();
    const peer = remote.backend.createPeer();
    await new Promise((r) => setTimeout(r, 20));
    server.closeAll();
    await expect(peer.createOffer()).rejects.toThrow(/peer closed/);
    expect(requests.map((r) => r.kind)).toEqual(["create", "call"]);
  });
});
