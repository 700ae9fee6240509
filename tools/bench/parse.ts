/**
 * Parse: decodeStream over the stream as `vmstate inspect` reads it, against
 * a plain sequential read of the same file (the I/O floor) and against
 * QEMU's own analyze-migration.py. Peak RSS shows the decoder streams.
 */
import { existsSync, statSync } from "node:fs";
import { DEFAULT_CHUNK_BYTES } from "@vmstate/core";
import { runInChild, runProcess } from "./child.js";
import { countPages, readPlain } from "./workloads.js";
import type { Benchmark, Comparison, Contender } from "./harness.js";
import { warmPageCache } from "./page-cache.js";
import { ANALYZE_HOWTO, shown } from "./paths.js";
import { mib } from "./units.js";

export const parseBenchmark: Benchmark = {
  name: "parse",
  title: "decode the stream as `vmstate inspect` does (pages counted per block, nothing kept)",
  async prepare(ctx) {
    if (!existsSync(ctx.stream)) return { skip: `${shown(ctx.root, ctx.stream)} is missing; ${ctx.streamHowto}` };
    const path = ctx.stream;
    await warmPageCache(path);

    const decode: Contender = {
      label: "decodeStream, fresh node process",
      async once() {
        const r = await runInChild({ task: "decode", path }, ctx.childNodeArgs);
        return { ms: r.ms, processMs: r.processMs, maxRssMiB: r.maxRssMiB };
      },
    };
    const read: Contender = {
      label: `plain read, ${mib(DEFAULT_CHUNK_BYTES)} MiB chunks, fresh node process`,
      async once() {
        const r = await runInChild({ task: "read", path, chunkBytes: DEFAULT_CHUNK_BYTES });
        if (r.result !== statSync(path).size) throw new Error(`plain read returned ${String(r.result)} bytes`);
        return { ms: r.ms, processMs: r.processMs, maxRssMiB: r.maxRssMiB };
      },
    };
    const comparisons: Comparison[] = [{ baseline: read, target: { kind: "within", ratio: 1.3 } }];
    const skipped = [];
    const script = ctx.analyzeScript;
    if (script && existsSync(script)) {
      const analyze: Contender = {
        label: "python3 analyze-migration.py -f FILE >/dev/null",
        async once() {
          const r = await runProcess("python3", [script, "-f", path], { captureStdout: false });
          return { ms: r.processMs, processMs: r.processMs };
        },
      };
      // A command of its own can only be timed whole, so ours is too: both pay their interpreter's start-up.
      comparisons.push({ baseline: analyze, target: { kind: "faster", ratio: 2.5 }, clock: "process" });
    } else {
      skipped.push({ label: "analyze-migration.py", reason: `${script ? `${script} does not exist` : "not found"}; ${ANALYZE_HOWTO}` });
    }
    return {
      subject: decode,
      comparisons,
      skipped,
      memory: { limitMiB: 128, target: "under 128 MiB however large the stream" },
      notes: [
        `stream: ${shown(ctx.root, path)} (${mib(statSync(path).size).toFixed(1)} MiB)`,
        "page cache: warm for all contenders (the file was read once before measuring)",
        "times: work = open to close inside the process; process = spawn to exit",
        ...(script && existsSync(script) ? [`analyze-migration.py: ${shown(ctx.root, script)}`] : []),
      ],
    };
  },
};

/**
 * The same two contenders inside the bench's own process, after their
 * warm-up run: the decoder's cost over the read with V8's compilation done,
 * which a fresh process (above) pays on every run and a long-lived user of
 * the library (a migration tool, a server) pays once.
 */
export const parseWarmBenchmark: Benchmark = {
  name: "parse-warm",
  title: "the same decode against the same plain read, in one warm process (compiled code, no start-up)",
  async prepare(ctx) {
    if (!existsSync(ctx.stream)) return { skip: `${shown(ctx.root, ctx.stream)} is missing; ${ctx.streamHowto}` };
    const path = ctx.stream;
    await warmPageCache(path);
    const timed = async (work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      return { ms: performance.now() - t };
    };
    return {
      subject: { label: "decodeStream, in process", once: () => timed(() => countPages(path)) },
      comparisons: [
        {
          baseline: { label: `plain read, ${mib(DEFAULT_CHUNK_BYTES)} MiB chunks, in process`, once: () => timed(() => readPlain(path, DEFAULT_CHUNK_BYTES)) },
          target: { kind: "within", ratio: 1.3 },
        },
      ],
      notes: [`stream: ${shown(ctx.root, path)}; page cache warm`],
    };
  },
};
