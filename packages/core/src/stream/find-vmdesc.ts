/**
 * Finds the vmdesc trailer (`06 be32 len json`) at the end of a stream
 * without parsing what comes before it, as analyze-migration.py must, but
 * exactly: QEMU's JSON holds only printable ASCII, so scanning back from the
 * end, the trailer starts within five bytes of the first other byte.
 */
import { QEMU_VM_VMDESCRIPTION } from "./constants.js";
import { type ByteSource, readAtFully } from "./source.js";

export interface TrailerLocation {
  /** Absolute offset of the 0x06 byte. */
  readonly offset: number;
  readonly jsonLength: number;
}

function jsonByte(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c === 0x09 || c === 0x0a || c === 0x0d;
}

export type TailScan = TrailerLocation | "none" | "need-more";

/** Looks at the last bytes of a stream (`tail` ends where the stream ends, at absolute `tailBase`). */
export function scanTail(tail: Uint8Array, tailBase: number, wholeStream: boolean): TailScan {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let stopAt = -1;
  for (let i = tail.length - 1; i >= 0; i--) {
    const c = tail[i]!;
    if (c === QEMU_VM_VMDESCRIPTION && i + 5 < tail.length && tail[i + 5] === 0x7b /* { */) {
      const len = view.getUint32(i + 1);
      if (len === tail.length - i - 5) return { offset: tailBase + i, jsonLength: len };
    }
    if (stopAt < 0 && !jsonByte(c)) stopAt = Math.max(0, i - 4);
    if (stopAt >= 0 && i <= stopAt) return "none";
  }
  return wholeStream || stopAt >= 0 ? "none" : "need-more";
}

/**
 * Reads the trailer from a source that knows its size and can read at an
 * offset: where it is, and its JSON's bytes (found only once the tail read
 * holds all of them).
 */
export async function locateTrailer(source: ByteSource, maxJsonBytes: number): Promise<(TrailerLocation & { readonly json: Uint8Array }) | undefined> {
  const size = source.size;
  if (size === undefined || !source.readAt) return undefined;
  if (source.bytes) {
    const r = scanTail(source.bytes, 0, true);
    return typeof r === "object" ? { ...r, json: source.bytes.subarray(r.offset + 5, r.offset + 5 + r.jsonLength) } : undefined;
  }
  for (let want = Math.min(size, 64 * 1024); ; want = Math.min(size, want * 4)) {
    const tail = new Uint8Array(want);
    if ((await readAtFully(source, size - want, tail)) < want) return undefined;
    const r = scanTail(tail, size - want, want === size);
    if (typeof r === "object") {
      const at = r.offset - (size - want) + 5;
      return { ...r, json: tail.subarray(at, at + r.jsonLength) };
    }
    if (r === "none" || want === size || want > maxJsonBytes + 5) return undefined;
  }
}
