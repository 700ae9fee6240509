/** The printed form of results. */
import type { BenchResult, ComparisonResult, ContenderResult, Target } from "./harness.js";

const ms = (v: number): string => (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
const verdict = (pass: boolean): string => (pass ? "PASS" : "MISS");
/** Steal above this share of CPU time has been seen to move ratios by 0.3 and more. */
const STEAL_WARN_PERCENT = 2;

function contenderLines(c: ContenderResult): string[] {
  const extra = [
    c.medianProcessMs !== undefined && c.medianProcessMs !== c.medianMs ? `process ${ms(c.medianProcessMs)}` : "",
    c.peakRssMiB !== undefined ? `peak RSS ${c.peakRssMiB.toFixed(1)} MiB` : "",
    c.medianRate ? `${c.medianRate.value.toFixed(1)} ${c.medianRate.unit}` : "",
  ].filter(Boolean);
  return [`  ${c.label}`, `      runs ${c.samples.map((s) => ms(s.ms)).join(", ")}  ->  median ${ms(c.medianMs)}${extra.length ? `  (${extra.join(", ")})` : ""}`];
}

function targetText(t: Target): string {
  return t.kind === "within" ? `<= ${t.ratio}x the baseline's time` : `>= ${t.ratio}x faster`;
}

function comparisonLine(c: ComparisonResult): string {
  const measured = c.target.kind === "within" ? `${c.ratio.toFixed(2)}x the time` : `${c.ratio.toFixed(2)}x faster`;
  const clock = c.clock === "process" ? " (whole processes)" : "";
  return `  vs ${c.baseline.label}: ${measured}${clock}; target ${targetText(c.target)}  ${verdict(c.pass)}`;
}

export function formatResult(r: BenchResult): string[] {
  const lines = [`== ${r.name}: ${r.title}`];
  if (r.skipped !== undefined) return [...lines, `  SKIPPED: ${r.skipped}`];
  lines.push(...r.notes.map((n) => `  ${n}`));
  if (r.subject) {
    lines.push("  subject:");
    lines.push(...contenderLines(r.subject).map((l) => `  ${l}`));
  }
  if (r.comparisons.length) {
    lines.push("  baselines:");
    for (const c of r.comparisons) lines.push(...contenderLines(c.baseline).map((l) => `  ${l}`));
    lines.push("  results:");
    for (const c of r.comparisons) lines.push(`  ${comparisonLine(c)}`);
  }
  if (r.memory) lines.push(`    peak RSS of the subject: ${r.memory.peakMiB.toFixed(1)} MiB; target ${r.memory.target}  ${verdict(r.memory.pass)}`);
  if (r.stealPercent !== undefined) {
    const noisy = r.stealPercent >= STEAL_WARN_PERCENT ? ": the host was busy, so these figures say little; run again" : "";
    lines.push(`  CPU time taken by the host during the runs (steal): ${r.stealPercent.toFixed(1)}%${noisy}`);
  }
  for (const s of r.skippedComparisons) lines.push(`    vs ${s.label}: SKIPPED: ${s.reason}`);
  lines.push(...r.footnotes.map((n) => `  ${n}`));
  return lines;
}

/** Targets met and missed over all results. */
export function tally(results: readonly BenchResult[]): { pass: number; miss: number; skipped: number } {
  let pass = 0;
  let miss = 0;
  let skipped = 0;
  for (const r of results) {
    if (r.skipped !== undefined) skipped++;
    skipped += r.skippedComparisons.length;
    for (const ok of [...r.comparisons.map((c) => c.pass), ...(r.memory ? [r.memory.pass] : [])]) ok ? pass++ : miss++;
  }
  return { pass, miss, skipped };
}
