/**
 * Writes RAM as QEMU's precopy does (migration/ram.c): the block list at
 * setup, then page records in RAM-list order and ascending offsets, zero
 * pages as ZERO records, CONTINUE whenever the block is the last one sent
 * (that memory spans sections), EOS at the end of each section's payload.
 */
import { InvalidStateError } from "../errors.js";
import type { SinkWriter } from "../wire/byte-writer.js";
import { isZeroBytes } from "../wire/zero-page.js";
import { RAM_SAVE_FLAG_CONTINUE, RAM_SAVE_FLAG_EOS, RAM_SAVE_FLAG_MEM_SIZE, RAM_SAVE_FLAG_PAGE, RAM_SAVE_FLAG_ZERO } from "./constants.js";

/** A RAM block's contents; its used_length is `data.length`. */
export interface RamBlockImage {
  readonly id: string;
  readonly data: Uint8Array;
  /**
   * Pages written since the block was last all zeros (bit p of byte p >> 3),
   * as a machine's dirty tracking knows them. Pages whose bit is clear are
   * sent as ZERO records without being read; without the bitmap every page
   * is scanned, as QEMU does.
   */
  readonly written?: Uint8Array;
}

export class RamStreamWriter {
  private lastBlock: string | undefined;
  /** Page records written, by kind. */
  readonly counts = { zero: 0, normal: 0 };

  constructor(
    private readonly w: SinkWriter,
    readonly pageSize: number,
  ) {}

  /** ram_save_setup's payload: MEM_SIZE with every block, then EOS. */
  writeSetup(blocks: readonly RamBlockImage[]): void {
    let total = 0;
    for (const b of blocks) {
      if (b.data.length % this.pageSize) throw new InvalidStateError(`RAM block ${b.id} is not a whole number of pages`);
      total += b.data.length;
    }
    const w = this.w;
    w.u64Number(total + RAM_SAVE_FLAG_MEM_SIZE);
    for (const b of blocks) {
      w.str8(b.id);
      w.u64Number(b.data.length);
    }
    this.lastBlock = undefined; // a new block list resets CONTINUE
    this.writeEos();
  }

  /**
   * Writes the pages of `block` for which `wanted(page index)` holds (every
   * page when absent). Awaits the sink when it is behind.
   */
  async writePages(block: RamBlockImage, wanted?: (page: number) => boolean): Promise<void> {
    const pages = block.data.length / this.pageSize;
    for (let p = 0; p < pages; p++) {
      if (wanted && !wanted(p)) continue;
      this.writePage(block, p);
      // Every page: pages are copied into the chunk, which must not outgrow its buffer.
      const pending = this.w.maybeFlush();
      if (pending) await pending;
    }
  }

  /**
   * Writes the pages whose bit is set in `bitmap` (bit p of byte p >> 3),
   * clearing each bit as its page goes, up to `max` pages. Returns how many
   * were written. Zero bytes of the bitmap are skipped eight pages at a time.
   */
  async writeBitmapPages(block: RamBlockImage, bitmap: Uint8Array, max = Infinity): Promise<number> {
    const pages = block.data.length / this.pageSize;
    let sent = 0;
    for (let byte = 0; byte < bitmap.length && sent < max; byte++) {
      if (bitmap[byte] === 0) continue;
      for (let bit = 0; bit < 8 && sent < max; bit++) {
        const p = byte * 8 + bit;
        if (p >= pages || !(bitmap[byte]! & (1 << bit))) continue;
        bitmap[byte]! &= ~(1 << bit);
        this.writePage(block, p);
        sent++;
        const pending = this.w.maybeFlush();
        if (pending) await pending;
      }
    }
    return sent;
  }

  /** One page: ZERO if it is known or found to be zero, else PAGE; CONTINUE when the block is the last one sent. */
  writePage(block: RamBlockImage, p: number): void {
    const w = this.w;
    const ps = this.pageSize;
    const written = block.written;
    const knownZero = written !== undefined && !(written[p >> 3]! & (1 << (p & 7)));
    const page = knownZero ? undefined : block.data.subarray(p * ps, (p + 1) * ps);
    const cont = this.lastBlock === block.id;
    const zero = page === undefined || isZeroBytes(page);
    w.u64Number(p * ps + (zero ? RAM_SAVE_FLAG_ZERO : RAM_SAVE_FLAG_PAGE) + (cont ? RAM_SAVE_FLAG_CONTINUE : 0));
    if (!cont) {
      w.str8(block.id);
      this.lastBlock = block.id;
    }
    if (zero) {
      w.u8(0);
      this.counts.zero++;
    } else {
      // Copied into the chunk (see GATHER_MIN_BYTES); were a large page gathered
      // instead, a guest change before the sink has it leaves the page dirty
      // again, so a later record carries its final content.
      w.reference(page!);
      this.counts.normal++;
    }
  }

  writeEos(): void {
    this.w.u64Number(RAM_SAVE_FLAG_EOS);
  }
}
