import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { fileHandleSink, writeFileAtomic } from "./file-sink.js";

/** A FileHandle stand-in whose writes finish in the reverse of the order they were made. */
function reversingHandle() {
  const file = new Uint8Array(64);
  const calls: { position: number | null | undefined; length: number }[] = [];
  const queued: (() => void)[] = [];
  const handle = {
    write(buf: Uint8Array, offset: number, length: number, position?: number | null) {
      calls.push({ position, length });
      const bytes = buf.slice(offset, offset + length);
      return new Promise((resolve) =>
        queued.unshift(() => {
          file.set(bytes, position ?? 0);
          resolve({ bytesWritten: length, buffer: buf });
        }),
      );
    },
    writev(bufs: Uint8Array[], position?: number | null) {
      const joined = Uint8Array.from(bufs.flatMap((b) => [...b]));
      return handle.write(joined, 0, joined.length, position);
    },
  };
  const finishAll = () => {
    while (queued.length) queued.shift()!();
  };
  return { handle: handle as unknown as FileHandle, file, calls, finishAll };
}

describe("fileHandleSink", () => {
  it("names every write's offset, so overlapping writes land in place whichever finishes first", async () => {
    const { handle, file, calls, finishAll } = reversingHandle();
    const sink = fileHandleSink(handle, 0);
    const a = sink.write(Uint8Array.of(1, 2, 3));
    const b = sink.writev!([Uint8Array.of(4, 5), Uint8Array.of(6)]);
    const c = sink.write(Uint8Array.of(7));
    finishAll();
    await Promise.all([a, b, c]);
    expect(calls.map((x) => x.position)).toEqual([0, 3, 6]);
    expect([...file.subarray(0, 7)]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("wants a real offset to start at", () => {
    const { handle } = reversingHandle();
    for (const bad of [Number.NaN, -1, 1.5, undefined]) expect(() => fileHandleSink(handle, bad as number)).toThrow(/needs the offset it starts at/);
  });

  it("starts at the position it is given", async () => {
    const { handle, file, finishAll } = reversingHandle();
    const sink = fileHandleSink(handle, 10);
    const w = sink.write(Uint8Array.of(9, 9));
    finishAll();
    await w;
    expect([...file.subarray(8, 13)]).toEqual([0, 0, 9, 9, 0]);
  });
});

describe("writeFileAtomic", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes overlapping chunks into a real file in order", async () => {
    dir = await mkdtemp(join(tmpdir(), "vmstate-sink-"));
    const path = join(dir, "out.bin");
    const parts = Array.from({ length: 8 }, (_, i) => new Uint8Array(100_000).fill(i + 1));
    await writeFileAtomic(path, async (sink) => {
      await Promise.all(parts.map((p) => sink.write(p))); // all under way at once
    });
    const got = new Uint8Array(await readFile(path));
    expect(got.length).toBe(800_000);
    for (let i = 0; i < 8; i++) expect(got[i * 100_000]).toBe(i + 1);
    expect(got[799_999]).toBe(8);
  });
});
