/**
 * Guest-physical memory as the ITS and the redistributors see it: the
 * command queue, the device and collection tables, ITTs and the LPI
 * property and pending tables all live there. A machine provides this over
 * its RAM; `guestMemoryFromRam` does so over @vmstate/core's GuestRam.
 */
import { type GuestRam, type RamBlock, VmstateError } from "@vmstate/core";

export interface GuestMemory {
  /** `length` bytes at guest-physical `addr`. Throws if any of them is not RAM. */
  read(addr: number, length: number): Uint8Array;
  /**
   * Stores `bytes` at guest-physical `addr` and marks the pages written, so
   * that migration sends them. Throws if any byte is not RAM (then nothing
   * need have been written).
   */
  write(addr: number, bytes: Uint8Array): void;
}

/** An access to guest-physical memory that is not RAM. */
export class GuestMemoryError extends VmstateError {
  constructor(
    readonly addr: number,
    readonly length: number,
    detail = `guest-physical [0x${addr.toString(16)}, +0x${length.toString(16)}) is not RAM`,
  ) {
    super("IO_ERROR", detail);
  }
}

/**
 * Guest memory over the blocks of a GuestRam that are mapped at a
 * guest-physical address. An access may span adjacent blocks; writes mark
 * the pages written (and dirty) through RamBlock.write.
 */
export function guestMemoryFromRam(ram: GuestRam): GuestMemory {
  /** The pieces of [addr, addr + length), block by block. */
  const pieces = (addr: number, length: number) => {
    if (!Number.isSafeInteger(addr) || addr < 0 || !Number.isSafeInteger(length) || length < 0) throw new GuestMemoryError(addr, length);
    const out: { block: RamBlock; offset: number; at: number; n: number }[] = [];
    for (let done = 0; done < length; ) {
      const hit = ram.find(addr + done);
      if (!hit) throw new GuestMemoryError(addr, length);
      const n = Math.min(length - done, hit.block.length - hit.offset);
      out.push({ block: hit.block, offset: hit.offset, at: done, n });
      done += n;
    }
    return out;
  };
  return {
    read(addr, length) {
      const out = new Uint8Array(length);
      for (const p of pieces(addr, length)) out.set(p.block.data.subarray(p.offset, p.offset + p.n), p.at);
      return out;
    },
    write(addr, bytes) {
      for (const p of pieces(addr, bytes.length)) p.block.write(p.offset, bytes.subarray(p.at, p.at + p.n));
    },
  };
}

/** A little-endian u64 at `addr`. */
export function readU64(mem: GuestMemory, addr: number): bigint {
  const b = mem.read(addr, 8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

/** Stores a little-endian u64 at `addr`. */
export function writeU64(mem: GuestMemory, addr: number, value: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  mem.write(addr, b);
}
