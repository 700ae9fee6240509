/** Where the benchmark's inputs and scratch files live. */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The workspace root, found by walking up: this module runs both compiled (tools/dist/bench) and as source (vitest). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the workspace root (pnpm-workspace.yaml) above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const workDir = (root: string): string => join(root, "tools", "bench", "work");

export const PERF_STREAM = "riscv64-virt-1024m-fill512m.mig";

export const PERF_STREAM_HOWTO = "create it with: npx tsx tools/fixtures/generate.ts --skip-apt --perf   (QEMU 7.2, ~1.1 GB RAM, a few seconds)";

export const ANALYZE_HOWTO =
  "get it with: bash ../shared/spec/get-qemu-source.sh tools/fixtures/out/qemu-src   (or run the fixture generator once), or pass --analyze PATH";

/** QEMU's scripts/analyze-migration.py from the source tree the fixture generator caches, newest first. */
export function findAnalyzeScript(root: string): string | undefined {
  const cache = join(root, "tools", "fixtures", "out", "qemu-src");
  if (!existsSync(cache)) return undefined;
  for (const entry of readdirSync(cache).sort().reverse()) {
    if (!entry.startsWith("qemu-7.2")) continue;
    const script = join(cache, entry, "scripts", "analyze-migration.py");
    if (existsSync(script)) return script;
  }
  return undefined;
}

/** A path as printed: relative to the root when inside it. */
export function shown(root: string, path: string): string {
  const abs = resolve(path);
  return abs.startsWith(root + "/") ? abs.slice(root.length + 1) : abs;
}
