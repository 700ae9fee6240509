/**
 * Time the host took from this VM's CPUs (the "steal" column of /proc/stat).
 * On a shared host it rises when neighbours are busy, and our two-thread
 * pipelines (decoder and reads, encoder and writes) then lose more than the
 * one-thread baselines do: a ratio measured under steal says little.
 */
import { readFileSync } from "node:fs";

export interface CpuTicks {
  readonly steal: number;
  readonly total: number;
}

/** The machine's CPU time so far, in ticks; undefined where there is no /proc/stat. */
export function cpuTicks(): CpuTicks | undefined {
  let line: string;
  try {
    line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  } catch {
    return undefined;
  }
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== "cpu") return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const values = fields.slice(1, 9).map(Number);
  if (values.length < 8 || values.some((v) => !Number.isFinite(v))) return undefined;
  return { steal: values[7]!, total: values.reduce((a, b) => a + b, 0) };
}

/** Fewer ticks than this between two readings (10 ms each, summed over CPUs) make too coarse a share to print. */
const MIN_TICKS = 100;

/** The share of all CPU time between two readings that the host stole, in percent. */
export function stealPercent(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (!before || !after) return undefined;
  const total = after.total - before.total;
  const steal = after.steal - before.steal;
  if (total < MIN_TICKS || steal < 0) return undefined;
  return (100 * steal) / total;
}
