import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { LocalFilesView } from "../core/session/session-types";
import { readDroppedFiles, readPickedFiles } from "./read-local-files";
import { fire, formatBytes, sharedStyles } from "./shared-styles";

const KIND: Record<string, string> = {
  manifest: "manifest",
  merged: "merged image",
  bootloader: "bootloader",
  "partition-table": "partition table",
  app: "app",
  unknown: "unknown",
};

const hex = (n: number): string => `0x${n.toString(16)}`;

/** "0x10000", "65536", "64k" are all read; anything else is NaN (the session says why). */
function parseOffset(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  if (/^\d+k$/.test(t)) return Number(t.slice(0, -1)) * 1024;
  return Number.NaN;
}

/**
 * Firmware files from this computer: a file picker, a folder picker and a drop zone; then what
 * the portal made of them (chip, app name, version) and each part's offset, editable.
 *
 * @fires pydirect-local-files - detail `{ files: LocalFile[] }` with the files' bytes.
 * @fires pydirect-local-offset - detail `{ name: string, offset: number }` (NaN when unreadable).
 * @csspart dropzone - the drop area.
 * @cssprop --pydirect-accent - border of the drop area while files are dragged over it.
 */
@customElement("pydirect-local-firmware-files")
export class PydirectLocalFirmwareFiles extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      [part="dropzone"] {
        border: 2px dashed var(--_field);
        border-radius: var(--_radius);
        padding: 0.75rem 1rem;
        margin: 0.5rem 0;
      }
      [part="dropzone"].over {
        border-color: var(--_accent);
        background: color-mix(in srgb, var(--_accent) 6%, var(--_bg));
      }
      .pick {
        display: inline-block;
      }
      .pick input {
        position: absolute;
        opacity: 0;
        width: 1px;
        height: 1px;
      }
      .pick label {
        display: inline-block;
        margin: 0.25rem 0.5rem 0.25rem 0;
        padding: 0.45rem 1rem;
        border: 1px solid var(--_accent);
        border-radius: var(--_radius);
        color: var(--_accent);
        font-weight: 600;
        cursor: pointer;
      }
      .pick input:focus-visible + label {
        outline: 3px solid var(--_accent);
        outline-offset: 2px;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin: 0.5rem 0;
      }
      th,
      td {
        text-align: left;
        padding: 0.25rem 0.5rem 0.25rem 0;
        vertical-align: top;
      }
      td input {
        width: 8rem;
        font-family: ui-monospace, monospace;
      }
    `,
  ];

  @property({ attribute: false }) local: LocalFilesView | null = null;
  @property({ type: Boolean }) disabled = false;
  /** A one-line reason shown in the drop zone (e.g. why a download needs the file dropped here). */
  @property({ type: String }) prompt = "";
  @state() private over = false;

  override render() {
    const l = this.local;
    return html`<div
        part="dropzone"
        class=${this.over ? "over" : ""}
        @dragover=${this.dragOver}
        @dragleave=${() => (this.over = false)}
        @drop=${this.drop}
      >
        ${this.prompt ? html`<p>${this.prompt}</p>` : nothing}
        <span class="pick"
          ><input
            id="pick-files"
            type="file"
            multiple
            accept=".bin,.json,.zip,application/json,application/zip,application/octet-stream"
            ?disabled=${this.disabled}
            @change=${this.picked}
          /><label for="pick-files">Choose files…</label></span
        >
        <span class="pick"
          ><input
            id="pick-folder"
            type="file"
            webkitdirectory
            ?disabled=${this.disabled}
            @change=${this.picked}
          /><label for="pick-folder">Choose a folder…</label></span
        >
        <p class="muted" id="drop-hint">
          …or drop a manifest.json with its parts, a folder, one merged .bin or several .bin files here.
        </p>
      </div>
      ${l ? this.renderAnalysis(l) : nothing}`;
  }

  private renderAnalysis(l: LocalFilesView) {
    const a = l.analysis;
    return html`<dl aria-label="Detected in the files">
        <dt>Chip</dt>
        <dd data-field="local-chip">${a.chipFamily ?? "not recognised"}</dd>
        <dt>App</dt>
        <dd data-field="local-app">${a.appName ?? "unknown"}</dd>
        <dt>Version</dt>
        <dd data-field="local-version">${a.appVersion ?? "unknown"}</dd>
      </dl>
      <table>
        <caption class="visually-hidden">
          Parts and where they are written
        </caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">What it is</th>
            <th scope="col">Offset</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          ${a.parts.map(
            (p, i) =>
              html`<tr data-part=${p.name}>
                <th scope="row">${p.name} <span class="muted">(${formatBytes(p.size)})</span></th>
                <td>${KIND[p.kind] ?? p.kind}</td>
                <td>
                  ${
                    p.kind === "manifest"
                      ? html`<span class="muted">—</span>`
                      : html`<label class="visually-hidden" for="offset-${i}">Offset of ${p.name}</label>
                          <input
                            id="offset-${i}"
                            data-offset-for=${p.name}
                            .value=${hex(l.offsets[p.name] ?? p.offset)}
                            ?disabled=${this.disabled || a.shape === "manifest"}
                            @change=${(e: Event) => fire(this, "pydirect-local-offset", { name: p.name, offset: parseOffset((e.target as HTMLInputElement).value) })}
                          />`
                  }
                </td>
                <td class="muted">${p.reason}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${
        a.warnings.length
          ? html`<ul aria-label="Warnings">
              ${a.warnings.map((w) => html`<li>${w}</li>`)}
            </ul>`
          : nothing
      }`;
  }

  private readonly dragOver = (e: DragEvent): void => {
    if (this.disabled) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    this.over = true;
  };

  private readonly drop = async (e: DragEvent): Promise<void> => {
    e.preventDefault();
    this.over = false;
    if (this.disabled || !e.dataTransfer) return;
    const files = await readDroppedFiles(e.dataTransfer);
    if (files.length > 0) fire(this, "pydirect-local-files", { files });
  };

  private readonly picked = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    if (!input.files || input.files.length === 0) return;
    const files = await readPickedFiles(input.files);
    input.value = "";
    fire(this, "pydirect-local-files", { files });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-local-firmware-files": PydirectLocalFirmwareFiles;
  }
}
