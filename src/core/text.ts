/**
 * Free-form values (an event's detail, a server's JSON) as text: "" when absent, else what
 * `String()` makes of them. Same as `String(value ?? "")`, written once so the callers need not
 * each cast away that a JSON value may be an object (which comes out as "[object Object]").
 */
export function textOf(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- stringifying anything is this helper's job
  return value === undefined || value === null ? "" : String(value);
}
