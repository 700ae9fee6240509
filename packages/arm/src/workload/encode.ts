// Field-level helpers for A64 encodings: range checks, the logical ("bitmask") immediate
// and the 8-bit floating-point immediate. The decoders used by the interpreter live in
// ../interp/decode-imm.ts; the tests check that the two agree.

import { AsmError } from "@vmstate/core";

export { AsmError };

/** Throws unless v is an integer in [lo, hi] (and a multiple of `align`). */
export function checkImm(what: string, v: number, lo: number, hi: number, align = 1): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new AsmError(`${what}: ${v} is outside [${lo}, ${hi}]`);
  if (v % align !== 0) throw new AsmError(`${what}: ${v} is not a multiple of ${align}`);
  return v;
}

/** The low `bits` bits of a two's-complement value. */
export const field = (v: number, bits: number): number => (bits >= 32 ? v >>> 0 : v & ((1 << bits) - 1)) >>> 0;

const M64 = (1n << 64n) - 1n;

/**
 * The (N, immr, imms) fields of a logical immediate, or undefined when `value` has no
 * such encoding for a `width`-bit operation (all-zero, all-ones, or not a rotated run of
 * ones repeated in 2..64-bit elements).
 */
export function encodeBitmask(value: bigint, width: 32 | 64): { n: number; immr: number; imms: number } | undefined {
  let v = BigInt.asUintN(width, value);
  if (width === 32) v |= v << 32n;
  if (v === 0n || v === M64) return undefined;
  let e = 64;
  while (e > 2) {
    const half = e / 2;
    const mask = (1n << BigInt(half)) - 1n;
    if (((v >> BigInt(half)) & mask) !== (v & mask)) break;
    e = half;
  }
  // v repeats every e bits; check the repetition really covers all 64
  const emask = e === 64 ? M64 : (1n << BigInt(e)) - 1n;
  const elt = v & emask;
  let rep = 0n;
  for (let i = 0; i < 64; i += e) rep |= elt << BigInt(i);
  if (rep !== v) return undefined;
  let ones = 0;
  for (let i = 0; i < e; i++) if ((elt >> BigInt(i)) & 1n) ones++;
  const run = (1n << BigInt(ones)) - 1n;
  const E = BigInt(e);
  for (let r = 0; r < e; r++) {
    const R = BigInt(r);
    const rotl = r === 0 ? elt : ((elt << R) | (elt >> (E - R))) & emask;
    if (rotl === run) {
      const n = e === 64 ? 1 : 0;
      if (width === 32 && n) return undefined;
      const imms = ((~(e - 1) << 1) & 0x3f) | (ones - 1);
      return { n, immr: r, imms };
    }
  }
  return undefined;
}

/** VFPExpandImm for double precision: the value an 8-bit FP immediate stands for. */
export function expandFpImm8(imm8: number): number {
  const sign = (imm8 >> 7) & 1;
  const b = (imm8 >> 6) & 1;
  const cd = (imm8 >> 4) & 3;
  const frac = imm8 & 15;
  const exp = ((b ^ 1) << 10) | (b ? 0x3fc : 0) | cd; // NOT(b):Replicate(b,8):cd
  const hi = (sign << 31) | (exp << 20) | (frac << 16);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(4, hi >>> 0, true);
  dv.setUint32(0, 0, true);
  return dv.getFloat64(0, true);
}

/** The 8-bit FP immediate encoding `value`, or undefined (FMOV (immediate) cannot make it). */
export function encodeFpImm8(value: number): number | undefined {
  for (let i = 0; i < 256; i++) if (Object.is(expandFpImm8(i), value)) return i;
  return undefined;
}
