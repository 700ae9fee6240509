// Running the `vmstate` command in-process for tests: a fresh temporary directory per test,
// stderr captured, and main() called with argv.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, vi } from "vitest";
import { main } from "./cli.js";

export const FIXTURES = fileURLToPath(new URL("../../../fixtures/qemu-7.2/", import.meta.url));

export interface CliHarness {
  /** This test's temporary directory. */
  readonly dir: string;
  /** What the command wrote to stderr in this test. */
  readonly stderr: string;
  run(...argv: string[]): Promise<{ code: number; out: string }>;
}

/** Registers the per-test set-up; read `dir` and `stderr` inside tests. */
export function useCliHarness(prefix: string): CliHarness {
  let dir = "";
  let stderr = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());
  return {
    get dir() {
      return dir;
    },
    get stderr() {
      return stderr;
    },
    async run(...argv: string[]) {
      let out = "";
      const code = await main(argv, (s) => (out += s));
      return { code, out };
    },
  };
}
