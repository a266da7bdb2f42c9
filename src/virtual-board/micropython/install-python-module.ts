/** The slice of a MicroPython WebAssembly instance this needs. */
export interface PythonModuleHost {
  runPython(code: string): unknown;
  globals: { set(key: string, value: unknown): void };
}

/**
 * Make `import <name>` find Python source that is not on the board's filesystem: the wasm port
 * cannot create module objects, so (as the board's other shims do) a class holding the source's
 * names stands in for the module in sys.modules.
 */
export function installPythonModule(mp: PythonModuleHost, name: string, source: string): void {
  mp.globals.set("__vb_module_src", source);
  mp.runPython(
    [
      "import sys",
      `__vb_ns = {'__name__': '${name}'}`,
      "exec(__vb_module_src, __vb_ns)",
      "class __vb_module:",
      "    pass",
      "for __vb_k, __vb_v in __vb_ns.items():",
      "    if not __vb_k.startswith('__'):",
      "        setattr(__vb_module, __vb_k, staticmethod(__vb_v) if type(__vb_v).__name__ in ('function', 'closure', 'generator') else __vb_v)",
      `sys.modules['${name}'] = __vb_module`,
      "del __vb_module, __vb_ns, __vb_k, __vb_v, __vb_module_src",
    ].join("\n"),
  );
}
