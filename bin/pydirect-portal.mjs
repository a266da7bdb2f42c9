#!/usr/bin/env node
// Runs the TypeScript CLI from source through tsx, so `npx pydirect-portal` works in a checkout
// without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
