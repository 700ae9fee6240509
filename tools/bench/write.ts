/**
 * Write: the RAM image of the parse stream, rebuilt in memory, written back
 * as a stream by writeRamImageStream, against one plain write of as many
 * bytes. Both go through the same plain file sink into tools/bench/work/,
 * without fsync, so the ratio is the encoder's cost over the I/O itself.
 */
import { writeRamImageStream } from "@vmstate/core";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ByteSink } from "@vmstate/core";
import { openFileSink } from "./file-sink.js";
import type { Benchmark, Contender } from "./harness.js";
import { shown } from "./paths.js";
import { rebuildRamImage } from "./ram-image.js";
import { mib } from "./units.js";

/** Times `write(sink)` into a fresh file, then deletes the file (deleting is not timed). */
async function timedFileWrite(path: string, write: (sink: ByteSink) => Promise<unknown>): Promise<{ ms: number }> {
  const t0 = performance.now();
  const sink = await openFileSink(path);
  try {
    await write(sink);
  } finally {
    await sink.close();
  }
  const ms = performance.now() - t0;
  await rm(path, { force: true });
  return { ms };
}

/**
 * `knownZero`: the image carries the pages its loading wrote (as a machine's
 * dirty tracking does), so pages never written go out as ZERO records unread.
 * Without it every page is scanned for zeros, as QEMU does.
 */
function writeBenchmarkOf(knownZero: boolean): Benchmark {
  return {
    name: knownZero ? "write" : "write-scan",
    title: knownZero
      ? "write the stream's RAM image as a stream (writeRamImageStream; written-page bitmap from loading)"
      : "write the same RAM image, every page scanned for zeros as QEMU does",
    async prepare(ctx) {
      if (!existsSync(ctx.stream)) return { skip: `${shown(ctx.root, ctx.stream)} is missing; ${ctx.streamHowto}` };
      const loaded = await rebuildRamImage(ctx.stream);
      const image = knownZero ? loaded : { ...loaded, blocks: loaded.blocks.map(({ id, data }) => ({ id, data })) };
      let streamBytes = 0;
      await writeRamImageStream({ write: (c) => void (streamBytes += c.length) }, image); // its size, for the baseline
      // Filled, so the baseline's pages are resident before it is timed, as the image's are.
      const plain = new Uint8Array(streamBytes).fill(0xa5);

      const out = join(ctx.workDir, `bench-write-${process.pid}`);
      const subject: Contender = {
        label: "writeRamImageStream -> file sink",
        once: () => timedFileWrite(`${out}.mig`, (sink) => writeRamImageStream(sink, image)),
      };
      const baseline: Contender = {
        label: `one write of ${mib(streamBytes).toFixed(1)} MiB`,
        once: () => timedFileWrite(`${out}.bin`, async (sink) => sink.write(plain)),
      };
      const ramBytes = image.blocks.reduce((n, b) => n + b.data.length, 0);
      return {
        subject,
        comparisons: [{ baseline, target: { kind: "within", ratio: 1.3 } }],
        notes: [
          `RAM image: ${image.blocks.length} blocks, ${mib(ramBytes).toFixed(1)} MiB, rebuilt from ${shown(ctx.root, ctx.stream)}; stream written: ${mib(streamBytes).toFixed(1)} MiB`,
          `output: ${shown(ctx.root, ctx.workDir)}/, deleted after every run; both sides: plain file sink, no fsync, open to close timed`,
        ],
        footnotes: ["QEMU itself needs about 3.5x the plain write here"],
        async dispose() {
          await rm(`${out}.mig`, { force: true });
          await rm(`${out}.bin`, { force: true });
        },
      };
    },
  };
}

export const writeBenchmark = writeBenchmarkOf(true);
export const writeScanBenchmark = writeBenchmarkOf(false);
