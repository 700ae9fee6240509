// compareFinalRegisters: an emulator's parked CPUs against QEMU's, register by register.
// Values may be hex strings (as in the reference JSON), bigints or numbers; register files
// may be given by name ("x19", "sp", "q3") or as arrays (x0..x30 then sp; q0..q31), e.g.
// from A64Cpu.exportState() via cpuStateForCompare.

import { GPR_NAMES, VREG_NAMES, type CpuRegisters, type ReferenceRun } from "./reference.js";

export type RegValue = string | bigint | number;
export type RegFile = Readonly<Record<string, RegValue | undefined>> | ArrayLike<RegValue>;

export interface CpuState {
  cpu: number;
  pc: RegValue;
  /** x0..x30 and sp. */
  gprs: RegFile;
  /** q0..q31 as 128-bit values. */
  vregs?: RegFile;
  /** PSTATE (NZCV, DAIF, EL, SPSel), FPCR, FPSR as 32-bit values. */
  pstate?: RegValue;
  fpcr?: RegValue;
  fpsr?: RegValue;
}

export interface Mismatch {
  cpu: number;
  /** "pc", "x19", "sp", "q3", "pstate", "fpsr", "fpcr", or "cpu" when a CPU is missing or extra. */
  register: string;
  expected: string;
  actual: string;
}

export interface CompareOptions {
  /** Also compare q0..q31 when both sides have them (default true). */
  vregs?: boolean;
  /** Also compare pstate/fpcr/fpsr when both sides have them (default true). */
  status?: boolean;
  /** Registers not to compare, by name. */
  ignore?: readonly string[];
  /** Further pc values accepted for every CPU (e.g. `park`, for an emulator stopped on the WFI itself). */
  acceptPcs?: readonly RegValue[];
}

const hex = (v: bigint, digits: number) => `0x${v.toString(16).padStart(digits, "0")}`;

function value(v: RegValue | undefined, bits: number): bigint | undefined {
  if (v === undefined) return undefined;
  return BigInt.asUintN(bits, BigInt(v));
}

function get(file: RegFile, index: number, names: readonly string[]): RegValue | undefined {
  if (typeof (file as ArrayLike<RegValue>).length === "number") return (file as ArrayLike<RegValue>)[index];
  return (file as Readonly<Record<string, RegValue | undefined>>)[names[index]!];
}

/** Every difference, ordered by CPU then register; empty when the states agree. */
export function compareFinalRegisters(expected: ReferenceRun | readonly CpuRegisters[], actual: readonly CpuState[], options: CompareOptions = {}): Mismatch[] {
  const cpus = "cpus" in expected ? expected.cpus : expected;
  const ignore = new Set(options.ignore ?? []);
  const acceptPcs = new Set((options.acceptPcs ?? []).map((v) => value(v, 64)));
  const out: Mismatch[] = [];
  const byCpu = new Map(actual.map((a) => [a.cpu, a]));
  const one = (cpu: number, name: string, e: RegValue | undefined, a: RegValue | undefined, bits: number) => {
    if (ignore.has(name)) return;
    const ev = value(e, bits);
    if (ev === undefined) return; // not recorded
    const av = value(a, bits);
    if (av !== ev) out.push({ cpu, register: name, expected: hex(ev, bits / 4), actual: av === undefined ? "missing" : hex(av, bits / 4) });
  };
  for (const e of cpus) {
    const a = byCpu.get(e.cpu);
    if (!a) {
      out.push({ cpu: e.cpu, register: "cpu", expected: "present", actual: "missing" });
      continue;
    }
    if (!ignore.has("pc")) {
      const ev = value(e.pc, 64)!;
      const av = value(a.pc, 64);
      if (av !== ev && !acceptPcs.has(av)) out.push({ cpu: e.cpu, register: "pc", expected: hex(ev, 16), actual: av === undefined ? "missing" : hex(av, 16) });
    }
    GPR_NAMES.forEach((name, i) => one(e.cpu, name, get(e.gprs, i, GPR_NAMES), get(a.gprs, i, GPR_NAMES), 64));
    if (options.vregs !== false && e.vregs && a.vregs) {
      VREG_NAMES.forEach((name, i) => one(e.cpu, name, get(e.vregs!, i, VREG_NAMES), get(a.vregs!, i, VREG_NAMES), 128));
    }
    if (options.status !== false) {
      if (a.pstate !== undefined) one(e.cpu, "pstate", e.pstate, a.pstate, 32);
      if (a.fpcr !== undefined) one(e.cpu, "fpcr", e.fpcr, a.fpcr, 32);
      if (a.fpsr !== undefined) one(e.cpu, "fpsr", e.fpsr, a.fpsr, 32);
    }
  }
  for (const a of actual) {
    if (!cpus.some((e) => e.cpu === a.cpu)) out.push({ cpu: a.cpu, register: "cpu", expected: "absent", actual: "present" });
  }
  return out;
}

/** One line per mismatch, for test failure messages. */
export function formatMismatches(mismatches: readonly Mismatch[]): string {
  return mismatches.map((m) => `cpu ${m.cpu} ${m.register.padEnd(6)} expected ${m.expected}, got ${m.actual}`).join("\n");
}

/** The plain state of an interpreter CPU (A64Cpu.exportState() and its index) in the form compareFinalRegisters takes. */
export function cpuStateForCompare(
  cpu: number,
  s: {
    xregs: ArrayLike<bigint>;
    sp_el0: bigint;
    sp_el1: bigint;
    pc: bigint;
    pstate: { nzcv: number; daif: number; el: number; spsel: number };
    vregs: ArrayLike<bigint>;
    fpcr: number;
    fpsr: number;
  },
): CpuState {
  const sp = s.pstate.el !== 0 && s.pstate.spsel ? s.sp_el1 : s.sp_el0;
  const gprs = [...Array.from({ length: 31 }, (_, i) => s.xregs[i]!), sp];
  const vregs = Array.from({ length: 32 }, (_, i) => (s.vregs[2 * i + 1]! << 64n) | s.vregs[2 * i]!);
  const pstate = ((s.pstate.nzcv << 28) | (s.pstate.daif << 6) | (s.pstate.el << 2) | s.pstate.spsel) >>> 0;
  return { cpu, pc: s.pc, gprs, vregs, pstate, fpcr: s.fpcr, fpsr: s.fpsr };
}
