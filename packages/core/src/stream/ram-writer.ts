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

/**
 * Pages looked at together when a whole block is written: one check for
 * zeros (and, with a written-page bitmap, one look at it) per 64 KiB of
 * untouched RAM instead of one per page. The records are QEMU's either way.
 */
const ZERO_SPAN_PAGES = 16;

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
      if (!wanted && p % ZERO_SPAN_PAGES === 0 && p + ZERO_SPAN_PAGES <= pages && this.spanIsZero(block, p, ZERO_SPAN_PAGES)) {
        this.writeZeroPages(block, p, ZERO_SPAN_PAGES);
        p += ZERO_SPAN_PAGES - 1;
      } else if (!wanted || wanted(p)) {
        this.writePage(block, p);
      }
      // Every page: pages are copied into the chunk, which must not outgrow its buffer.
      const pending = this.w.maybeFlush();
      if (pending) await pending;
    }
  }

  /**
   * Writes the pages whose bit is set in `bitmap` (bit p of byte p >> 3),
   * clearing each bit as its page goes, up to `max` pages. Returns how many
   * were written. Zero bytes of the bitmap are skipped eight pages at a time,
   * and eight wanted pages that are all zeros go out without a look at each.
   */
  async writeBitmapPages(block: RamBlockImage, bitmap: Uint8Array, max = Infinity): Promise<number> {
    const pages = block.data.length / this.pageSize;
    let sent = 0;
    for (let byte = 0; byte < bitmap.length && sent < max; byte++) {
      if (bitmap[byte] === 0) continue;
      const first = byte * 8;
      if (bitmap[byte] === 0xff && sent + 8 <= max && first + 8 <= pages && this.spanIsZero(block, first, 8)) {
        bitmap[byte] = 0;
        this.writeZeroPages(block, first, 8);
        sent += 8;
        const pending = this.w.maybeFlush();
        if (pending) await pending;
        continue;
      }
      for (let bit = 0; bit < 8 && sent < max; bit++) {
        const p = first + bit;
        if (p >= pages || !(bitmap[byte]! & (1 << bit))) continue;
        bitmap[byte]! &= ~(1 << bit);
        this.writePage(block, p);
        sent++;
        // Every page: pages are copied into the chunk, which must not outgrow its buffer.
        const pending = this.w.maybeFlush();
        if (pending) await pending;
      }
    }
    return sent;
  }

  /** Whether pages `p` to `p + n - 1` are all zeros: known from the written-page bitmap, or read. */
  private spanIsZero(block: RamBlockImage, p: number, n: number): boolean {
    const written = block.written;
    if (written !== undefined) {
      let any = 0;
      for (let i = p; i < p + n; i++) any |= written[i >> 3]! & (1 << (i & 7));
      if (any === 0) return true;
    }
    const ps = this.pageSize;
    return isZeroBytes(block.data.subarray(p * ps, (p + n) * ps));
  }

  /** ZERO records for `n` pages from `p` on, known to be zeros. */
  private writeZeroPages(block: RamBlockImage, p: number, n: number): void {
    const w = this.w;
    const ps = this.pageSize;
    for (let i = p; i < p + n; i++) {
      const cont = this.lastBlock === block.id;
      w.u64Number(i * ps + RAM_SAVE_FLAG_ZERO + (cont ? RAM_SAVE_FLAG_CONTINUE : 0));
      if (!cont) {
        w.str8(block.id);
        this.lastBlock = block.id;
      }
      w.u8(0);
    }
    this.counts.zero += n;
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
