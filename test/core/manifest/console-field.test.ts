import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ManifestError, parseManifest } from "../../../src/core/manifest";

const schema = JSON.parse(readFileSync(join(__dirname, "../../../public/manifest.schema.json"), "utf8")) as object;
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

const withConsole = (console: unknown) => ({
  name: "pyDirect",
  builds: [{ chipFamily: "ESP32-S3", console, parts: [{ path: "a.bin", offset: 0 }] }],
});

describe("the build's console field", () => {
  it("takes one connector or a list, first the one to use, and the schema agrees", () => {
    expect(parseManifest(withConsole("uart")).manifest.builds[0].console).toEqual(["uart"]);
    expect(parseManifest(withConsole(["usb-cdc", "uart"])).manifest.builds[0].console).toEqual(["usb-cdc", "uart"]);
    expect(validateSchema(withConsole("usb-serial-jtag"))).toBe(true);
    expect(validateSchema(withConsole(["usb-cdc", "uart"]))).toBe(true);
  });

  it("is absent when the manifest does not say", () => {
    const { manifest } = parseManifest({
      name: "x",
      builds: [{ chipFamily: "ESP32", parts: [{ path: "a", offset: 0 }] }],
    });
    expect(manifest.builds[0].console).toBeUndefined();
  });

  it("refuses an unknown connector with the field's path, as the schema does", () => {
    for (const bad of ["usb", [], ["uart", "jtag"], 3]) {
      expect(validateSchema(withConsole(bad))).toBe(false);
      let err: unknown;
      try {
        parseManifest(withConsole(bad));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ManifestError);
      expect((err as ManifestError).issues).toContainEqual(
        expect.objectContaining({ path: "/builds/0/console", severity: "error" }),
      );
    }
  });
});
