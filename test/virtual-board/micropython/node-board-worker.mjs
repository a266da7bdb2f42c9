// Worker-thread bootstrap: TypeScript through tsx's loader, then the board worker itself.
import { register } from "tsx/esm/api";

register();
await import("./node-board-worker.ts");
