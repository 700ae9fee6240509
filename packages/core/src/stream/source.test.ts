import { describe, expect, it } from "vitest";
import { fixtureNames, loadFixture } from "../fixtures.test-helper.js";
import { decodeStream } from "./decoder.js";
import { encodeItem } from "./encoder.js";
import { InputWindow, type ByteSource } from "./source.js";
import { ByteWriter } from "../wire/byte-writer.js";

/**
 * A file-like source whose positional reads return at most `piece` bytes and
 * take `turnsOf(read number)` turns of the event loop, so overlapping reads
 * come back out of order. Records every read's offset and the most under way at once.
 */
function scrambledSource(bytes: Uint8Array, piece: number, turnsOf: (k: number) => number) {
  let k = 0;
  let underWay = 0;
  const log = { offsets: [] as number[], maxUnderWay: 0 };
  const source: ByteSource = {
    size: bytes.length,
    read: () => {
      throw new Error("a positional source is not read sequentially");
    },
    readAt: async (position, into) => {
      log.offsets.push(position);
      underWay++;
      log.maxUnderWay = Math.max(log.maxUnderWay, underWay);
      await turns(turnsOf(k++));
      underWay--;
      const n = Math.max(0, Math.min(into.length, piece, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
  };
  return { source, log };
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Everything the window yields, refilled chunk by chunk the way the decoder asks. */
async function drain(window: InputWindow): Promise<Uint8Array> {
  const r = window.reader;
  const out: number[] = [];
  for (;;) {
    for (; r.pos < r.end; r.pos++) out.push(r.buf[r.pos]!);
    if (window.atEnd) return Uint8Array.from(out);
    await window.refill(r.pos, r.offset + 1);
    if (r.pos >= r.end && window.atEnd) return Uint8Array.from(out);
  }
}

const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

describe("InputWindow read-ahead", () => {
  it("delivers a positional source's bytes in order although its reads finish in reverse", async () => {
    // Later reads finish first (5 turns, 4, ...), so every overlap is out of order.
    const { source, log } = scrambledSource(bytes, Infinity, (k) => Math.max(0, 5 - k));
    const window = new InputWindow(source, { chunkBytes: 1024, readAhead: 4, parallelReads: 3 });
    expect(await drain(window)).toEqual(bytes);
    expect(log.maxUnderWay).toBe(3);
    // Each chunk was asked for once, at its own offset.
    const starts = [...log.offsets].sort((a, b) => a - b);
    expect(starts.slice(0, 10)).toEqual([0, 1024, 2048, 3072, 4096, 5120, 6144, 7168, 8192, 9216]);
  });

  it("completes short positional reads, so the next chunk's offset holds", async () => {
    const { source, log } = scrambledSource(bytes, 300, (k) => k % 3);
    const window = new InputWindow(source, { chunkBytes: 1024, readAhead: 3, parallelReads: 2 });
    expect(await drain(window)).toEqual(bytes);
    // 300-byte pieces: each 1024-byte chunk took several reads at its own running offset.
    expect(log.offsets).toContain(300);
    expect(log.offsets).toContain(1024 + 300);
  });

  it("reads a sequential source one read at a time", async () => {
    let underWay = 0;
    let maxUnderWay = 0;
    let pos = 0;
    const source: ByteSource = {
      read: async (into) => {
        underWay++;
        maxUnderWay = Math.max(maxUnderWay, underWay);
        await turns(2);
        underWay--;
        const n = Math.min(into.length, 700, bytes.length - pos);
        into.set(bytes.subarray(pos, pos + n));
        pos += n;
        return n;
      },
    };
    const window = new InputWindow(source, { chunkBytes: 1024, readAhead: 4, parallelReads: 4 });
    expect(await drain(window)).toEqual(bytes);
    expect(maxUnderWay).toBe(1);
  });

  it("reports a failed read where its chunk is needed, and a failure past the end never", async () => {
    const asked: number[] = [];
    const failing = (failFrom: number): ByteSource => ({
      size: bytes.length,
      read: () => 0,
      readAt: async (position, into) => {
        asked.push(position);
        await turns(2); // so that reads overlap
        if (position >= failFrom) throw new Error(`read at ${position} failed`);
        const n = Math.max(0, Math.min(into.length, bytes.length - position));
        into.set(bytes.subarray(position, position + n));
        return n;
      },
    });
    await expect(drain(new InputWindow(failing(4096), { chunkBytes: 1024, readAhead: 4, parallelReads: 2 }))).rejects.toThrow("read at 4096 failed");
    // Reads past the end (offset 10240 on) fail; the short chunk before them ends the input first.
    asked.length = 0;
    expect(await drain(new InputWindow(failing(10_240), { chunkBytes: 1024, readAhead: 4, parallelReads: 4 }))).toEqual(bytes);
    expect(asked, "a read past the end was under way").toContain(10_240);
  });

  it("fails again when asked again after a failed read, rather than skip its chunk", async () => {
    const source: ByteSource = {
      size: bytes.length,
      read: () => 0,
      readAt: async (position, into) => {
        if (position === 2048) throw new Error("bad sector");
        const n = Math.max(0, Math.min(into.length, bytes.length - position));
        into.set(bytes.subarray(position, position + n));
        return n;
      },
    };
    const window = new InputWindow(source, { chunkBytes: 1024, readAhead: 4, parallelReads: 2 });
    await expect(drain(window)).rejects.toThrow("bad sector");
    const r = window.reader;
    await expect(window.refill(r.pos, r.offset + 1)).rejects.toThrow("bad sector");
  });

  it.each(fixtureNames())("decodes %s identically whatever the read-ahead, the overlap and the order reads finish in", async (name) => {
    const stream = loadFixture(name);
    for (const [readAhead, parallelReads] of [
      [1, 1],
      [4, 2],
      [6, 6],
    ] as const) {
      const { source } = scrambledSource(stream, 20_000, (k) => (k * 7) % 4);
      const out = new ByteWriter();
      await decodeStream(source, (item) => encodeItem(out, item), { chunkBytes: 64 * 1024, readAhead, parallelReads });
      // Compared natively: a deep equality over megabytes is slower than the decode.
      expect(Buffer.compare(out.result(), stream), `read ahead ${readAhead}, ${parallelReads} at once`).toBe(0);
    }
  });
});
