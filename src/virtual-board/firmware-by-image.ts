/**
 * What runs on a virtual board depends on the image in its flash, as on a real chip: the booted
 * app's description (its project name) picks the runtime. Names not listed run `fallback`. A key
 * `name@version` picks one build of a project (several images share MicroPython's name).
 */
import type { AppRuntimeFactory } from "./types";

export function firmwareByImage(
  byProject: Partial<Record<string, AppRuntimeFactory>>,
  fallback: AppRuntimeFactory,
): AppRuntimeFactory {
  return (ctx) =>
    (byProject[`${ctx.app.projectName}@${ctx.app.version}`] ?? byProject[ctx.app.projectName] ?? fallback)(ctx);
}
