/**
 * The firmware sources the portal page lists, from its attributes (kept apart from
 * pydirect-portal.ts, which wires the session, the line and the inventory).
 */
import type { PortProvider } from "../core/port/port-provider";
import type { DeviceRegistry } from "../core/registry/device-record";
import type { PortalJobs } from "../core/session/jobs";
import type { PortalSession } from "../core/session/portal-session";
import type { FirmwareSourceInput } from "../core/session/session-types";
import { createFirmwareChoiceMemory } from "./app-services";

/** The demo firmware's manifest (virtual board only), relative to the page. */
export const DEMO_MANIFEST = "./firmware/demo/manifest.json";

/** The portal element's attributes that name firmware. */
export interface PortalSourceOptions {
  /** The page's manifest attribute (`?manifest=`); the demo's, or empty, when nothing is linked. */
  manifest: string;
  releaseIndex: string;
  pydirectRepo: string;
  releasesApi: string;
  firmwareMirror: string;
  extraSources: FirmwareSourceInput[];
}

/**
 * One list: a linked manifest (first and the default, when the page has one), the demo (virtual
 * board only), this portal's releases, pyDirect's releases, files, and a typed URL.
 */
export function portalFirmwareSources(
  o: PortalSourceOptions,
  baseUri: string,
): {
  sources: FirmwareSourceInput[];
  preferred: string | null;
} {
  const abs = (url: string) => new URL(url, baseUri).href;
  const demo = abs(DEMO_MANIFEST);
  const manifest = abs(o.manifest || DEMO_MANIFEST);
  const linked = manifest !== demo;
  const sources: FirmwareSourceInput[] = [
    ...(linked ? [{ label: `Linked firmware (${new URL(manifest).host})`, manifestUrl: manifest }] : []),
    { label: "pyDirect demo firmware (virtual board only)", manifestUrl: demo, virtualBoardOnly: true },
    ...(o.releaseIndex
      ? [{ kind: "portal-releases" as const, label: "This portal's releases", indexUrl: abs(o.releaseIndex) }]
      : []),
    {
      kind: "pydirect-releases",
      label: "pyDirect releases",
      ...(o.pydirectRepo ? { repo: o.pydirectRepo } : {}),
      ...(o.releasesApi ? { apiBase: o.releasesApi } : {}),
      ...(o.firmwareMirror ? { mirrorBase: abs(o.firmwareMirror) } : {}),
    },
    { kind: "local-files", label: "Files from this computer" },
    { kind: "typed-url", label: "A manifest URL" },
    ...o.extraSources,
  ];
  return { sources, preferred: linked ? manifest : null };
}

/**
 * The portal page's session, made once its core has loaded: the page paints without it (the
 * session's code is not in the first bundle), and Connect appears when it is in.
 */
export async function loadPortalSession(
  o: PortalSourceOptions,
  deps: { jobs: PortalJobs; ports: PortProvider; registry: DeviceRegistry | null },
): Promise<PortalSession> {
  const { PortalSession } = await import("../core/session/portal-session");
  const memory = createFirmwareChoiceMemory();
  const { sources, preferred } = portalFirmwareSources(o, document.baseURI);
  return new PortalSession({
    jobs: deps.jobs,
    sources,
    ports: deps.ports,
    ...(preferred ? { preferredSource: preferred } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(memory ? { memory } : {}),
  });
}
