// Exercises the --quick path on a tiny synthetic stream: inputs, contenders, results and their
// printed form. Timings and ratios are never asserted; only that they are there and sane.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuTicks, stealPercent } from "./cpu-steal.js";
import { type BenchContext, type BenchResult, type ContenderResult, runBenchmark } from "./harness.js";
import { parseBenchmark } from "./parse.js";
import { repoRoot } from "./paths.js";
import { rebuildRamImage, syntheticRamImage } from "./ram-image.js";
import { formatResult, tally } from "./report.js";
import { writeSyntheticStream } from "./synthetic-stream.js";
import { MiB } from "./units.js";
import { countPages } from "./workloads.js";
import { writeBenchmark } from "./write.js";

const RAM = 4 * MiB;
let dir: string;
let ctx: BenchContext;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmstate-bench-"));
  const stream = join(dir, "tiny.mig");
  await writeSyntheticStream(stream, RAM);
  ctx = { root: repoRoot(), workDir: dir, stream, streamHowto: "(test)", analyzeScript: undefined, runs: 2 };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectSane(c: ContenderResult | undefined, runs: number): void {
  expect(c).toBeDefined();
  expect(c!.label).not.toBe("");
  expect(c!.samples).toHaveLength(runs);
  for (const s of c!.samples) expect(Number.isFinite(s.ms) && s.ms > 0).toBe(true);
  expect(c!.medianMs).toBeGreaterThan(0);
}

describe("synthetic stream", () => {
  it("rebuilds into the image it was written from", async () => {
    const image = await rebuildRamImage(ctx.stream);
    const expected = syntheticRamImage(RAM);
    expect(image.machineType).toBe(expected.machineType);
    expect(image.pageSize).toBe(4096);
    expect(image.blocks.map((b) => b.id)).toEqual(expected.blocks.map((b) => b.id));
    for (const [i, b] of image.blocks.entries()) expect(Buffer.compare(b.data, expected.blocks[i]!.data)).toBe(0);
  });

  it("is half non-zero pages, as the decode workload counts them", async () => {
    expect(await countPages(ctx.stream)).toEqual({
      "synthetic.ram": { zero: 512, normal: 512, other: 0 },
      "synthetic.rom": { zero: 12, normal: 4, other: 0 },
    });
  });
});

describe("benchmarks on the tiny stream", () => {
  let parse: BenchResult;
  let write: BenchResult;
  beforeAll(async () => {
    parse = await runBenchmark(parseBenchmark, ctx);
    write = await runBenchmark(writeBenchmark, ctx);
  });

  it("parse: decode in child processes against a plain read, with peak RSS", () => {
    expect(parse.skipped).toBeUndefined();
    expectSane(parse.subject, ctx.runs);
    expect(parse.subject!.medianProcessMs).toBeGreaterThanOrEqual(parse.subject!.medianMs);
    expect(parse.subject!.peakRssMiB).toBeGreaterThan(1);
    expect(parse.subject!.peakRssMiB).toBeLessThan(4096);
    expect(parse.comparisons).toHaveLength(1);
    const [vsRead] = parse.comparisons;
    expectSane(vsRead!.baseline, ctx.runs);
    expect(vsRead!.target).toEqual({ kind: "within", ratio: 1.3 });
    expect(Number.isFinite(vsRead!.ratio) && vsRead!.ratio > 0).toBe(true);
    expect(typeof vsRead!.pass).toBe("boolean");
    expect(parse.memory).toMatchObject({ limitMiB: 128, peakMiB: parse.subject!.peakRssMiB });
    // No script was given: the comparison is reported as skipped, with how to get it.
    expect(parse.skippedComparisons.map((s) => s.label)).toEqual(["analyze-migration.py"]);
    expect(parse.skippedComparisons[0]!.reason).toMatch(/get-qemu-source\.sh/);
  });

  it("write: writeRamImageStream against a plain write, output deleted", async () => {
    expect(write.skipped).toBeUndefined();
    expectSane(write.subject, ctx.runs);
    expect(write.comparisons).toHaveLength(1);
    expectSane(write.comparisons[0]!.baseline, ctx.runs);
    expect(Number.isFinite(write.comparisons[0]!.ratio)).toBe(true);
    expect(write.footnotes).toContain("QEMU itself needs about 3.5x the plain write here");
    expect(await readdir(dir)).toEqual(["tiny.mig"]);
  });

  it("prints every measurement with a verdict", () => {
    const text = [...formatResult(parse), ...formatResult(write)].join("\n");
    expect(text).toMatch(/median/);
    // Steal is reported for every benchmark that ran long enough to measure it.
    const measured = [parse, write].filter((r) => r.stealPercent !== undefined).length;
    expect(text.match(/during the runs \(steal\): \d+\.\d%/g) ?? []).toHaveLength(measured);
    expect(text.match(/ (PASS|MISS)$/gm)).toHaveLength(3);
    expect(text).toMatch(/SKIPPED/);
    const t = tally([parse, write]);
    expect(t.pass + t.miss).toBe(3);
    expect(t.skipped).toBe(1);
  });
});

describe("missing input", () => {
  it("skips with the way to create it", async () => {
    const missing = { ...ctx, stream: join(dir, "nope.mig"), streamHowto: "create it with: X" };
    for (const b of [parseBenchmark, writeBenchmark]) {
      const r = await runBenchmark(b, missing);
      expect(r.skipped).toMatch(/nope\.mig is missing; create it with: X/);
      expect(existsSync(missing.stream)).toBe(false);
    }
  });
});

describe("host CPU steal", () => {
  it("is the stolen share of all CPU time between two readings", () => {
    expect(stealPercent({ steal: 100, total: 10_000 }, { steal: 150, total: 11_000 })).toBeCloseTo(5);
    // Too short a window (ticks are 10 ms) or a counter that went back says nothing.
    expect(stealPercent({ steal: 100, total: 10_000 }, { steal: 101, total: 10_020 })).toBeUndefined();
    expect(stealPercent({ steal: 100, total: 10_000 }, { steal: 90, total: 11_000 })).toBeUndefined();
    expect(stealPercent(undefined, { steal: 1, total: 2 })).toBeUndefined();
  });

  it("reads this machine's counters where there is a /proc/stat", () => {
    const t = cpuTicks();
    if (!existsSync("/proc/stat")) return expect(t).toBeUndefined();
    expect(t!.total).toBeGreaterThan(0);
    expect(t!.steal).toBeGreaterThanOrEqual(0);
    expect(t!.steal).toBeLessThanOrEqual(t!.total);
  });
});
