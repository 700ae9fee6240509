/**
 * Guest RAM: named blocks in RAM-list order (QEMU's RAMBlocks), each with a
 * dirty log for migration and a record of pages written since the block was
 * last all zeros. Whoever writes guest memory marks the pages it touched.
 */
import { InvalidStateError } from "../errors.js";
import type { RamBlockImage } from "../stream/ram-writer.js";

export class RamBlock implements RamBlockImage {
  readonly data: Uint8Array;
  readonly pages: number;
  /** Pages written since the last dirty sync (bit p of byte p >> 3). */
  readonly dirty: Uint8Array;
  /** Pages written since the block was last all zeros: the others are known to be zero. */
  readonly written: Uint8Array;
  readonly pageShift: number;

  constructor(
    readonly id: string,
    size: number,
    readonly pageSize = 4096,
    /** Guest-physical address the block is mapped at, when it is. */
    readonly gpa?: number,
  ) {
    if (!Number.isInteger(Math.log2(pageSize))) throw new InvalidStateError(`page size ${pageSize} is not a power of two`);
    if (size <= 0 || size % pageSize) throw new InvalidStateError(`RAM block ${id}: size ${size} is not a whole number of pages`);
    if (id.length === 0 || id.length > 255) throw new InvalidStateError(`RAM block id "${id}" must have 1 to 255 characters`);
    this.data = new Uint8Array(size);
    this.pages = size / pageSize;
    this.pageShift = Math.log2(pageSize);
    this.dirty = new Uint8Array((this.pages + 7) >> 3);
    this.written = new Uint8Array((this.pages + 7) >> 3);
  }

  get length(): number {
    return this.data.length;
  }

  /** Marks the pages of [offset, offset + length) dirty and written. */
  markWritten(offset: number, length: number): void {
    if (length <= 0) return;
    const last = (offset + length - 1) >> this.pageShift;
    for (let p = offset >> this.pageShift; p <= last; p++) {
      const bit = 1 << (p & 7);
      this.dirty[p >> 3]! |= bit;
      this.written[p >> 3]! |= bit;
    }
  }

  /** Copies `bytes` in at `offset` and marks the pages. */
  write(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.data.length) {
      throw new InvalidStateError(`write of ${bytes.length} bytes at 0x${offset.toString(16)} is outside RAM block ${this.id}`);
    }
    this.data.set(bytes, offset);
    this.markWritten(offset, bytes.length);
  }

  /** Zeros the block (a reset); nothing is then dirty or written. */
  clear(): void {
    this.data.fill(0);
    this.dirty.fill(0);
    this.written.fill(0);
  }
}

export class GuestRam {
  readonly blocks: RamBlock[] = [];

  constructor(readonly pageSize = 4096) {}

  /** Adds a block at the end of the RAM list. */
  add(id: string, size: number, gpa?: number): RamBlock {
    if (this.blocks.some((b) => b.id === id)) throw new InvalidStateError(`RAM block ${id} exists already`);
    const b = new RamBlock(id, size, this.pageSize, gpa);
    this.blocks.push(b);
    return b;
  }

  get(id: string): RamBlock | undefined {
    return this.blocks.find((b) => b.id === id);
  }

  /** The block mapped at guest-physical `addr`, and the offset in it. */
  find(addr: number): { block: RamBlock; offset: number } | undefined {
    for (const block of this.blocks) {
      if (block.gpa !== undefined && addr >= block.gpa && addr < block.gpa + block.length) return { block, offset: addr - block.gpa };
    }
    return undefined;
  }

  get totalBytes(): number {
    return this.blocks.reduce((n, b) => n + b.length, 0);
  }
}
