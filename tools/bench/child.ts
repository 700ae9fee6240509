/** Running work in other processes: a workload in a fresh Node (child-main.ts), or a command of its own. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildReport, ChildTask } from "./child-main.js";

/**
 * The compiled child entry. Under vitest this module runs from its .ts
 * source, but the child always runs the compiled file (`pnpm test` builds first).
 */
function childScript(): string {
  const compiled = import.meta.url.endsWith(".ts") ? "../dist/bench/child-main.js" : "./child-main.js";
  return fileURLToPath(new URL(compiled, import.meta.url));
}

export interface ProcessRun {
  readonly processMs: number;
  readonly stdout: string;
}

/** Runs `command args`, stdout captured or sent to /dev/null; rejects on a non-zero exit, with stderr's tail. */
export function runProcess(command: string, args: readonly string[], options: { captureStdout: boolean }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ["ignore", options.captureStdout ? "pipe" : "ignore", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr?.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const processMs = performance.now() - t0;
      if (code === 0) resolve({ processMs, stdout });
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`));
    });
  });
}

/** Runs a workload in a fresh Node process; `nodeArgs` go before the script (e.g. --cpu-prof). */
export async function runInChild(task: ChildTask, nodeArgs: readonly string[] = []): Promise<ChildReport & { processMs: number }> {
  const run = await runProcess(process.execPath, [...nodeArgs, childScript(), JSON.stringify(task)], { captureStdout: true });
  const last = run.stdout.trim().split("\n").pop() ?? "";
  return { ...(JSON.parse(last) as ChildReport), processMs: run.processMs };
}
