/**
 * The DTR/RTS lines a host drives and what the board's auto-reset circuit makes of them: EN held
 * low (the chip in reset) and, when EN rises, the boot strap (IO0) that picks download mode or a
 * normal boot. Boards without the circuit record the lines but never reset from them.
 */
export class ResetLines {
  private dtr = false;
  private rts = false;
  private inReset = false;
  private usbDownloadLatch = false;

  constructor(
    private readonly usbSerialJtag: boolean,
    private readonly autoReset: boolean,
  ) {}

  /** EN is held low by the lines now. */
  get held(): boolean {
    return this.inReset;
  }

  /** Power returns: the host has not driven the lines yet. */
  powerOn(): void {
    this.dtr = this.rts = false;
  }

  /** The host set the lines: "hold" when EN falls now, "release" when it rises, null otherwise. */
  set(dtr: boolean, rts: boolean): "hold" | "release" | null {
    const prevDtr = this.dtr;
    this.dtr = dtr;
    this.rts = rts;
    if (!this.autoReset) return null;
    let holdReset: boolean;
    if (this.usbSerialJtag) {
      // The USB-Serial-JTAG peripheral: RTS resets the core; DTR falling while RTS is high
      // latches the download-boot strap for the next reset release.
      if (prevDtr && !dtr && rts) this.usbDownloadLatch = true;
      holdReset = rts && !dtr;
    } else {
      // Classic auto-reset: two cross-coupled transistors; EN is pulled low only by RTS alone.
      holdReset = rts && !dtr;
    }
    if (holdReset && !this.inReset) {
      this.inReset = true;
      return "hold";
    }
    if (!holdReset && this.inReset) {
      this.inReset = false;
      return "release";
    }
    return null;
  }

  /** Where the chip boots as EN rises (a USB download latch is used up by it). */
  strap(): "download" | "normal" {
    if (this.usbSerialJtag) {
      const into = this.usbDownloadLatch ? "download" : "normal";
      this.usbDownloadLatch = false;
      return into;
    }
    // IO0 is pulled low only by DTR alone.
    return this.autoReset && this.dtr && !this.rts ? "download" : "normal";
  }
}
