import { LimitError, TruncatedStreamError } from "../errors.js";
import { NEED_MORE } from "./need-more.js";

/** Bytes one parse step (a section, a RAM record) may span before it is refused. */
export const DEFAULT_MAX_ITEM_BYTES = 64 * 1024 * 1024;

/**
 * A big-endian cursor over a window of the stream. `base` is the absolute
 * stream offset of `buf[0]`. Reading past `end` throws NEED_MORE while the
 * source can still deliver, and a typed truncation error once it cannot.
 */
export class ByteReader {
  buf: Uint8Array;
  view: DataView;
  pos: number;
  end: number;
  base: number;
  /** True once the source has delivered its last byte into this window. */
  final: boolean;
  /** Where the current parse step began (window-relative); bounds its growth. */
  stepStart = 0;
  maxStepBytes = DEFAULT_MAX_ITEM_BYTES;
  /** Absolute offset the last NEED_MORE asked to have buffered. */
  wanted = 0;

  constructor(buf: Uint8Array, options: { base?: number; final?: boolean; start?: number; end?: number } = {}) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = options.start ?? 0;
    this.end = options.end ?? buf.length;
    this.base = options.base ?? 0;
    this.final = options.final ?? true;
  }

  /** Absolute stream offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes available in the window after the cursor. */
  get available(): number {
    return this.end - this.pos;
  }

  /** Replaces the window (after a refill); positions are window-relative. */
  reset(buf: Uint8Array, base: number, pos: number, end: number, final: boolean): void {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    this.base = base;
    this.pos = pos;
    this.end = end;
    this.final = final;
  }

  /** Ensures `n` more bytes are buffered, or throws NEED_MORE / a truncation or limit error. */
  need(n: number, what = "data"): void {
    if (this.pos + n > this.end) this.short(n, what);
  }

  private short(n: number, what: string): never {
    if (this.final) {
      throw new TruncatedStreamError(
        `stream truncated: ${what} needs ${n} byte${n === 1 ? "" : "s"}, ${this.end - this.pos} left`,
        { offset: this.base + this.pos },
      );
    }
    if (this.pos + n - this.stepStart > this.maxStepBytes) {
      throw new LimitError(
        `${what} of ${n} bytes would make one stream element larger than the ${this.maxStepBytes}-byte limit`,
        { offset: this.base + this.pos },
      );
    }
    this.wanted = this.base + this.pos + n;
    throw NEED_MORE;
  }

  u8(): number {
    if (this.pos >= this.end) this.short(1, "u8");
    return this.buf[this.pos++]!;
  }
  i8(): number {
    return (this.u8() << 24) >> 24;
  }
  u16(): number {
    if (this.pos + 2 > this.end) this.short(2, "be16");
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  i16(): number {
    return (this.u16() << 16) >> 16;
  }
  u32(): number {
    if (this.pos + 4 > this.end) this.short(4, "be32");
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    if (this.pos + 4 > this.end) this.short(4, "be32");
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    if (this.pos + 8 > this.end) this.short(8, "be64");
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    if (this.pos + 8 > this.end) this.short(8, "be64");
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }
  /** A be64 known to fit in 53 bits (lengths, offsets); larger values are refused. */
  u64Number(what = "be64"): number {
    if (this.pos + 8 > this.end) this.short(8, what);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi > 0x1fffff) {
      throw new LimitError(`${what} 0x${hi.toString(16).padStart(8, "0")}${lo.toString(16).padStart(8, "0")} is too large`, {
        offset: this.base + this.pos,
      });
    }
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }
  /** A view of the next `n` bytes (not a copy): valid until the window moves. */
  bytes(n: number, what = "bytes"): Uint8Array {
    if (this.pos + n > this.end) this.short(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** A copy of the next `n` bytes, safe to keep. */
  copy(n: number, what = "bytes"): Uint8Array {
    return this.bytes(n, what).slice();
  }
  skip(n: number, what = "bytes"): void {
    if (this.pos + n > this.end) this.short(n, what);
    this.pos += n;
  }
  /** A counted string (u8 length + bytes), byte-preserving. */
  str8(what = "string"): string {
    const n = this.u8();
    return latin1(this.bytes(n, what));
  }
  /**
   * The byte `k` places ahead, without consuming it; -1 when the stream ends
   * first (QEMU's peek then simply sees no subsection).
   */
  peek(k = 0): number {
    if (this.pos + k >= this.end) {
      if (this.final) return -1;
      this.short(k + 1, "peek");
    }
    return this.buf[this.pos + k]!;
  }
}

/** Bytes to a string one char per byte, so idstrs survive any content. */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}
