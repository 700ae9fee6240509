/**
 * The `ram` save-state entry (QEMU's ram_save_setup / ram_save_iterate /
 * ram_save_complete and ram_load): precopy over a migration bitmap that
 * starts full and takes in the guest's dirty log at every sync.
 */
import { InvalidStateError, StateLoadError, StreamFormatError } from "../errors.js";
import type { RamRecord, StreamItem } from "../stream/model.js";
import { applyXbzrle, inflatePage, pageOfRun } from "../stream/ram.js";
import { RamStreamWriter } from "../stream/ram-writer.js";
import type { SinkWriter } from "../wire/byte-writer.js";
import type { GuestRam, RamBlock } from "./guest-ram.js";
import type { LiveHandlers } from "./save-state.js";

export const RAM_IDSTR = "ram";

export interface RamHandlerOptions {
  /** Most pages one PART section carries (QEMU's rate limit). Default 16384 (64 MiB of 4 KiB pages). */
  pagesPerIteration?: number;
}

export class RamHandler implements LiveHandlers {
  private writer: RamStreamWriter | undefined;
  private bitmaps: Uint8Array[] = [];
  private readonly pagesPerIteration: number;
  /** Load side: the blocks the stream's block list named, checked against ours. */
  private loadBlocks = new Map<string, RamBlock>();

  constructor(
    readonly ram: GuestRam,
    options: RamHandlerOptions = {},
  ) {
    this.pagesPerIteration = options.pagesPerIteration ?? 16384;
  }

  setup(w: SinkWriter): void {
    this.writer = new RamStreamWriter(w, this.ram.pageSize);
    // The first pass sends every page: the migration bitmap starts full.
    this.bitmaps = this.ram.blocks.map((b) => {
      const bm = new Uint8Array(b.dirty.length).fill(0xff);
      if (b.pages & 7) bm[bm.length - 1] = (1 << (b.pages & 7)) - 1;
      b.dirty.fill(0);
      return bm;
    });
    this.writer.writeSetup(this.ram.blocks);
  }

  /** migration_bitmap_sync: takes the guest's dirty log into the migration bitmap. */
  sync(): void {
    this.ram.blocks.forEach((b, i) => {
      const bm = this.bitmaps[i]!;
      for (let k = 0; k < bm.length; k++) bm[k]! |= b.dirty[k]!;
      b.dirty.fill(0);
    });
  }

  pending(): number {
    let n = 0;
    for (const bm of this.bitmaps) for (const byte of bm) n += popcount(byte);
    return n;
  }

  async iterate(): Promise<boolean> {
    const writer = this.started();
    if (this.pending() === 0) this.sync();
    let budget = this.pagesPerIteration;
    for (let i = 0; i < this.ram.blocks.length && budget > 0; i++) {
      budget -= await writer.writeBitmapPages(this.ram.blocks[i]!, this.bitmaps[i]!, budget);
    }
    writer.writeEos();
    return this.pending() === 0;
  }

  async complete(): Promise<void> {
    const writer = this.started();
    this.sync();
    for (let i = 0; i < this.ram.blocks.length; i++) await writer.writeBitmapPages(this.ram.blocks[i]!, this.bitmaps[i]!);
    writer.writeEos();
  }

  private started(): RamStreamWriter {
    if (!this.writer) throw new InvalidStateError("RAM iterate before setup");
    return this.writer;
  }

  // ------------------------------------------------------------------ load

  /** Checks a stream's block list against this machine's, as ram_load does. */
  checkBlockList(rec: Extract<RamRecord, { type: "mem-size" }>, offset: number): Map<string, RamBlock> {
    const blocks = new Map<string, RamBlock>();
    for (const b of rec.blocks) {
      const mine = this.ram.get(b.id);
      if (!mine) throw new StateLoadError("MACHINE_MISMATCH", `Unknown ramblock "${b.id}", cannot accept migration`, { offset, section: "ram[0]" });
      if (mine.length !== b.length) {
        throw new StateLoadError("MACHINE_MISMATCH", `Size mismatch: ${b.id}: 0x${b.length.toString(16)} != 0x${mine.length.toString(16)}`, {
          offset,
          section: "ram[0]",
        });
      }
      blocks.set(b.id, mine);
    }
    return blocks;
  }

  load(item: StreamItem): void | Promise<void> {
    if (item.kind !== "ram") return;
    const rec = item.record;
    switch (rec.type) {
      case "mem-size":
        this.loadBlocks = this.checkBlockList(rec, item.offset);
        return;
      case "eos":
        return;
      default: {
        const block = this.loadBlocks.get(rec.block);
        if (!block) throw new StreamFormatError("BAD_RAM_RECORD", `page for RAM block ${rec.block}, which the block list did not name`, { offset: item.offset });
        const ps = this.ram.pageSize;
        // The stream's pages must be this machine's: its vmdesc may say otherwise where no configuration does.
        const streamPageSize = rec.type === "zero" || rec.type === "pages" ? rec.pageSize : rec.type === "page" ? rec.data.length : ps;
        if (streamPageSize !== ps) {
          throw new StateLoadError("MACHINE_MISMATCH", `the stream's RAM pages are ${streamPageSize} bytes, this machine's ${ps}`, {
            offset: item.offset,
            section: "ram[0]",
          });
        }
        if (rec.type === "zero") {
          const end = rec.addr + rec.count * ps;
          block.data.fill(rec.fill, rec.addr, end);
          for (let p = rec.addr / ps; p < end / ps; p++) setWritten(block, p, rec.fill !== 0);
          return;
        }
        const p = rec.addr / ps;
        if (rec.type === "page") {
          block.data.set(rec.data, rec.addr);
          setWritten(block, p, true);
          return;
        }
        if (rec.type === "pages") {
          for (let i = 0; i < rec.count; i++) {
            block.data.set(pageOfRun(rec, i), rec.addr + i * ps);
            setWritten(block, p + i, true);
          }
          return;
        }
        if (rec.type === "xbzrle") {
          applyXbzrle(rec.data, block.data.subarray(rec.addr, rec.addr + ps), item.offset);
          setWritten(block, p, true);
          return;
        }
        const data = rec.data.slice(); // the view does not outlive this call
        const addr = rec.addr;
        return inflatePage(data, ps, item.offset).then((page) => {
          block.data.set(page, addr);
          setWritten(block, p, true);
        });
      }
    }
  }

  loadDone(): void {
    // A loaded machine starts with a clean dirty log.
    for (const b of this.ram.blocks) b.dirty.fill(0);
  }
}

function setWritten(block: RamBlock, p: number, on: boolean): void {
  if (on) block.written[p >> 3]! |= 1 << (p & 7);
  else block.written[p >> 3]! &= ~(1 << (p & 7));
}

function popcount(x: number): number {
  x -= (x >> 1) & 0x55;
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}
