// Lint rules for the whole TypeScript tree: typescript-eslint's strict, type-aware set, and Lit's
// rules for the elements in src/ui. `npm run lint` runs this with --max-warnings 0.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { configs as litConfigs } from "eslint-plugin-lit";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "public/**",
      "firmware/**",
      "test/fixtures/**",
      "src/virtual-board/micropython/frozen-device.generated.ts",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Numbers and booleans read fine in messages; objects and undefined are what this rule is for.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // `() => void doThing()` style callbacks are the point of arrow shorthand.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // The project implements Promise-returning interfaces (storage, SerialPort, registries, test
      // fakes) with `async` methods whose bodies happen not to wait: `async` keeps a throw a
      // rejection, which is what callers of the interface handle. Rewriting them to
      // `return Promise.resolve(…)` would change that and read worse.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Tests assert on values they just checked exist; a `!` there is the assertion's premise.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      // Tests match the REPL's and the ROM's control bytes (Ctrl-D is \x04) on purpose.
      "no-control-regex": "off",
    },
  },
  {
    // Vitest types its asymmetric matchers (`expect.stringContaining`, `expect.stringMatching`,
    // `expect.any`, …) as returning `any` so they fit any field of an expected object; every
    // `{ message: expect.stringContaining("…") }` would trip this rule. Uses of `any` values
    // (member access, calls, arguments, returns) stay checked by the other no-unsafe-* rules.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  { files: ["src/ui/**/*.ts"], ...litConfigs["flat/recommended"] },
  {
    // Lit calls a template's event listeners (`@submit=${this.submit}`) with `this` set to the
    // host element, so passing a method unbound there is how Lit is meant to be used.
    files: ["src/ui/**/*.ts"],
    rules: { "@typescript-eslint/unbound-method": "off" },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
