import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import {
  ManifestError,
  parseManifest,
  resolvePartUrl,
  selectBuild,
  selectFirmware,
  firmwareChoices,
} from "../../../src/core/manifest";
import { demoManifest } from "../../../scripts/lib/demo-firmware";
import { demoProductManifest, DEMO_PRODUCTS } from "../../../scripts/lib/demo-products";

const FIXTURES = join(__dirname, "../../fixtures/manifests");
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
const schema = JSON.parse(readFileSync(join(__dirname, "../../../public/manifest.schema.json"), "utf8")) as object;
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

function refusal(input: unknown): ManifestError {
  try {
    parseManifest(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return err as ManifestError;
  }
  throw new Error("manifest was accepted");
}

describe("ESP Web Tools manifests from well-known projects", () => {
  it.each(["esphome-web.json", "wled.json", "tasmota.json", "serial-types.json", "pydirect-channels.json"])(
    "%s parses and matches the JSON Schema",
    (name) => {
      const raw = fixture(name);
      const { manifest } = parseManifest(raw);
      expect(manifest.name).toBe((raw as { name: string }).name);
      expect(manifest.choices.length).toBeGreaterThan(0);
      expect(validateSchema(raw)).toBe(true);
    },
  );

  it("normalises offsets written as hex strings and keeps unknown fields", () => {
    const { manifest } = parseManifest(fixture("tasmota.json"));
    expect(manifest.builds[1].parts[0].offset).toBe(0);
    expect(manifest.builds[0]["improv"]).toBe(false);
    const { manifest: sensor } = parseManifest(fixture("serial-types.json"));
    expect(sensor["x-vendor"]).toEqual({ build: 412 });
    const { manifest: py } = parseManifest(fixture("pydirect-channels.json"));
    expect(py.builds[0].parts.map((p) => p.offset)).toEqual([0, 0x8000, 0x10000]);
    expect(py.builds[0].parts[0].sha256).toBe("ab00000000000000000000000000000000000000000000000000000000000001");
    expect(py.builds[0].minChipRevision).toBe(1);
    expect(py.builds[0].flashSize).toBe(4 * 1048576);
  });

  it("warns about the deprecated new_install_skip_erase without refusing it", () => {
    const { manifest, warnings } = parseManifest(fixture("tasmota.json"));
    expect(manifest.new_install_skip_erase).toBe(false);
    expect(warnings.map((w) => w.path)).toContain("/new_install_skip_erase");
  });

  it("accepts manifest text and refuses text that is not JSON", () => {
    expect(parseManifest(readFileSync(join(FIXTURES, "wled.json"), "utf8")).manifest.name).toBe("WLED");
    expect(refusal('{"name": "x", builds: []}').code).toBe("manifest-not-json");
  });
});

describe("build selection", () => {
  const sensor = parseManifest(fixture("serial-types.json")).manifest;
  const sensorChoice = selectFirmware(sensor);

  it("prefers the cdc build on native USB and the fallback build on a UART bridge", () => {
    expect(selectBuild(sensorChoice, { family: "ESP32-S3", usbSerialJtag: true }).parts[0].path).toBe(
      "s3-usb/firmware.factory.bin",
    );
    expect(selectBuild(sensorChoice, { family: "ESP32-S3", usbSerialJtag: false }).parts[0].path).toBe(
      "s3-uart/firmware.factory.bin",
    );
  });

  it("refuses a chip with no build, naming what the manifest supports", () => {
    const err = (() => {
      try {
        selectBuild(sensorChoice, { family: "ESP32" });
      } catch (e) {
        return e as ManifestError;
      }
      throw new Error("selected");
    })();
    expect(err.code).toBe("manifest-no-build");
    expect(err.message).toContain("ESP32-S3 (cdc)");
    expect(() => selectBuild(sensorChoice, { family: "ESP32-C3", usbSerialJtag: true })).toThrow(/native USB/);
  });

  it("checks minimum chip revision and flash size", () => {
    const py = parseManifest(fixture("pydirect-channels.json")).manifest;
    const stable = selectFirmware(py);
    expect(() => selectBuild(stable, { family: "ESP32-S3", revision: 0 })).toThrow(/revision v0.1 or newer/);
    expect(selectBuild(stable, { family: "ESP32-S3", revision: 2, flashSize: 8 * 1048576 }).chipFamily).toBe(
      "ESP32-S3",
    );
    expect(() => selectBuild(stable, { family: "ESP32-S3", flashSize: 2 * 1048576 })).toThrow(/needs 4 MB of flash/);
  });

  it("offers firmware choices by channel and version", () => {
    const py = parseManifest(fixture("pydirect-channels.json")).manifest;
    expect(firmwareChoices(py).map((c) => c.version)).toEqual(["0.2.0", "0.1.0"]);
    expect(firmwareChoices(py, "beta").map((c) => c.version)).toEqual(["0.2.0", "0.3.0-beta.1", "0.1.0"]);
    expect(selectFirmware(py, { version: "0.3.0-beta.1", channel: "beta" }).releaseNotes).toBe(
      "Adds DataChannel reconnects.",
    );
    expect(() => selectFirmware(py, { version: "9.9.9" })).toThrow(/Version 9.9.9 is not in the manifest/);
    const old = selectFirmware(py, { version: "0.1.0" });
    expect(old.name).toBe("pyDirect");
    expect(() => selectBuild(old, { family: "ESP32", revision: 100 })).toThrow(/v3.0/);
  });
});

describe("part paths", () => {
  it("resolve against the manifest URL", () => {
    expect(resolvePartUrl("esp32/app.bin", "https://example.org/fw/manifest.json")).toBe(
      "https://example.org/fw/esp32/app.bin",
    );
    expect(resolvePartUrl("../firmware/t.bin", "https://example.org/install/manifest.json")).toBe(
      "https://example.org/firmware/t.bin",
    );
    expect(resolvePartUrl("https://cdn.example.org/a.bin", "https://example.org/m.json")).toBe(
      "https://cdn.example.org/a.bin",
    );
    expect(resolvePartUrl("a.bin", "/firmware/demo/manifest.json", "https://portal.example/install/")).toBe(
      "https://portal.example/firmware/demo/a.bin",
    );
  });

  it("resolve against the page for blob: and data: manifests", () => {
    const page = "https://portal.example/tools/index.html";
    expect(resolvePartUrl("fw/app.bin", "blob:https://portal.example/1234-5678", page)).toBe(
      "https://portal.example/tools/fw/app.bin",
    );
    expect(resolvePartUrl("app.bin", "data:application/json,{}", page)).toBe("https://portal.example/tools/app.bin");
    expect(() => resolvePartUrl("app.bin", "blob:https://portal.example/1234")).toThrow(ManifestError);
  });
});

const good = () => ({
  name: "Demo",
  version: "1.0",
  builds: [{ chipFamily: "ESP32", parts: [{ path: "a.bin", offset: 0 }] }],
});
type Mutate = (m: ReturnType<typeof good> & Record<string, unknown>) => unknown;
const build0 = (m: ReturnType<typeof good>) => m.builds[0] as Record<string, unknown>;
const part0 = (m: ReturnType<typeof good>) => m.builds[0].parts[0] as Record<string, unknown>;

// Each malformed manifest, and the field the error must point at.
const MALFORMED: [string, Mutate, string, RegExp][] = [
  ["not an object", () => [1, 2], "", /must be a JSON object/],
  ["null", () => null, "", /must be a JSON object, not null/],
  ["name missing", (m) => (delete (m as Partial<typeof m>).name, m), "/name", /is required/],
  ["name empty", (m) => ({ ...m, name: "  " }), "/name", /non-empty string/],
  ["name a number", (m) => ({ ...m, name: 7 }), "/name", /number 7/],
  ["version a number", (m) => ({ ...m, version: 1.2 }), "/version", /must be a string/],
  ["builds missing", (m) => (delete (m as Partial<typeof m>).builds, m), "/builds", /is required/],
  ["builds an object", (m) => ({ ...m, builds: {} }), "/builds", /must be an array/],
  ["builds empty", (m) => ({ ...m, builds: [] }), "/builds", /is empty/],
  ["build a string", (m) => ({ ...m, builds: ["ESP32"] }), "/builds/0", /must be an object/],
  ["chipFamily missing", (m) => (delete build0(m).chipFamily, m), "/builds/0/chipFamily", /is required/],
  [
    "chipFamily lower case",
    (m) => ((build0(m).chipFamily = "esp32s3"), m),
    "/builds/0/chipFamily",
    /did you mean "ESP32-S3"/,
  ],
  ["chipFamily unknown", (m) => ((build0(m).chipFamily = "RP2040"), m), "/builds/0/chipFamily", /not a chip family/],
  ["serialType unknown", (m) => ((build0(m).serialType = "usb"), m), "/builds/0/serialType", /"cdc" or "uart"/],
  ["parts missing", (m) => (delete build0(m).parts, m), "/builds/0/parts", /is required/],
  ["parts empty", (m) => ((build0(m).parts = []), m), "/builds/0/parts", /is empty/],
  ["part a string", (m) => ((build0(m).parts = ["a.bin"]), m), "/builds/0/parts/0", /must be an object/],
  ["path missing", (m) => (delete part0(m).path, m), "/builds/0/parts/0/path", /is required/],
  ["path empty", (m) => ((part0(m).path = ""), m), "/builds/0/parts/0/path", /non-empty/],
  ["offset missing", (m) => (delete part0(m).offset, m), "/builds/0/parts/0/offset", /is required/],
  ["offset negative", (m) => ((part0(m).offset = -4096), m), "/builds/0/parts/0/offset", /non-negative integer/],
  ["offset not a number", (m) => ((part0(m).offset = "sixty"), m), "/builds/0/parts/0/offset", /hex string/],
  ["offset fractional", (m) => ((part0(m).offset = 4096.5), m), "/builds/0/parts/0/offset", /non-negative integer/],
  ["offset off a sector", (m) => ((part0(m).offset = 0x10010), m), "/builds/0/parts/0/offset", /multiple of 0x1000/],
  ["sha256 too short", (m) => ((part0(m).sha256 = "abc123"), m), "/builds/0/parts/0/sha256", /64 hex digits/],
  ["sha256 not hex", (m) => ((part0(m).sha256 = "z".repeat(64)), m), "/builds/0/parts/0/sha256", /64 hex digits/],
  ["size zero", (m) => ((part0(m).size = 0), m), "/builds/0/parts/0/size", /positive whole number/],
  ["size a string", (m) => ((part0(m).size = "1MB"), m), "/builds/0/parts/0/size", /positive whole number/],
  [
    "two parts at one offset",
    (m) => (m.builds[0].parts.push({ path: "b.bin", offset: 0 }), m),
    "/builds/0/parts/1/offset",
    /also the offset of part 0/,
  ],
  [
    "sized parts overlap",
    (m) => (
      (m.builds[0].parts = [{ path: "a.bin", offset: 0, size: 0x9000 } as never, { path: "b.bin", offset: 0x8000 }]),
      m
    ),
    "/builds/0/parts/1/offset",
    /overlaps "a.bin"/,
  ],
  [
    "prompt erase a string",
    (m) => ({ ...m, new_install_prompt_erase: "yes" }),
    "/new_install_prompt_erase",
    /true or false/,
  ],
  [
    "improv wait negative",
    (m) => ({ ...m, new_install_improv_wait_time: -1 }),
    "/new_install_improv_wait_time",
    /0 or more/,
  ],
  ["funding_url not a URL", (m) => ({ ...m, funding_url: "javascript:alert(1)" }), "/funding_url", /http\(s\) URL/],
  ["channel unknown", (m) => ({ ...m, channel: "nightly" }), "/channel", /"stable" or "beta"/],
  [
    "min_chip_revision garbled",
    (m) => ((build0(m).min_chip_revision = "rev3"), m),
    "/builds/0/min_chip_revision",
    /like "v3.0"/,
  ],
  ["flash_size garbled", (m) => ((build0(m).flash_size = "4 gigs"), m), "/builds/0/flash_size", /like "4MB"/],
  ["firmwares empty", (m) => ({ ...m, firmwares: [] }), "/firmwares", /non-empty array/],
  [
    "firmware without version",
    (m) => ({ ...m, firmwares: [{ builds: m.builds }] }),
    "/firmwares/0/version",
    /is required/,
  ],
  [
    "firmware build bad family",
    (m) => ({
      ...m,
      firmwares: [{ version: "2", builds: [{ chipFamily: "ESP33", parts: [{ path: "x", offset: 0 }] }] }],
    }),
    "/firmwares/0/builds/0/chipFamily",
    /not a chip family/,
  ],
];

describe("malformed manifests are refused with the field and the reason", () => {
  it.each(MALFORMED)("%s", (_label, mutate, path, reason) => {
    const err = refusal(mutate(good()));
    expect(err.code).toBe("manifest-invalid");
    const issue = err.issues.find((i) => i.severity === "error" && i.path === path);
    expect(issue, `issues: ${JSON.stringify(err.issues)}`).toBeDefined();
    expect(issue!.message).toMatch(reason);
    expect(err.message).toContain(path || "(root)");
    expect(err.action).toBe("choose-another-firmware");
  });

  it("reports every problem at once, not only the first", () => {
    const err = refusal({
      name: "",
      builds: [
        { chipFamily: "ESP32", parts: [{ path: "", offset: 3 }] },
        { chipFamily: "X", parts: [] },
      ],
    });
    expect(err.issues.filter((i) => i.severity === "error").map((i) => i.path)).toEqual([
      "/name",
      "/builds/0/parts/0/path",
      "/builds/0/parts/0/offset",
      "/builds/1/chipFamily",
      "/builds/1/parts",
    ]);
    expect(err.message).toMatch(/and 2 more/);
  });

  it("the JSON Schema refuses the structural ones too", () => {
    const structural = [
      "name missing",
      "builds empty",
      "chipFamily unknown",
      "serialType unknown",
      "offset negative",
      "offset off a sector",
      "sha256 too short",
      "channel unknown",
      "firmware without version",
    ];
    for (const [label, mutate] of MALFORMED.filter(([l]) => structural.includes(l))) {
      expect(validateSchema(mutate(good() as never)), label).toBe(false);
    }
  });
});

describe("the demo manifests say they are for the virtual board only", () => {
  it("the main demo manifest and every product's: virtual_board_only parsed, and valid against the JSON Schema", () => {
    for (const raw of [demoManifest(), ...DEMO_PRODUCTS.map((p) => demoProductManifest(p))]) {
      expect(validateSchema(raw), JSON.stringify(validateSchema.errors)).toBe(true);
      expect(parseManifest(raw).manifest.virtual_board_only).toBe(true);
    }
    expect(parseManifest(demoManifest()).manifest.builds.map((b) => b.chipFamily)).toEqual([
      "ESP32",
      "ESP32-S3",
      "ESP32-C3",
      "ESP32-P4",
    ]);
    expect(DEMO_PRODUCTS.map((p) => parseManifest(demoProductManifest(p)).manifest.builds[0].flashSize! >> 20)).toEqual(
      [8, 16, 16, 16],
    );
  });

  it("a manifest without the field is for any board; a field that is not a boolean is refused by both", () => {
    expect(parseManifest(fixture("wled.json")).manifest.virtual_board_only).toBeUndefined();
    const bad = { ...demoManifest(), virtual_board_only: "yes" };
    expect(validateSchema(bad)).toBe(false);
    expect(refusal(bad).issues).toContainEqual(
      expect.objectContaining({ path: "/virtual_board_only", severity: "error" }),
    );
  });
});
