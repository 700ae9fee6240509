import { describe, expect, it } from "vitest";
import { GATHER_MIN_BYTES, type ByteSink, SinkWriter } from "./byte-writer.js";

/** A sink that keeps what it is handed: copies of the bytes, and the pieces of gathered writes as given. */
function recordingSink(gather: boolean) {
  const chunks: Uint8Array[] = [];
  const gathered: Uint8Array[][] = [];
  const sink: ByteSink = {
    write: (c) => void chunks.push(c.slice()),
    ...(gather
      ? {
          writev: (pieces: readonly Uint8Array[]) => {
            gathered.push([...pieces]);
            chunks.push(Uint8Array.from(pieces.flatMap((p) => [...p])));
          },
        }
      : {}),
  };
  const bytes = () => Uint8Array.from(chunks.flatMap((c) => [...c]));
  return { sink, gathered, bytes };
}

function filled(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

describe("SinkWriter", () => {
  const small = filled(4096, 1); // a RAM page
  const large = filled(GATHER_MIN_BYTES, 2);

  async function writeAll(sink: ByteSink): Promise<number> {
    const w = new SinkWriter(sink, 8192);
    w.u32(0x51455649);
    w.reference(small);
    w.u8(7);
    w.reference(large);
    w.u64Number(2 ** 40 + 5);
    w.reference(small);
    await w.drain();
    return w.position;
  }

  it("writes the same bytes whether the sink gathers or not", async () => {
    const copying = recordingSink(false);
    const gathering = recordingSink(true);
    const n1 = await writeAll(copying.sink);
    const n2 = await writeAll(gathering.sink);
    const expected = new Uint8Array([...[0x51, 0x45, 0x56, 0x49], ...small, 7, ...large, ...[0, 0, 1, 0, 0, 0, 0, 5], ...small]);
    // Compared natively: a deep equality over 70 KiB is slow to run.
    expect(Buffer.compare(copying.bytes(), expected)).toBe(0);
    expect(Buffer.compare(gathering.bytes(), expected)).toBe(0);
    expect(n1).toBe(expected.length);
    expect(n2).toBe(expected.length);
  });

  it("copies small views and hands large ones to a gathering sink uncopied", async () => {
    const gathering = recordingSink(true);
    await writeAll(gathering.sink);
    const pieces = gathering.gathered.flat();
    // The large view itself, not a copy of it.
    expect(pieces.some((p) => p.buffer === large.buffer && p.byteOffset === large.byteOffset && p.length === large.length)).toBe(true);
    // The pages were copied into the writer's own chunks.
    expect(pieces.some((p) => p.buffer === small.buffer)).toBe(false);
  });

  it("hands an asynchronous sink one chunk at a time, in order, never refilling a buffer it still writes", async () => {
    const written: Uint8Array[] = [];
    const inFlight = new Set<Uint8Array>();
    let mostInFlight = 0;
    const release: (() => void)[] = [];
    const sink: ByteSink = {
      write(c) {
        for (const busy of inFlight) expect(busy.buffer === c.buffer, "a buffer still being written was handed out again").toBe(false);
        const copy = c.slice();
        inFlight.add(c);
        mostInFlight = Math.max(mostInFlight, inFlight.size);
        return new Promise<void>((resolve) =>
          release.push(() => {
            // The bytes must not have changed while the write was under way.
            expect(c).toEqual(copy);
            inFlight.delete(c);
            written.push(copy);
            resolve();
          }),
        );
      },
    };
    const w = new SinkWriter(sink, 1024);
    const pages = Array.from({ length: 10 }, (_, i) => filled(700, i));
    const done = (async () => {
      for (const p of pages) {
        w.reference(p);
        const pending = w.maybeFlush();
        if (pending) await pending;
      }
      await w.drain();
    })();
    let finished = false;
    void done.finally(() => (finished = true));
    // Finish the writes one by one, each a little later than the writer would like.
    while (!finished) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    await done;
    expect(Uint8Array.from(written.flatMap((c) => [...c]))).toEqual(Uint8Array.from(pages.flatMap((p) => [...p])));
    expect(written.length).toBeGreaterThan(3);
    expect(mostInFlight).toBe(1);
  });
});

describe("SinkWriter failures", () => {
  it("reports a failed write where it is awaited, and leaves no rejection unhandled", async () => {
    let calls = 0;
    const sink: ByteSink = {
      write: async () => {
        calls++;
        await new Promise((r) => setImmediate(r));
        throw new Error("disk full");
      },
    };
    const w = new SinkWriter(sink, 1024);
    w.zeros(1500);
    expect(w.maybeFlush()).toBeUndefined(); // the first write is under way; nothing to wait for yet
    w.zeros(1500);
    const pending = w.maybeFlush(); // the first write, still using the buffer switched to
    await expect(pending).rejects.toThrow("disk full");
    // The second chunk waited for the first, which failed: it never reached the sink.
    await expect(w.drain()).rejects.toThrow("disk full");
    expect(calls).toBe(1);
  });
});

describe("SinkWriter with a sink that fails at once", () => {
  it("stays failed: nothing is written after a chunk the sink may have half taken", () => {
    let calls = 0;
    const sink: ByteSink = {
      write: () => {
        calls++;
        throw new Error("EPIPE");
      },
    };
    const w = new SinkWriter(sink, 1024);
    w.zeros(2000);
    expect(() => w.flush()).toThrow("EPIPE");
    w.zeros(10);
    expect(() => w.flush()).toThrow("EPIPE");
    expect(calls).toBe(1);
  });
});
