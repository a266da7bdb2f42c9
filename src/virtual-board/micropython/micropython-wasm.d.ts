// The package ships plain JavaScript; this is the part of its surface we call.
declare module "@micropython/micropython-webassembly-pyscript/micropython.mjs" {
  export function loadMicroPython(options: {
    url?: string | undefined;
    heapsize?: number;
    pystack?: number;
    stdin?: () => number | null;
    stdout?: (data: Uint8Array) => void;
    stderr?: (data: Uint8Array) => void;
    linebuffer?: boolean;
  }): Promise<unknown>;
}
