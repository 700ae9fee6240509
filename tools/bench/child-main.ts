/**
 * Child-process entry: runs one workload and prints one JSON line (time,
 * peak RSS, result). A fresh process per run makes maxRSS that run's peak.
 *   node child-main.js '{"task":"decode","path":"..."}'
 */
import { countPages, readPlain } from "./workloads.js";

export type ChildTask = { readonly task: "decode"; readonly path: string } | { readonly task: "read"; readonly path: string; readonly chunkBytes: number };

export interface ChildReport {
  readonly ms: number;
  readonly maxRssMiB: number;
  readonly result: unknown;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? "null") as ChildTask;
  const t0 = performance.now();
  const result = task.task === "decode" ? await countPages(task.path) : await readPlain(task.path, task.chunkBytes);
  const ms = performance.now() - t0;
  const report: ChildReport = { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, result };
  process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
