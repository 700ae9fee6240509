// The QEMU reference for the workload's final mode: which runs are recorded and the shape
// of fixtures/qemu-7.2/aarch64-workload-final.json, which tools/fixtures/
// aarch64-workload-reference.ts writes by running the same ELF in qemu-system-aarch64 7.2.

import type { ResolvedWorkloadOptions, WorkloadOptions } from "./workload.js";

/**
 * The recorded runs. The timer is off: with it x1 depends on TCG timing. The its runs take
 * interrupts (LPIs through the ITS, QEMU's -M virt,gic-version=3,its=on) but no timer.
 */
export const REFERENCE_RUNS: ReadonlyArray<{ name: string; options: WorkloadOptions }> = [
  { name: "1cpu", options: { cpus: 1, iterations: 1000, final: true, interrupts: false } },
  { name: "2cpu", options: { cpus: 2, iterations: 1000, final: true, interrupts: false } },
  // small ones for quick tests
  { name: "1cpu-small", options: { cpus: 1, iterations: 100, windowPages: 16, final: true, interrupts: false } },
  { name: "2cpu-small", options: { cpus: 2, iterations: 100, windowPages: 16, final: true, interrupts: false } },
  // LPIs through the GICv3 ITS
  { name: "1cpu-its", options: { cpus: 1, iterations: 1000, final: true, its: true, timer: false } },
  { name: "2cpu-its", options: { cpus: 2, iterations: 1000, final: true, its: true, timer: false } },
];

/** Options as stored in JSON (the seed as a hex string). */
export type WorkloadOptionsJson = Omit<ResolvedWorkloadOptions, "seed"> & { seed: string };

export function optionsToJson(o: ResolvedWorkloadOptions): WorkloadOptionsJson {
  return { ...o, seed: `0x${o.seed.toString(16)}` };
}

export function optionsFromJson(j: WorkloadOptionsJson): ResolvedWorkloadOptions {
  return { ...j, seed: BigInt(j.seed) };
}

/** x0..x30 then sp: the names of `gprs` in the reference, in order. */
export const GPR_NAMES: readonly string[] = [...Array.from({ length: 31 }, (_, i) => `x${i}`), "sp"];
/** q0..q31: the names of `vregs`. */
export const VREG_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) => `q${i}`);

/** One CPU as QEMU's "info registers" showed it; 64-bit values are 0x + 16 hex digits, Q registers 0x + 32. */
export interface CpuRegisters {
  cpu: number;
  pc: string;
  /** x0..x30 and sp, in that order. */
  gprs: Record<string, string>;
  /** q0..q31 (QEMU prints them as high:low; here one 128-bit number). */
  vregs?: Record<string, string>;
  /** PSTATE as QEMU prints it (NZCV, DAIF, EL, SPSel). */
  pstate?: string;
  fpcr?: string;
  fpsr?: string;
}

export interface ReferenceRun {
  name: string;
  options: WorkloadOptionsJson;
  /** The ELF QEMU ran and the raw image in it: buildWorkload(options) must reproduce both. */
  image: { file: string; bytes: number; sha256: string; rawBytes: number; rawSha256: string };
  /** Where a parked CPU is: QEMU reports `parked` (the instruction after WFI). */
  symbols: { park: string; parked: string; entry: string };
  /** argv, run in the generator's output directory. */
  command: string[];
  /** QMP commands sent, in order. */
  qmp: string[];
  /** The UART output (progress characters of different CPUs may come in either order). */
  serial: string;
  cpus: CpuRegisters[];
}

export interface ReferenceFile {
  about: string;
  qemuVersion: string;
  generator: string;
  runs: ReferenceRun[];
}
