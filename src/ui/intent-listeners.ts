/**
 * Intent events (CustomEvents from the elements) into calls: one listener per event type on the
 * host, which stops the event there and hands its detail (or `{}`) to the handler.
 */

/** What it returns is not used; a promise's rejection is the handler's to report. */
export type IntentHandler = (detail: Record<string, unknown>) => unknown;

/** Listen for each intent in `handlers` on `host`; the returned function removes every listener. */
export function listenToIntents(host: HTMLElement, handlers: Record<string, IntentHandler>): () => void {
  const listeners = Object.entries(handlers).map(([type, handler]) => {
    const listener = (e: Event) => {
      e.stopPropagation();
      void handler(((e as CustomEvent).detail ?? {}) as Record<string, unknown>);
    };
    host.addEventListener(type, listener);
    return () => host.removeEventListener(type, listener);
  });
  return () => listeners.forEach((off) => off());
}
