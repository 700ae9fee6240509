/**
 * The FP/SIMD registers: QEMU 7.2's `cpu/vfp` subsection (target/arm/machine.c
 * vmstate_vfp, version 3). Only the low 128 bits of each Z register travel
 * here (they are the V/Q registers); the rest of an SVE register is in
 * `cpu/sve`. FPSCR is not stored as such: QEMU builds it from FPCR and FPSR
 * on save and splits it again on load, and it travels as one be32 under the
 * VMStateInfo name "fpscr".
 */
import { array, defineVMState, intAs, uint32, uint64, type StateOf } from "@vmstate/core";

/** Number of V/Z registers. */
export const VREG_COUNT = 32;

/**
 * Indexes into QEMU's `env.vfp.xregs` (the AArch32 VFP system registers).
 * Word 0 travels as `env.vfp.xregs[0]`, word 1 (FPSCR) as `fpscr`, words
 * 2..15 as `env.vfp.xregs` (so word i is at `env.vfp.xregs`[i - 2]).
 */
export const VfpXreg = Object.freeze({
  FPSID: 0,
  FPSCR: 1,
  MVFR2: 5,
  MVFR1: 6,
  MVFR0: 7,
  FPEXC: 8,
  FPINST: 9,
  FPINST2: 10,
});

/** First xregs word of the `env.vfp.xregs` sub-array, and its length. */
export const VFP_XREGS_FIRST = 2;
export const VFP_XREGS_COUNT = 14;

type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
/** `env.vfp.zregs[0].d` .. `env.vfp.zregs[31].d`: the low two words of each Z register. */
export type QRegKey = `env.vfp.zregs[${Digit | `${"1" | "2"}${Digit}` | "30" | "31"}].d`;
const qReg = array(uint64, 2);

/** The 32 Q-register fields, in register order (QEMU lists them one by one). */
function qRegFields(): { [K in QRegKey]: typeof qReg } {
  const out: Record<string, typeof qReg> = {};
  for (let i = 0; i < VREG_COUNT; i++) out[qRegKey(i)] = qReg;
  return out as { [K in QRegKey]: typeof qReg };
}

/** The state key holding the low 128 bits of V/Z register `n`. */
export function qRegKey(n: number): QRegKey {
  return `env.vfp.zregs[${n}].d` as QRegKey;
}

export const vfpDescription = defineVMState({
  name: "cpu/vfp",
  version: 3,
  minimumVersion: 3,
  fields: {
    ...qRegFields(),
    "env.vfp.xregs[0]": uint32,
    "env.vfp.xregs": array(uint32, VFP_XREGS_COUNT),
    fpscr: intAs(uint32, "fpscr"),
  },
});
export type VfpState = StateOf<typeof vfpDescription>;

/**
 * QEMU's vfp_needed: the FP/SIMD ID register feature of the CPU's
 * architecture (aa64_fp_simd on AArch64 CPUs, aa32_vfp_simd otherwise).
 * Decides `cpu/vfp` and, inside `cpu/m`, `cpu/m/fp`.
 */
export function vfpNeeded(s: { readonly "features.aarch64": number; readonly "isar.aa64_fp_simd": number; readonly "isar.aa32_vfp_simd": number }): boolean {
  return s["features.aarch64"] ? !!s["isar.aa64_fp_simd"] : !!s["isar.aa32_vfp_simd"];
}
