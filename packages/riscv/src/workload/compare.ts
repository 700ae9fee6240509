// compareFinalRegisters: an emulator's parked harts against QEMU's, register by register.
// Values may be hex strings (as in the reference JSON), bigints or numbers; register files
// may be given by ABI name or as 32-entry arrays (x0..x31), e.g. a BigUint64Array.

import { FREG_ABI, XREG_ABI } from "./regs.js";
import type { HartRegisters, ReferenceRun } from "./reference.js";

export type RegValue = string | bigint | number;
export type RegFile = Readonly<Record<string, RegValue | undefined>> | ArrayLike<RegValue>;

export interface HartState {
  hart: number;
  pc: RegValue;
  gprs: RegFile;
  fprs?: RegFile;
}

export interface Mismatch {
  hart: number;
  /** "pc", an ABI register name ("s0", "ft3"), or "hart" when a hart is missing or extra. */
  register: string;
  expected: string;
  actual: string;
}

export interface CompareOptions {
  /** Also compare f0..f31 when both sides have them (default true). */
  fprs?: boolean;
  /** Registers not to compare, by ABI name or "pc". */
  ignore?: readonly string[];
  /**
   * Further pc values accepted for every hart, e.g. the `park` address for an emulator that
   * treats wfi as a no-op and may be stopped on the wfi itself rather than after it.
   */
  acceptPcs?: readonly RegValue[];
}

const hex = (v: bigint) => `0x${v.toString(16).padStart(16, "0")}`;

function value(v: RegValue | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  return BigInt.asUintN(64, BigInt(v));
}

function get(file: RegFile, index: number, names: readonly string[]): RegValue | undefined {
  if (isArrayLike(file)) return file[index];
  const rec = file as Readonly<Record<string, RegValue | undefined>>;
  return rec[names[index]!] ?? rec[`${names === XREG_ABI ? "x" : "f"}${index}`];
}

function isArrayLike(f: RegFile): f is ArrayLike<RegValue> {
  return typeof (f as ArrayLike<RegValue>).length === "number";
}

/** Every difference, ordered by hart then register number; empty when the states agree. */
export function compareFinalRegisters(
  expected: ReferenceRun | readonly HartRegisters[],
  actual: readonly HartState[],
  options: CompareOptions = {},
): Mismatch[] {
  const harts = "harts" in expected ? expected.harts : expected;
  const ignore = new Set(options.ignore ?? []);
  const acceptPcs = new Set((options.acceptPcs ?? []).map((v) => value(v)));
  const out: Mismatch[] = [];
  const byHart = new Map(actual.map((a) => [a.hart, a]));

  for (const e of harts) {
    const a = byHart.get(e.hart);
    if (!a) {
      out.push({ hart: e.hart, register: "hart", expected: "present", actual: "missing" });
      continue;
    }
    if (!ignore.has("pc")) {
      const ev = value(e.pc)!;
      const av = value(a.pc);
      if (av !== ev && !acceptPcs.has(av)) out.push({ hart: e.hart, register: "pc", expected: hex(ev), actual: av === undefined ? "missing" : hex(av) });
    }
    const files: Array<[readonly string[], RegFile | undefined, RegFile | undefined]> = [[XREG_ABI, e.gprs, a.gprs]];
    if (options.fprs !== false && e.fprs && a.fprs) files.push([FREG_ABI, e.fprs, a.fprs]);
    for (const [names, ef, af] of files) {
      names.forEach((name, i) => {
        if (ignore.has(name)) return;
        const ev = value(get(ef!, i, names));
        const av = value(get(af!, i, names));
        if (ev === undefined) return; // not recorded
        if (av !== ev) out.push({ hart: e.hart, register: name, expected: hex(ev), actual: av === undefined ? "missing" : hex(av) });
      });
    }
  }
  for (const a of actual) {
    if (!harts.some((e) => e.hart === a.hart)) out.push({ hart: a.hart, register: "hart", expected: "absent", actual: "present" });
  }
  return out;
}

/** One line per mismatch, for test failure messages. */
export function formatMismatches(mismatches: readonly Mismatch[]): string {
  return mismatches.map((m) => `hart ${m.hart} ${m.register.padEnd(5)} expected ${m.expected}, got ${m.actual}`).join("\n");
}
