/**
 * Facts about QEMU 7.2's riscv64 hart that decide the layout of its `cpu`
 * section and which subsections it sends (target/riscv/cpu.h, cpu_bits.h,
 * debug.h, pmp.h). Values only; the names follow the specification.
 */

/** misa extension bit of a letter: bit 0 is 'A', bit 25 is 'Z' (QEMU's RV(x)). */
export function misaBit(letter: string): number {
  const code = letter.toUpperCase().charCodeAt(0) - 0x41;
  if (letter.length !== 1 || code < 0 || code > 25) throw new RangeError(`not an extension letter: ${letter}`);
  return 2 ** code;
}

/** The misa letters QEMU 7.2 looks at when it decides what to migrate, and the usual RV64GC ones. */
export const Misa = Object.freeze({
  A: misaBit("A"),
  C: misaBit("C"),
  D: misaBit("D"),
  F: misaBit("F"),
  H: misaBit("H"),
  I: misaBit("I"),
  /** Pointer masking (QEMU's RVJ): sends cpu/pointer_masking. */
  J: misaBit("J"),
  M: misaBit("M"),
  S: misaBit("S"),
  U: misaBit("U"),
  /** Vector: sends cpu/vector. */
  V: misaBit("V"),
});

/** Whether `env.misa_ext` has an extension (QEMU's riscv_has_ext). */
export function hasExtension(misaExt: number, bit: number): boolean {
  return ((misaExt >>> 0) & bit) !== 0;
}

/**
 * Bit numbers in `env.features` (QEMU 7.2's RISCV_FEATURE_* enum). The
 * word is migrated, so PMP and debug-trigger support travel with the state.
 */
export const Feature = Object.freeze({
  MMU: 0,
  PMP: 1,
  EPMP: 2,
  MISA: 3,
  DEBUG: 4,
});

/** Whether `env.features` has a feature (QEMU's riscv_feature). */
export function hasFeature(features: number, bit: number): boolean {
  return (((features >>> 0) >>> bit) & 1) !== 0;
}

/** `env.misa_mxl` / `env.misa_mxl_max` values. */
export const Mxl = Object.freeze({ RV32: 1, RV64: 2, RV128: 3 });

/** `env.priv_ver` values (PRIV_VERSION_*); envcfg is sent from 1.12 on. */
export const PrivVersion = Object.freeze({ V1_10_0: 0n, V1_11_0: 1n, V1_12_0: 2n });

/** `env.vext_ver` of the ratified vector extension (VEXT_VERSION_1_00_0). */
export const VEXT_VERSION_1_00_0 = 0x0001_0000n;

/** Privilege levels in `env.priv`. */
export const Priv = Object.freeze({ U: 0n, S: 1n, M: 3n });

/** Array lengths fixed by QEMU 7.2's CPURISCVState. */
export const MAX_RISCV_PMPS = 16;
export const RV_MAX_TRIGGERS = 2;
export const RV_MAX_MHPMCOUNTERS = 32;
export const RV_MAX_MHPMEVENTS = 32;
/** Largest VLEN QEMU provides for: `env.vreg` always holds 32 registers of this many bits. */
export const RV_VLEN_MAX = 1024;
export const VREG_WORDS = (32 * RV_VLEN_MAX) / 64;
/** Local interrupt priority arrays (miprio, siprio, hviprio): one byte per major interrupt. */
export const IPRIO_COUNT = 64;
