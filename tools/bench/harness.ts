/**
 * What a benchmark is and how one is measured. A benchmark prepares a
 * subject and the baselines it is judged against; each contender gets one
 * warm-up run, then `runs` measured rounds (contenders alternate within a
 * round, so drift in the machine hits all of them alike), and the medians
 * are compared against the targets.
 */
import { cpuTicks, stealPercent } from "./cpu-steal.js";

/** One run of a contender. */
export interface Sample {
  /** The work itself, as timed where it ran. */
  readonly ms: number;
  /** The whole child process, spawn to exit (contenders that run in one). */
  readonly processMs?: number;
  /** Peak resident set size of the process that did the work. */
  readonly maxRssMiB?: number;
  /** A rate the run achieved (e.g. MIPS), in the contender's `rateUnit`. */
  readonly rate?: number;
}

export interface Contender {
  readonly label: string;
  /** The unit of the samples' `rate`, when they carry one (printed as the median rate). */
  readonly rateUnit?: string;
  once(): Promise<Sample>;
}

export type Target =
  /** The subject takes at most `ratio` times the baseline's time. */
  | { readonly kind: "within"; readonly ratio: number }
  /** The subject is at least `ratio` times as fast as the baseline. */
  | { readonly kind: "faster"; readonly ratio: number };

export interface Comparison {
  readonly baseline: Contender;
  readonly target: Target;
  /** Which time is compared: the work (default) or whole processes, for a baseline that is a command of its own. */
  readonly clock?: "work" | "process";
}

export interface Prepared {
  readonly subject: Contender;
  readonly comparisons: readonly Comparison[];
  /** Comparisons that cannot run here, with the reason. */
  readonly skipped?: readonly { readonly label: string; readonly reason: string }[];
  /** A bound on the subject's peak RSS over all its runs. */
  readonly memory?: { readonly limitMiB: number; readonly target: string };
  /** Printed before the results (how it was measured). */
  readonly notes?: readonly string[];
  /** Printed after the results (for scale). */
  readonly footnotes?: readonly string[];
  dispose?(): Promise<void>;
}

export interface BenchContext {
  readonly root: string;
  readonly workDir: string;
  /** The stream to parse and to rebuild the RAM image from. */
  readonly stream: string;
  /** How to make `stream` when it is missing. */
  readonly streamHowto: string;
  readonly analyzeScript: string | undefined;
  readonly runs: number;
  /** Node flags for child processes doing the subject's work (e.g. --cpu-prof). */
  readonly childNodeArgs?: readonly string[];
}

export interface Benchmark {
  readonly name: string;
  readonly title: string;
  /** Everything not measured: finding inputs, building data. Returns why not when it cannot run. */
  prepare(ctx: BenchContext): Promise<Prepared | { readonly skip: string }>;
}

export interface ContenderResult {
  readonly label: string;
  readonly samples: readonly Sample[];
  readonly medianMs: number;
  readonly medianProcessMs: number | undefined;
  readonly peakRssMiB: number | undefined;
  readonly medianRate: { readonly value: number; readonly unit: string } | undefined;
}

export interface ComparisonResult {
  readonly baseline: ContenderResult;
  readonly target: Target;
  readonly clock: "work" | "process";
  /** subject/baseline time for "within", baseline/subject for "faster". */
  readonly ratio: number;
  readonly pass: boolean;
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly skipped?: string;
  readonly notes: readonly string[];
  readonly footnotes: readonly string[];
  readonly subject?: ContenderResult;
  readonly comparisons: readonly ComparisonResult[];
  readonly skippedComparisons: readonly { readonly label: string; readonly reason: string }[];
  readonly memory?: { readonly limitMiB: number; readonly target: string; readonly peakMiB: number; readonly pass: boolean };
  /** Share of CPU time the host took from this machine during the measured runs (Linux), in percent. */
  readonly stealPercent?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Collects the young garbage left by earlier runs so it is not billed to the
 * next one (needs node --expose-gc): a scavenge. Not a full collection (a bare
 * `gc()`): with two of them between a contender's runs, V8 recompiled the
 * subject's hot functions for every run (seen with --trace-opt), so "warm"
 * runs warmed up again. Old-generation garbage is left to V8, as in any
 * long-lived process.
 */
const collect = (globalThis as { gc?: (options?: { type: "major" | "minor" }) => void }).gc;
const gc = collect && (() => collect({ type: "minor" }));
export const canCollectGarbage = collect !== undefined;

async function sample(c: Contender): Promise<Sample> {
  gc?.();
  return c.once();
}

function summarize(c: Contender, samples: Sample[]): ContenderResult {
  const proc = samples.map((s) => s.processMs).filter((v): v is number => v !== undefined);
  const rss = samples.map((s) => s.maxRssMiB).filter((v): v is number => v !== undefined);
  const rates = samples.map((s) => s.rate).filter((v): v is number => v !== undefined);
  return {
    label: c.label,
    samples,
    medianMs: median(samples.map((s) => s.ms)),
    medianProcessMs: proc.length === samples.length ? median(proc) : undefined,
    peakRssMiB: rss.length ? Math.max(...rss) : undefined,
    medianRate: c.rateUnit && rates.length ? { value: median(rates), unit: c.rateUnit } : undefined,
  };
}

function compare(subject: ContenderResult, baseline: ContenderResult, c: Comparison): ComparisonResult {
  const clock = c.clock ?? "work";
  const time = (r: ContenderResult) => (clock === "process" ? (r.medianProcessMs ?? r.medianMs) : r.medianMs);
  const ratio = c.target.kind === "within" ? time(subject) / time(baseline) : time(baseline) / time(subject);
  const pass = c.target.kind === "within" ? ratio <= c.target.ratio : ratio >= c.target.ratio;
  return { baseline, target: c.target, clock, ratio, pass };
}

export async function runBenchmark(b: Benchmark, ctx: BenchContext): Promise<BenchResult> {
  const prepared = await b.prepare(ctx);
  if ("skip" in prepared) {
    return { name: b.name, title: b.title, skipped: prepared.skip, notes: [], footnotes: [], comparisons: [], skippedComparisons: [] };
  }
  try {
    const contenders = [prepared.subject, ...prepared.comparisons.map((c) => c.baseline)];
    const samples = contenders.map((): Sample[] => []);
    for (const c of contenders) await sample(c); // warm-up: JIT, caches, lazy allocations
    const ticks = cpuTicks();
    for (let run = 0; run < ctx.runs; run++) {
      for (const [i, c] of contenders.entries()) samples[i]!.push(await sample(c));
    }
    const steal = stealPercent(ticks, cpuTicks());
    const results = contenders.map((c, i) => summarize(c, samples[i]!));
    const subject = results[0]!;
    const peak = subject.peakRssMiB;
    return {
      name: b.name,
      title: b.title,
      notes: prepared.notes ?? [],
      footnotes: prepared.footnotes ?? [],
      subject,
      comparisons: prepared.comparisons.map((c, i) => compare(subject, results[i + 1]!, c)),
      skippedComparisons: prepared.skipped ?? [],
      ...(steal !== undefined ? { stealPercent: steal } : {}),
      ...(prepared.memory && peak !== undefined ? { memory: { ...prepared.memory, peakMiB: peak, pass: peak < prepared.memory.limitMiB } } : {}),
    };
  } finally {
    await prepared.dispose?.();
  }
}
