// The QEMU reference for the workload's final mode: which runs are recorded and the shape
// of fixtures/qemu-7.2/riscv64-workload-final.json, which tools/fixtures/
// riscv-workload-reference.ts writes by running the same image in qemu-system-riscv64 7.2.

import type { FAbi, XAbi } from "./regs.js";
import type { ResolvedWorkloadOptions, WorkloadOptions } from "./workload.js";

/** The recorded runs. Timer interrupts are off: with them the results depend on TCG timing. */
export const REFERENCE_RUNS: ReadonlyArray<{ name: string; options: WorkloadOptions }> = [
  { name: "1hart", options: { harts: 1, iterations: 1000, final: true, interrupts: false } },
  { name: "2harts", options: { harts: 2, iterations: 1000, final: true, interrupts: false } },
  // small ones for quick tests: ~150 000 instructions a hart
  { name: "1hart-small-norvc", options: { harts: 1, iterations: 100, windowPages: 16, final: true, interrupts: false, compressed: false } },
  { name: "2harts-small", options: { harts: 2, iterations: 100, windowPages: 16, final: true, interrupts: false } },
];

/** Options as stored in JSON (the seed as a hex string). */
export type WorkloadOptionsJson = Omit<ResolvedWorkloadOptions, "seed"> & { seed: string };

export function optionsToJson(o: ResolvedWorkloadOptions): WorkloadOptionsJson {
  return { ...o, seed: `0x${o.seed.toString(16)}` };
}

export function optionsFromJson(j: WorkloadOptionsJson): ResolvedWorkloadOptions {
  return { ...j, seed: BigInt(j.seed) };
}

/** One hart as QEMU's "info registers" showed it; values are 0x + 16 hex digits. */
export interface HartRegisters {
  hart: number;
  pc: string;
  /** x0..x31 by ABI name, in register order. */
  gprs: Record<XAbi, string>;
  /** f0..f31 by ABI name (QEMU prints them too; also deterministic in final mode). */
  fprs?: Record<FAbi, string>;
  /** The CSRs "info registers" prints. For the record only: several (mip, mstatus's SD/XS bits, ...) are not the workload's doing. */
  csrs?: Record<string, string>;
}

export interface ReferenceRun {
  name: string;
  options: WorkloadOptionsJson;
  /** sha256 (hex) and length of the image QEMU ran; buildWorkload(options) must reproduce it. */
  image: { file: string; bytes: number; sha256: string };
  /** Where a parked hart is: QEMU reports `parked` (the instruction after wfi). */
  symbols: { park: string; parked: string; entry: string };
  /** argv, run in the generator's output directory. */
  command: string[];
  /** QMP commands sent, in order. */
  qmp: string[];
  /** The UART output (progress characters of different harts may come in either order). */
  serial: string;
  harts: HartRegisters[];
}

export interface ReferenceFile {
  about: string;
  qemuVersion: string;
  generator: string;
  runs: ReferenceRun[];
}
