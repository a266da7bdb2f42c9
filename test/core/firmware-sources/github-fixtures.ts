/**
 * Releases-API answers in the shape GitHub returns them (GET /repos/{owner}/{repo}/releases):
 * the full release and asset objects, with `digest` only on assets uploaded since GitHub began
 * computing it (older assets have none).
 */
import { sha256Hex } from "../../../src/core/image";
import { demoParts, makeDemoApp } from "../../../scripts/lib/demo-firmware";

let nextId = 180_000_000;

export interface AssetSpec {
  name: string;
  data?: Uint8Array;
  size?: number;
  /** false: an older asset without a digest. */
  digest?: boolean;
}

export function githubAsset(repo: string, tag: string, spec: AssetSpec, apiBase: string) {
  const id = nextId++;
  const size = spec.data?.length ?? spec.size ?? 1_234_567;
  return {
    url: `${apiBase}/repos/${repo}/releases/assets/${id}`,
    id,
    node_id: `RA_kwDOJ${id.toString(36)}`,
    name: spec.name,
    label: "",
    uploader: { login: "github-actions[bot]", id: 41898282, type: "Bot", site_admin: false },
    content_type: "application/octet-stream",
    state: "uploaded",
    size,
    ...(spec.digest !== false && spec.data ? { digest: `sha256:${sha256Hex(spec.data)}` } : {}),
    download_count: 17,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:05Z",
    browser_download_url: `https://github.com/${repo}/releases/download/${tag}/${spec.name}`,
  };
}

export interface ReleaseSpec {
  tag: string;
  prerelease?: boolean;
  draft?: boolean;
  body?: string | null;
  publishedAt?: string | null;
  assets: AssetSpec[];
}

export function githubRelease(repo: string, spec: ReleaseSpec, apiBase: string) {
  const id = nextId++;
  return {
    url: `${apiBase}/repos/${repo}/releases/${id}`,
    assets_url: `${apiBase}/repos/${repo}/releases/${id}/assets`,
    upload_url: `https://uploads.github.com/repos/${repo}/releases/${id}/assets{?name,label}`,
    html_url: `https://github.com/${repo}/releases/tag/${spec.tag}`,
    id,
    author: { login: "github-actions[bot]", id: 41898282, type: "Bot", site_admin: false },
    node_id: `RE_kwDOJ${id.toString(36)}`,
    tag_name: spec.tag,
    target_commitish: "main",
    name: `pyDirect ${spec.tag}`,
    draft: spec.draft ?? false,
    immutable: false,
    prerelease: spec.prerelease ?? false,
    created_at: "2026-11-20T09:58:00Z",
    updated_at: "2026-11-20T10:00:06Z",
    published_at: spec.draft ? null : (spec.publishedAt ?? "2026-11-20T10:00:06Z"),
    assets: spec.assets.map((a) => githubAsset(repo, spec.tag, a, apiBase)),
    tarball_url: `${apiBase}/repos/${repo}/tarball/${spec.tag}`,
    zipball_url: `${apiBase}/repos/${repo}/zipball/${spec.tag}`,
    body: spec.body === undefined ? `## pyDirect ${spec.tag}\n\nBuilt from MicroPython.` : spec.body,
  };
}

/** The S3 demo parts laid into one image written at 0x0, over erased flash, as esptool merge_bin does. */
export function mergedS3Image(version = "0.1.0"): Uint8Array {
  const parts = demoParts("ESP32-S3").map((p) =>
    p.path.endsWith("pydirect.bin") ? { ...p, data: makeDemoApp("ESP32-S3", { version }) } : p,
  );
  const end = Math.max(...parts.map((p) => p.offset + p.data.length));
  const image = new Uint8Array(end).fill(0xff);
  for (const p of parts) image.set(p.data, p.offset);
  return image;
}

/** 403 as GitHub sends it when the unauthenticated limit (60 an hour) is used up. */
export function rateLimitedAnswer(resetEpochSeconds: number) {
  return {
    status: 403,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "60",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(resetEpochSeconds),
      "x-ratelimit-used": "60",
      "x-ratelimit-resource": "core",
    },
    body: JSON.stringify({
      message: "API rate limit exceeded for 127.0.0.1.",
      documentation_url: "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
    }),
  };
}
