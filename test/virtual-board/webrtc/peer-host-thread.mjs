// Worker-thread bootstrap: TypeScript through tsx's loader, then the peer host itself.
import { register } from "tsx/esm/api";

register();
await import("./peer-host-thread.ts");
