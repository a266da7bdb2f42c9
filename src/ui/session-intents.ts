/**
 * The one place where UI intents (CustomEvents fired by the step elements) turn into session
 * calls. The portal page and the embed dialog both use it, so they behave the same.
 */
import type { PortalError, RecoveryAction } from "../core/errors";
import type { PortChoice, PortalSession } from "../core/session/portal-session";
import type { LocalFile } from "../core/firmware-sources/types";
import type { StepId } from "../core/session/session-types";
import { listenToIntents, type IntentHandler } from "./intent-listeners";
import { textOf } from "../core/text";

export interface PortSources {
  pickSerial(): Promise<PortChoice>;
  /** A new virtual board; `model` is one of `virtualModels` (default the first). */
  pickVirtual(model?: string): Promise<PortChoice>;
  /** The virtual boards on offer (chip and flash), for the Connect step's chip picker. */
  virtualModels?: readonly VirtualModelOption[];
  /** Press the in-page virtual board's buttons (manual boot guidance). */
  pressVirtualButtons?(stage: string): void;
  /** Close the program that holds the in-page virtual board's port (its busy profile). */
  freeVirtualPort?(): void;
}

export interface VirtualModelOption {
  id: string;
  label: string;
}

export interface IntentHooks {
  /** The port picker failed (nothing picked, blocked): shown on the connect step. */
  onPickError(error: PortalError | null): void;
  /** A board finished verification (re-render the device list). */
  onBoardFinished?(): void;
}

export function bindSessionIntents(
  host: HTMLElement,
  session: PortalSession,
  ports: PortSources,
  hooks: IntentHooks,
): () => void {
  const handlers: Record<string, IntentHandler> = {
    "pydirect-pick-port": async (d) => {
      hooks.onPickError(null);
      let choice: PortChoice;
      try {
        choice =
          d["kind"] === "virtual"
            ? await ports.pickVirtual(typeof d["model"] === "string" ? d["model"] : undefined)
            : await ports.pickSerial();
      } catch (err) {
        hooks.onPickError(err as PortalError);
        return;
      }
      await session.connect(choice);
    },
    "pydirect-select-firmware": (d) => session.selectFirmware(String(d["manifestUrl"])),
    "pydirect-select-source": (d) => session.selectFirmware(String(d["id"])),
    "pydirect-select-release": (d) =>
      session.selectRelease(String(d["version"]), typeof d["product"] === "string" ? d["product"] : null),
    "pydirect-include-beta": (d) => session.setIncludeBeta(Boolean(d["include"])),
    "pydirect-enter-manifest-url": (d) => session.enterManifestUrl(textOf(d["url"])),
    "pydirect-local-files": (d) => session.addLocalFiles((d["files"] as LocalFile[] | undefined) ?? []),
    "pydirect-local-offset": (d) => session.setLocalOffset(String(d["name"]), Number(d["offset"])),
    "pydirect-select-version": (d) => session.selectVersion(String(d["version"])),
    "pydirect-set-erase": (d) => session.setErase(Boolean(d["erase"])),
    "pydirect-continue": (d) => session.show(d["to"] as StepId),
    "pydirect-flash": () => session.flash(),
    "pydirect-pick-followed-port": () => session.pickFollowedPort(),
    "pydirect-virtual-buttons": (d) => ports.pressVirtualButtons?.(String(d["stage"])),
    "pydirect-virtual-free-port": () => ports.freeVirtualPort?.(),
    "pydirect-skip-flash": () => session.skipFlash(),
    "pydirect-provision": async (d) => {
      const ssid = textOf(d["ssid"]);
      const password = textOf(d["password"]);
      const kept = session.state.provision.wifi;
      // An empty password box with the same network means "as for the previous board".
      if (!(password === "" && kept?.ssid === ssid && kept.hasPassword))
        session.setWifi({ ssid, password }, textOf(d["deviceName"]));
      const webrepl = d["webreplPassword"];
      session.setWebreplPassword(typeof webrepl === "string" ? webrepl : "");
      const provisioned = await session.provision();
      // Verify follows by itself: there is nothing to choose in between. Not when the browser must
      // trust the board's certificate first (the Verify step explains that and waits for the user).
      if (provisioned && session.state.step === "verify" && !session.state.verify.trust) {
        await session.verify();
        hooks.onBoardFinished?.();
      }
    },
    "pydirect-verify": async () => {
      await session.verify();
      hooks.onBoardFinished?.();
    },
    "pydirect-confirm-trust": async () => {
      await session.confirmTrust();
      hooks.onBoardFinished?.();
    },
    "pydirect-next-board": () => session.nextBoard(),
    "pydirect-connect-again": async (d) => {
      await session.connectAgainTo(textOf(d["id"]));
      hooks.onBoardFinished?.();
    },
    "pydirect-console-exec": (d) => session.execLine(textOf(d["line"])),
    "pydirect-console-unlock": (d) => session.unlockConsole(textOf(d["password"])),
    "pydirect-console-close": () => session.closeConsole(),
    "pydirect-terminal-open": () => session.openTerminal(),
    "pydirect-terminal-close": () => session.closeTerminal(),
    "pydirect-terminal-input": (d) => session.terminalInput(textOf(d["data"])),
    "pydirect-terminal-paste": (d) => session.terminalPaste(textOf(d["text"])),
    "pydirect-terminal-reset": () => session.resetBoard(),
    "pydirect-wifi-detect": () => session.detectWifiSetup(),
    "pydirect-wifi-rescan": () => session.scanWifi(),
    "pydirect-improv-connect": (d) =>
      session.improvConnect({ ssid: textOf(d["ssid"]), password: textOf(d["password"]) }),
    "pydirect-change-wifi": (d) => session.openWifiChange(textOf(d["id"])),
    "pydirect-change-wifi-apply": (d) =>
      session.applyWifiChange({ ssid: textOf(d["ssid"]), password: textOf(d["password"]) }),
    "pydirect-change-wifi-close": () => session.closeWifiChange(),
    "pydirect-cancel": () => session.cancel(),
    "pydirect-go-to": (d) => session.show(d["step"] as StepId),
    "pydirect-recover": (d) => recover(session, d["action"] as RecoveryAction),
  };
  return listenToIntents(host, handlers);
}

function recover(session: PortalSession, action: RecoveryAction): Promise<unknown> | undefined {
  switch (action) {
    case "pick-another-port": {
      session.forgetPort();
      return;
    }
    case "allow-port-again":
      return session.allowPortAgain();
    case "choose-another-firmware": {
      session.show("firmware");
      return;
    }
    case "check-wifi":
    case "fix-input": {
      session.show(session.state.step);
      return;
    }
    case "none":
      return;
    default:
      return session.retry();
  }
}
