/**
 * SVE and SME register state: QEMU 7.2's `cpu/sve` and `cpu/sme` subsections
 * (target/arm/machine.c vmstate_sve and vmstate_za, aarch64 builds only).
 *
 * QEMU keeps every Z register as 2 * ARM_MAX_VQ = 32 words but migrates words
 * 2..15 only (words 0 and 1 are in `cpu/vfp`): vector lengths above 1024 bits
 * do not survive a 7.2 migration, and nothing here pretends otherwise.
 */
import { array, defineVMState, struct, uint64, type StateOf } from "@vmstate/core";
import { qRegKey, VREG_COUNT } from "./vfp.js";

/** QEMU's ARM_MAX_VQ on aarch64: the largest vector length in quadwords (2048 bits). */
export const ARM_MAX_VQ = 16;
/** Words of a Z register that `cpu/sve` carries (words 2 .. 15). */
export const ZREG_HI_WORDS = ARM_MAX_VQ - 2;
/** Words of a Z register that a 7.2 stream carries in all (`cpu/vfp` + `cpu/sve`). */
export const ZREG_MIGRATED_WORDS = 2 + ZREG_HI_WORDS;
/** Words of a predicate register (2 * ARM_MAX_VQ / 8: one bit per vector byte). */
export const PREG_WORDS = (2 * ARM_MAX_VQ) / 8;
/** P0..P15 and FFR. */
export const PREG_COUNT = 17;
/** Index of FFR in `env.vfp.pregs`. */
export const FFR_INDEX = 16;
/** Rows of the SME ZA array (ARM_MAX_VQ * 16), each one full vector. */
export const ZA_ROWS = ARM_MAX_VQ * 16;
/** Words of one ZA row (ARM_MAX_VQ * 2). */
export const ZA_ROW_WORDS = ARM_MAX_VQ * 2;

/** The part of one Z register beyond its low 128 bits. */
export const zregHiDescription = defineVMState({
  name: "cpu/sve/zreg_hi",
  version: 1,
  minimumVersion: 1,
  fields: { d: array(uint64, ZREG_HI_WORDS) },
});
export type ZregHiState = StateOf<typeof zregHiDescription>;

/** One predicate register. */
export const pregDescription = defineVMState({
  name: "cpu/sve/preg",
  version: 1,
  minimumVersion: 1,
  fields: { p: array(uint64, PREG_WORDS) },
});
export type PregState = StateOf<typeof pregDescription>;

export const sveDescription = defineVMState({
  name: "cpu/sve",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.vfp.zregs": array(struct(zregHiDescription), VREG_COUNT),
    "env.vfp.pregs": array(struct(pregDescription), PREG_COUNT),
  },
});
export type SveState = StateOf<typeof sveDescription>;

/** Sent when the CPU has SVE (sve_needed: the aa64_sve ID register feature, which is not migrated). */
export function sveNeeded(s: { readonly "isar.aa64_sve": number }): boolean {
  return !!s["isar.aa64_sve"];
}

/** One full-length vector: a ZA row. */
export const vregDescription = defineVMState({
  name: "vreg",
  version: 1,
  minimumVersion: 1,
  fields: { d: array(uint64, ZA_ROW_WORDS) },
});
export type VregState = StateOf<typeof vregDescription>;

/** SME's ZA storage. QEMU names the VMSD "cpu/sme". */
export const zaDescription = defineVMState({
  name: "cpu/sme",
  version: 1,
  minimumVersion: 1,
  fields: { "env.zarray": array(struct(vregDescription), ZA_ROWS) },
});
export type ZaState = StateOf<typeof zaDescription>;

/** What the Z register helpers read: the `cpu/vfp` and `cpu/sve` fields. */
type ZregState = { readonly [K in ReturnType<typeof qRegKey>]: BigUint64Array } & { readonly "env.vfp.zregs": readonly { readonly d: BigUint64Array }[] };

/**
 * Z register `n` as the stream has it: ZREG_MIGRATED_WORDS words, low first
 * (words 0-1 from `cpu/vfp`, the rest from `cpu/sve`).
 */
export function readZreg(s: ZregState, n: number): BigUint64Array {
  checkReg(n, VREG_COUNT, "Z");
  const out = new BigUint64Array(ZREG_MIGRATED_WORDS);
  out.set(s[qRegKey(n)].subarray(0, 2), 0);
  out.set(s["env.vfp.zregs"][n]!.d.subarray(0, ZREG_HI_WORDS), 2);
  return out;
}

/** Writes Z register `n` (up to ZREG_MIGRATED_WORDS words, low first; missing words become zero). */
export function writeZreg(s: ZregState, n: number, words: ArrayLike<bigint>): void {
  checkReg(n, VREG_COUNT, "Z");
  if (words.length > ZREG_MIGRATED_WORDS) throw new RangeError(`a Z register holds ${ZREG_MIGRATED_WORDS} migrated words, got ${words.length}`);
  const q = s[qRegKey(n)];
  const hi = s["env.vfp.zregs"][n]!.d;
  for (let i = 0; i < ZREG_MIGRATED_WORDS; i++) {
    const w = i < words.length ? BigInt.asUintN(64, words[i]!) : 0n;
    if (i < 2) q[i] = w;
    else hi[i - 2] = w;
  }
}

function checkReg(n: number, count: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n >= count) throw new RangeError(`no ${what} register ${n}`);
}
