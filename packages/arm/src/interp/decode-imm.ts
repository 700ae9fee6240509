/**
 * Immediate decoders of the A64 instruction set (Arm ARM, shared pseudocode
 * DecodeBitMasks and VFPExpandImm), precomputed where the interpreter needs
 * them on its hot path.
 */

/**
 * Logical immediates by their 13-bit field N:immr:imms: the 64-bit value as
 * low/high words. A 32-bit operation uses the low word (its N must be 0).
 * `BITMASK_OK[i]` is 0 for reserved encodings.
 */
export const BITMASK_LO = new Int32Array(8192);
export const BITMASK_HI = new Int32Array(8192);
export const BITMASK_OK = new Uint8Array(8192);

/** DecodeBitMasks(N, imms, immr, immediate = true) as a 64-bit bigint, or undefined when reserved. */
export function decodeBitMask(n: number, immr: number, imms: number): bigint | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  const levels = (1 << len) - 1;
  const s = imms & levels;
  const r = immr & levels;
  if (s === levels) return undefined; // all ones: reserved for logical immediates
  const esize = 1 << len;
  const E = BigInt(esize);
  const emask = (1n << E) - 1n;
  const welem = (1n << BigInt(s + 1)) - 1n;
  const rot = r === 0 ? welem : ((welem >> BigInt(r)) | (welem << (E - BigInt(r)))) & emask;
  let v = 0n;
  for (let i = 0; i < 64; i += esize) v |= rot << BigInt(i);
  return v;
}

for (let i = 0; i < 8192; i++) {
  const v = decodeBitMask(i >> 12, (i >> 6) & 63, i & 63);
  if (v === undefined) continue;
  BITMASK_OK[i] = 1;
  BITMASK_LO[i] = Number(BigInt.asIntN(32, v));
  BITMASK_HI[i] = Number(BigInt.asIntN(32, v >> 32n));
}

/** VFPExpandImm: the raw bits of an 8-bit FP immediate as a double (high word; the low word is 0). */
export function fpImm8DoubleHi(imm8: number): number {
  const sign = (imm8 >> 7) & 1;
  const b = (imm8 >> 6) & 1;
  const exp = ((b ^ 1) << 10) | (b ? 0x3fc : 0) | ((imm8 >> 4) & 3);
  return (sign << 31) | (exp << 20) | ((imm8 & 15) << 16);
}

/** VFPExpandImm for single precision: the raw 32 bits. */
export function fpImm8Single(imm8: number): number {
  const sign = (imm8 >> 7) & 1;
  const b = (imm8 >> 6) & 1;
  const exp = ((b ^ 1) << 7) | (b ? 0x7c : 0) | ((imm8 >> 4) & 3);
  return (sign << 31) | (exp << 23) | ((imm8 & 15) << 19);
}
