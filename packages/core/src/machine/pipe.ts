/**
 * An in-memory channel between a migration's two sides: a sink at one end,
 * a source at the other, with backpressure, an end, and a shutdown that
 * fails both sides (what qemu_file_shutdown does to a socket).
 */
import { VmstateError } from "../errors.js";
import type { ByteSink } from "../wire/byte-writer.js";
import type { ByteSource } from "../stream/source.js";

export class MemoryPipe implements ByteSink, ByteSource {
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private wakeReader: (() => void) | undefined;
  private readonly wakeWriters: (() => void)[] = [];

  constructor(private readonly highWater = 16 * 1024 * 1024) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.push(chunk.slice());
    await this.backpressure();
  }

  async writev(chunks: readonly Uint8Array[]): Promise<void> {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const joined = new Uint8Array(total);
    let p = 0;
    for (const c of chunks) {
      joined.set(c, p);
      p += c.length;
    }
    this.push(joined);
    await this.backpressure();
  }

  async read(into: Uint8Array): Promise<number> {
    while (this.chunks.length === 0) {
      if (this.failure) throw this.failure;
      if (this.ended) return 0;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
    if (this.failure) throw this.failure;
    const head = this.chunks[0]!;
    const n = Math.min(into.length, head.length);
    into.set(head.subarray(0, n));
    if (n === head.length) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.queued -= n;
    if (this.queued <= this.highWater) this.releaseWriters();
    return n;
  }

  /** No more bytes: the reader sees the end once it has read what is queued. */
  close(): void {
    this.ended = true;
    this.wakeReader?.();
  }

  /** Fails both ends from now on. */
  shutdown(reason: Error): void {
    if (!this.failure) this.failure = reason;
    this.chunks.length = 0;
    this.queued = 0;
    this.wakeReader?.();
    this.releaseWriters();
  }

  private push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new VmstateError("IO_ERROR", "write after the end of the channel");
    this.chunks.push(chunk);
    this.queued += chunk.length;
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  private async backpressure(): Promise<void> {
    while (this.queued > this.highWater && !this.failure) await new Promise<void>((resolve) => this.wakeWriters.push(resolve));
    if (this.failure) throw this.failure;
  }

  private releaseWriters(): void {
    for (const w of this.wakeWriters.splice(0)) w();
  }
}
