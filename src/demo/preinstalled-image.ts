/**
 * The demo image a virtual board model comes flashed with (`VirtualBoardModel.preinstalled`): the
 * parts of the demo firmware's `firmware/demo/<name>/manifest.json` build for the board's chip,
 * fetched from the site as the portal fetches any firmware. Loaded only when such a model is picked.
 */
import type { VirtualBoardModel } from "../virtual-board/board-models";

export interface FlashedPart {
  offset: number;
  data: Uint8Array;
}

interface DemoManifest {
  builds: Array<{ chipFamily: string; parts: Array<{ path: string; offset: number }> }>;
}

/** The parts to write into the board's flash before it first boots; none without `preinstalled`. */
export async function preinstalledImage(
  model: VirtualBoardModel,
  baseUri: string,
  doFetch: typeof fetch = (input, init) => fetch(input, init),
): Promise<FlashedPart[]> {
  if (!model.preinstalled) return [];
  const manifestUrl = new URL(`firmware/demo/${model.preinstalled}/manifest.json`, baseUri);
  const read = async (url: URL): Promise<Response> => {
    const response = await doFetch(url);
    if (!response.ok) throw new Error(`The demo image ${url.href} could not be loaded (HTTP ${response.status}).`);
    return response;
  };
  const manifest = (await (await read(manifestUrl)).json()) as DemoManifest;
  const build = manifest.builds.find((b) => b.chipFamily === model.chip);
  if (!build) throw new Error(`The demo image ${manifestUrl.href} has no build for the ${model.chip}.`);
  return Promise.all(
    build.parts.map(async (part) => ({
      offset: part.offset,
      data: new Uint8Array(await (await read(new URL(part.path, manifestUrl))).arrayBuffer()),
    })),
  );
}
