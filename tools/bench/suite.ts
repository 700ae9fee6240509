/** One benchmark session: inputs found (or, with --quick, made), each selected benchmark run and printed. */
import { mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { type BenchContext, type BenchResult, canCollectGarbage, runBenchmark } from "./harness.js";
import type { BenchOptions } from "./options.js";
import { PERF_STREAM, PERF_STREAM_HOWTO, findAnalyzeScript, repoRoot, shown, workDir } from "./paths.js";
import { BENCHMARKS } from "./registry.js";
import { formatResult, tally } from "./report.js";
import { writeSyntheticStream } from "./synthetic-stream.js";
import { MiB } from "./units.js";

export const QUICK_RAM_BYTES = 64 * MiB;

export async function runSuite(o: BenchOptions, print: (line: string) => void): Promise<BenchResult[]> {
  const unknown = (o.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(", ")} (known: ${BENCHMARKS.map((b) => b.name).join(", ")})`);
  const selected = BENCHMARKS.filter((b) => !o.only || o.only.includes(b.name));

  const root = repoRoot();
  const work = workDir(root);
  mkdirSync(work, { recursive: true });
  // The quick stream is per process, so two sessions never share (or delete) each other's input.
  const quickStream = o.quick ? join(work, `quick-${QUICK_RAM_BYTES / MiB}m-${process.pid}.mig`) : undefined;
  const ctx: BenchContext = {
    root,
    workDir: work,
    stream: quickStream ?? (o.stream ? resolve(o.stream) : join(work, PERF_STREAM)),
    streamHowto: o.stream ? "check the --stream path" : PERF_STREAM_HOWTO,
    analyzeScript: o.analyze ? resolve(o.analyze) : findAnalyzeScript(root),
    runs: o.runs,
    ...(o.cpuProfDir ? { childNodeArgs: ["--cpu-prof", "--cpu-prof-dir", resolve(o.cpuProfDir)] } : {}),
  };

  print(`vmstate benchmarks: ${o.runs} measured run(s) per contender after 1 warm-up run; medians compared`);
  print(`node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"})`);
  // Other processes on the CPUs slow the contenders unevenly (most, those that overlap I/O with work).
  print(`load average before starting: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (o.cpuProfDir) print(`CPU profiles of the decode children go to ${resolve(o.cpuProfDir)} (profiling slows them: ignore the ratios)`);
  if (!canCollectGarbage) print("note: no --expose-gc; in-process runs may pay for earlier runs' garbage");
  try {
    if (quickStream) {
      const bytes = await writeSyntheticStream(quickStream, QUICK_RAM_BYTES);
      print(`--quick: synthetic ${QUICK_RAM_BYTES / MiB} MiB RAM image (half non-zero) written as a ${(bytes / MiB).toFixed(1)} MiB stream to ${shown(root, quickStream)}`);
    }
    const results: BenchResult[] = [];
    for (const b of selected) {
      print("");
      const r = await runBenchmark(b, ctx);
      for (const line of formatResult(r)) print(line);
      results.push(r);
    }
    const t = tally(results);
    print("");
    print(`summary: ${t.pass} PASS, ${t.miss} MISS${t.skipped ? `, ${t.skipped} skipped` : ""}`);
    return results;
  } finally {
    if (quickStream) rmSync(quickStream, { force: true });
  }
}
