import { InvalidStateError } from "../errors.js";

/**
 * The one growable big-endian writer. Everything that produces stream bytes
 * writes through it; `position` gives byte counts for vmdesc sizes.
 */
export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /** Bytes already handed on by a flushing subclass, so positions stay absolute. */
  flushed = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Absolute number of bytes written so far. */
  get position(): number {
    return this.flushed + this.pos;
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v));
    this.pos += 8;
  }
  /** A be64 from a non-negative number below 2^53 (lengths, offsets, RAM record headers). */
  u64Number(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / 0x1_0000_0000);
    this.view.setUint32(this.pos, hi);
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  /** A counted string (u8 length + bytes); each char must be one byte. */
  str8(s: string): void {
    if (s.length > 255) throw new InvalidStateError(`string "${s.slice(0, 40)}..." is longer than 255 bytes`);
    this.ensure(1 + s.length);
    this.buf[this.pos++] = s.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw new InvalidStateError(`string "${s}" has a character that is not one byte`);
      this.buf[this.pos++] = c;
    }
  }
  /** The bytes written so far (a view). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Where encoded bytes go: a file, a socket, memory. The chunk may be reused once write returns or settles. */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /**
   * Optional gathered write (a file's writev): lets large borrowed views,
   * such as guest RAM pages, reach the sink without being copied first.
   */
  writev?(chunks: readonly Uint8Array[]): void | Promise<void>;
}

/**
 * Views at least this long go to a gathering sink uncopied; shorter ones are
 * copied. A gathered piece costs the sink an iovec and the runtime a view
 * (about as much as copying 4 KiB), and a file written from thousands of
 * small pieces is slower than one written from whole chunks, so RAM pages
 * are copied and only large buffers are gathered.
 */
export const GATHER_MIN_BYTES = 64 * 1024;

/**
 * A ByteWriter that hands full chunks to a sink. Two buffers alternate so
 * that an asynchronous sink writes one while the encoder fills the other.
 * With a gathering sink, `reference` passes large views through uncopied.
 * Contract: when `maybeFlush`/`flush` return a promise, await it before
 * writing again (it is the write still using the buffer being switched to).
 * The sink is handed one chunk at a time, the next once the last is written.
 */
export class SinkWriter extends ByteWriter {
  private spare: Uint8Array;
  private pending: Promise<void> | undefined;
  /** Gathered pieces not yet handed on: parts of `buf` and borrowed views. */
  private pieces: Uint8Array[] = [];
  /** Start in `buf` of bytes written since the last piece was cut. */
  private cut = 0;
  private referenced = 0;
  /** The sink failed while being handed a chunk: every later flush reports it. */
  private broken: { readonly error: unknown } | undefined;

  constructor(
    private readonly sink: ByteSink,
    readonly chunkSize = 4 * 1024 * 1024,
  ) {
    super(chunkSize + 64 * 1024);
    this.spare = new Uint8Array(chunkSize + 64 * 1024);
  }

  override get position(): number {
    return this.flushed + this.pos + this.referenced;
  }

  /**
   * Appends `view`, uncopied when the sink gathers and the view is at least
   * GATHER_MIN_BYTES long (else copied). The caller keeps the bytes unchanged
   * until `drain()` has resolved.
   */
  reference(view: Uint8Array): void {
    if (!this.sink.writev || view.length < GATHER_MIN_BYTES) {
      this.bytes(view);
      return;
    }
    if (this.pos > this.cut) this.pieces.push(this.buf.subarray(this.cut, this.pos));
    this.cut = this.pos;
    this.pieces.push(view);
    this.referenced += view.length;
  }

  override ensure(n: number): void {
    // Growing would move bytes that gathered pieces point into; flush-free growth is only safe without them.
    if (this.pieces.length && this.pos + n > this.buf.length) {
      this.pieces.push(this.buf.subarray(this.cut, this.pos));
      this.spareForGrowth(n);
      return;
    }
    super.ensure(n);
  }

  private spareForGrowth(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length, n * 2));
    this.flushed += this.pos;
    this.pos = 0;
    this.cut = 0;
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Flushes if a chunk is full. */
  maybeFlush(): Promise<void> | undefined {
    return this.pos + this.referenced < this.chunkSize ? undefined : this.flush();
  }

  /** Hands everything written so far to the sink. */
  flush(): Promise<void> | undefined {
    if (this.broken) throw this.broken.error;
    if (this.pos === 0 && this.pieces.length === 0) return undefined;
    const full = this.buf;
    let hand: () => void | Promise<void>;
    if (this.pieces.length) {
      if (this.pos > this.cut) this.pieces.push(full.subarray(this.cut, this.pos));
      const pieces = this.pieces;
      hand = () => this.sink.writev!(pieces);
      this.pieces = [];
    } else {
      const chunk = full.subarray(0, this.pos);
      hand = () => this.sink.write(chunk);
    }
    const previous = this.pending;
    // One write under way at a time: this chunk goes to the sink when the one
    // before is done. A second write to a file only queues on its lock, and
    // waking an I/O thread for it takes the CPU from the encoder.
    let written: void | Promise<void>;
    try {
      written = previous ? previous.then(hand) : hand();
    } catch (e) {
      // A sink that failed at once took part of a chunk, maybe: nothing written after it would be in place.
      this.broken = { error: e };
      throw e;
    }
    this.flushed += this.pos + this.referenced;
    this.pos = 0;
    this.cut = 0;
    this.referenced = 0;
    if (!(written instanceof Promise)) return undefined; // a synchronous sink is done with the buffer
    written.catch(() => undefined); // a failure is reported where the write is awaited
    this.pending = written;
    this.buf = this.spare.length >= full.length ? this.spare : new Uint8Array(full.length);
    this.view = new DataView(this.buf.buffer);
    this.spare = full;
    return previous;
  }

  /** Flushes and waits until the sink has taken every byte. */
  async drain(): Promise<void> {
    const previous = this.flush();
    if (previous) await previous;
    if (this.pending) await this.pending;
    this.pending = undefined;
  }
}
