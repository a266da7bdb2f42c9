/**
 * What runs on a virtual board depends on the image in its flash, as on a real chip: the booted
 * app's description (its project name) picks the runtime. Names not listed run `fallback`.
 */
import type { AppRuntimeFactory } from "./types";

export function firmwareByImage(
  byProject: Record<string, AppRuntimeFactory>,
  fallback: AppRuntimeFactory,
): AppRuntimeFactory {
  return (ctx) => (byProject[ctx.app.projectName] ?? fallback)(ctx);
}
