/**
 * The steps after Connect and the console, in one chunk: pydirect-flow shows Connect from the
 * first paint and loads these right after it (lazy-panels.ts), before the user has a board.
 */
import "./firmware-step";
import "./flash-step";
import "./provision-step";
import "./verify-step";
import "./pydirect-terminal";
import "./device-console";
import "./port-follow-notice";
// Shown on the Connect step only once something happened there (a board answered, a reset got no
// answer, a browser lacks Web Serial), which is after this chunk has loaded.
import "./board-summary";
import "./manual-boot-guide";
import "./browser-support";
