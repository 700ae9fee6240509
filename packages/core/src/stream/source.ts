/**
 * Byte sources and the decoder's input window. A source is sequential (a
 * socket, a pipe) and may also know its size and read at an offset (a file,
 * memory), which lets the decoder read the vmdesc trailer first. The window
 * reads ahead into a second buffer while the decoder parses the first.
 */
import { LimitError } from "../errors.js";
import { ByteReader } from "../wire/byte-reader.js";

export interface ByteSource {
  /** Reads the next bytes into `into`; resolves to the count, 0 at the end. */
  read(into: Uint8Array): number | Promise<number>;
  /** Total size when known (files, memory). */
  readonly size?: number;
  /** Random access when available; does not move the sequential position. */
  readAt?(position: number, into: Uint8Array): number | Promise<number>;
  /** The whole stream when it is already in memory (no copies are made then). */
  readonly bytes?: Uint8Array;
  close?(): void | Promise<void>;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  let pos = 0;
  return {
    bytes,
    size: bytes.length,
    read(into) {
      const n = Math.min(into.length, bytes.length - pos);
      into.set(bytes.subarray(pos, pos + n));
      pos += n;
      return n;
    },
    readAt(position, into) {
      const n = Math.max(0, Math.min(into.length, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
  };
}

/** A source over an async iterable of chunks (a Node stream, a fetch body). */
export function iterableSource(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): ByteSource {
  const it = (Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : (chunks as Iterable<Uint8Array>)[Symbol.iterator]()) as
    | AsyncIterator<Uint8Array>
    | Iterator<Uint8Array>;
  let rest: Uint8Array | undefined;
  let done = false;
  return {
    async read(into) {
      while (!rest || rest.length === 0) {
        if (done) return 0;
        const next = await it.next();
        if (next.done) {
          done = true;
          return 0;
        }
        rest = next.value;
      }
      const n = Math.min(into.length, rest.length);
      into.set(rest.subarray(0, n));
      rest = rest.subarray(n);
      return n;
    },
  };
}

/** Bytes before the read-ahead chunk, so a short tail can be moved in front of it without copying the chunk. */
const HEADROOM = 256 * 1024;
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The decoder's view of a source: a ByteReader whose window is refilled on
 * demand. While the decoder works on one buffer the next chunk is already
 * being read into the other.
 */
export class InputWindow {
  readonly reader: ByteReader;
  private readonly chunkBytes: number;
  /** Read-ahead buffers not in use. */
  private readonly free: ArrayBuffer[] = [];
  private ahead: { buf: Uint8Array; n: Promise<number> } | undefined;
  private ended = false;

  constructor(
    private readonly source: ByteSource,
    options: { chunkBytes?: number; maxStepBytes?: number } = {},
  ) {
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (source.bytes) {
      this.reader = new ByteReader(source.bytes, { final: true });
      this.ended = true;
    } else {
      this.reader = new ByteReader(new Uint8Array(0), { final: false });
    }
    if (options.maxStepBytes !== undefined) this.reader.maxStepBytes = options.maxStepBytes;
  }

  get atEnd(): boolean {
    return this.ended && this.reader.pos >= this.reader.end;
  }

  /** Starts reading the first chunk now, so that it arrives while the caller does other work. */
  prefetch(): void {
    if (!this.ended && !this.ahead) this.startReadAhead();
  }

  private startReadAhead(): void {
    const spare = this.free.pop();
    const buf = spare ? new Uint8Array(spare) : new Uint8Array(HEADROOM + this.chunkBytes);
    this.ahead = { buf, n: Promise.resolve(this.source.read(buf.subarray(HEADROOM))) };
  }

  /** The next chunk from the source (a view at HEADROOM in its buffer), or undefined at the end. */
  private async nextChunk(): Promise<Uint8Array | undefined> {
    if (this.ended) return undefined;
    if (!this.ahead) this.startReadAhead();
    const { buf, n } = this.ahead!;
    this.ahead = undefined;
    const count = await n;
    if (count === 0) {
      this.ended = true;
      this.recycle(buf);
      return undefined;
    }
    return buf.subarray(HEADROOM, HEADROOM + count);
  }

  /**
   * Buffers more input: keeps the bytes from window position `keepFrom` on and
   * reads until absolute offset `wanted` is covered or the source ends.
   */
  async refill(keepFrom: number, wanted: number, limit = Infinity): Promise<void> {
    const r = this.reader;
    const keepBase = r.base + keepFrom;
    const tail = r.buf.subarray(keepFrom, r.end);
    const old = r.buf;
    const parts: Uint8Array[] = [];
    let total = tail.length;
    do {
      const chunk = await this.nextChunk();
      if (!chunk) break;
      parts.push(chunk);
      total += chunk.length;
      if (total > limit) {
        throw new LimitError(`the rest of the stream is larger than ${limit} bytes, too much to hold while looking for its vmdesc`, {
          offset: keepBase,
        });
      }
    } while (keepBase + total < wanted);

    let buf: Uint8Array;
    let start: number;
    if (parts.length === 1 && tail.length <= HEADROOM) {
      // Common case: move the short tail in front of the new chunk, in the chunk's own buffer.
      const chunk = parts[0]!;
      buf = new Uint8Array(chunk.buffer, 0, HEADROOM + chunk.length);
      start = HEADROOM - tail.length;
      buf.set(tail, start);
    } else {
      buf = new Uint8Array(total);
      buf.set(tail, 0);
      let p = tail.length;
      for (const part of parts) {
        buf.set(part, p);
        p += part.length;
        this.recycle(part);
      }
      start = 0;
    }
    if (old.buffer !== buf.buffer) this.recycle(old);
    r.reset(buf, keepBase - start, start, start + total, this.ended);
    // Read the next chunk while the decoder works on this one.
    if (!this.ended && !this.ahead) this.startReadAhead();
  }

  /** Keeps a read-ahead buffer for reuse once nothing refers to its bytes any more. */
  private recycle(view: Uint8Array): void {
    const b = view.buffer as ArrayBuffer;
    if (b.byteLength === HEADROOM + this.chunkBytes && this.free.length < 2 && !this.free.includes(b)) this.free.push(b);
  }

  /**
   * Reads everything that is left into the window (for a source that cannot
   * seek, to find the vmdesc trailer). Refuses more than `limit` bytes.
   */
  async bufferToEnd(limit: number): Promise<void> {
    const r = this.reader;
    if (!this.ended) await this.refill(r.pos, Infinity, limit);
  }
}
