/**
 * Byte sources and the decoder's input window. A source is sequential (a
 * socket, a pipe) and may also know its size and read at an offset (a file,
 * memory), which lets the decoder read the vmdesc trailer first. The window
 * reads ahead into other buffers while the decoder parses one.
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

/**
 * Reads all of `into` from `position` on, unless the source ends first (a
 * short count): a positional read may return less than asked for.
 */
export async function readAtFully(source: ByteSource, position: number, into: Uint8Array): Promise<number> {
  let got = 0;
  while (got < into.length) {
    const n = await source.readAt!(position + got, into.subarray(got));
    if (n === 0) break;
    got += n;
  }
  return got;
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
 * Chunks buffered ahead of the decoder. Its first milliseconds (the vmdesc,
 * V8 warming up) are slower than the input; reading on meanwhile lets it
 * catch up later instead of leaving the reads idle.
 */
export const DEFAULT_READ_AHEAD = 4;

/**
 * Positional reads (a file's) under way at once. Two keep a file read from
 * the page cache going on a second core; more only compete with the decoder.
 */
export const DEFAULT_PARALLEL_READS = 2;

interface PendingChunk {
  readonly buf: Uint8Array;
  readonly n: Promise<number>;
  arrived: boolean;
}

/**
 * The decoder's view of a source: a ByteReader whose window is refilled on
 * demand. While the decoder works on one buffer, the next chunks are read
 * into others until `readAhead` chunks wait: from a source that reads at an
 * offset (a file), `parallelReads` at once, each naming its offset; from a
 * sequential one (a socket), one at a time.
 */
export class InputWindow {
  readonly reader: ByteReader;
  private readonly chunkBytes: number;
  private readonly readAhead: number;
  /** Read-ahead buffers not in use. */
  private readonly free: ArrayBuffer[] = [];
  /** Chunks arrived or being read, in stream order. */
  private readonly pending: PendingChunk[] = [];
  /** Reads under way. */
  private reading = 0;
  private readonly parallelReads: number;
  /** Where the next positional read starts. */
  private readOffset = 0;
  /** Only the prefetched chunk is read until the decoder first asks for input. */
  private onlyPrefetch = false;
  /** A read came back empty, short (positional) or failed: nothing more is asked of the source. */
  private sourceDone = false;
  /** A read failed: every later refill reports it. */
  private failure: { readonly error: unknown } | undefined;
  private ended = false;

  constructor(
    private readonly source: ByteSource,
    options: { chunkBytes?: number; maxStepBytes?: number; readAhead?: number; parallelReads?: number } = {},
  ) {
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.readAhead = Math.max(1, options.readAhead ?? DEFAULT_READ_AHEAD);
    this.parallelReads = Math.max(1, Math.min(this.readAhead, options.parallelReads ?? DEFAULT_PARALLEL_READS));
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

  /**
   * Starts reading the first chunk now, so that it arrives while the caller
   * does other work: reading the vmdesc trailer, which should not queue
   * behind a full read-ahead. The first refill starts the rest.
   */
  prefetch(): void {
    if (this.ended) return;
    this.readMore(1);
    this.onlyPrefetch = true;
  }

  /**
   * Whether the next chunk has already arrived, so that a refill now would
   * not wait: the decoder is behind its input and should take on no extra work.
   */
  get nextChunkArrived(): boolean {
    return this.pending[0]?.arrived === true;
  }

  /**
   * Starts reads until `readAhead` chunks are arrived or under way. Reads at
   * an offset may overlap (up to `parallelReads`), each naming where it
   * starts; sequential reads go one at a time.
   */
  private readMore(limit = Infinity): void {
    const positional = this.source.readAt !== undefined;
    const parallel = Math.min(limit, positional ? this.parallelReads : 1);
    while (this.reading < parallel && !this.sourceDone && this.pending.length < this.readAhead) {
      const spare = this.free.pop();
      const buf = spare ? new Uint8Array(spare) : new Uint8Array(HEADROOM + this.chunkBytes);
      const into = buf.subarray(HEADROOM);
      let n: Promise<number>;
      try {
        n = positional ? readAtFully(this.source, this.readOffset, into) : Promise.resolve(this.source.read(into));
      } catch (e) {
        n = Promise.reject(e);
      }
      this.readOffset += into.length;
      const chunk: PendingChunk = { buf, n, arrived: false };
      this.reading++;
      this.pending.push(chunk);
      n.then(
        (count) => {
          chunk.arrived = true;
          this.reading--;
          if (count < into.length && (positional || count === 0)) this.sourceDone = true;
          else if (!this.onlyPrefetch) this.readMore();
        },
        () => {
          // Reported where the chunk is awaited; no read follows a failed one.
          this.reading--;
          this.sourceDone = true;
        },
      );
    }
  }

  /** The next chunk from the source (a view at HEADROOM in its buffer), or undefined at the end. */
  private async nextChunk(): Promise<Uint8Array | undefined> {
    if (this.failure) throw this.failure.error;
    if (this.ended) return undefined;
    this.onlyPrefetch = false;
    this.readMore();
    const next = this.pending.shift();
    if (!next) {
      this.ended = true;
      return undefined;
    }
    let count: number;
    try {
      count = await next.n;
    } catch (e) {
      this.failure = { error: e }; // asked again, the window fails again rather than skip the chunk
      throw e;
    }
    this.readMore(); // a slot is free again
    if (count === 0) {
      this.ended = true;
      this.recycle(next.buf);
      return undefined;
    }
    // A short positional read is the end: reads already under way past it are never awaited.
    if (count < this.chunkBytes && this.source.readAt) this.ended = true;
    return next.buf.subarray(HEADROOM, HEADROOM + count);
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
    // Read on while the decoder works on this chunk.
    if (!this.ended) this.readMore();
  }

  /** Keeps a read-ahead buffer for reuse once nothing refers to its bytes any more. */
  private recycle(view: Uint8Array): void {
    const b = view.buffer as ArrayBuffer;
    if (b.byteLength === HEADROOM + this.chunkBytes && this.free.length < this.readAhead && !this.free.includes(b)) this.free.push(b);
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
