// The six 32-bit instruction formats of the RISC-V unprivileged spec (R/I/S/B/U/J, plus the
// R4 format of fused multiply-add), as pure functions from fields to a 32-bit word. Range
// checks live here, so a wrong immediate fails loudly instead of silently wrapping.

import { AsmError } from "@vmstate/core";

export { AsmError };

/** Throws unless v is an integer in [lo, hi] (and a multiple of `align`). */
export function checkImm(what: string, v: number, lo: number, hi: number, align = 1): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new AsmError(`${what}: ${v} is outside [${lo}, ${hi}]`);
  if (v % align !== 0) throw new AsmError(`${what}: ${v} is not a multiple of ${align}`);
  return v;
}

export const fitsSigned = (v: number, bits: number) => Number.isInteger(v) && v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1);

/** Bits [hi:lo] of v (v may be negative; two's complement). */
export const bits = (v: number, hi: number, lo: number) => Math.floor(v / 2 ** lo) & ((1 << (hi - lo + 1)) - 1);

export const encR = (op: number, f3: number, f7: number, rd: number, rs1: number, rs2: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;

export const encR4 = (op: number, f3: number, fmt: number, rd: number, rs1: number, rs2: number, rs3: number) =>
  ((rs3 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;

export function encI(op: number, f3: number, rd: number, rs1: number, imm: number): number {
  checkImm("12-bit immediate", imm, -2048, 2047);
  return ((bits(imm, 11, 0) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

export function encS(op: number, f3: number, rs1: number, rs2: number, imm: number): number {
  checkImm("12-bit store offset", imm, -2048, 2047);
  return ((bits(imm, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (bits(imm, 4, 0) << 7) | op) >>> 0;
}

export function encB(op: number, f3: number, rs1: number, rs2: number, off: number): number {
  checkImm("branch offset", off, -4096, 4094, 2);
  return (
    ((bits(off, 12, 12) << 31) | (bits(off, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
      (bits(off, 4, 1) << 8) | (bits(off, 11, 11) << 7) | op) >>> 0
  );
}

/** U format; imm20 is the 20-bit field (0..0xfffff; negative numbers are taken as 20-bit two's complement). */
export function encU(op: number, rd: number, imm20: number): number {
  checkImm("20-bit upper immediate", imm20, -0x80000, 0xfffff);
  return ((bits(imm20, 19, 0) << 12) | (rd << 7) | op) >>> 0;
}

export function encJ(op: number, rd: number, off: number): number {
  checkImm("jump offset", off, -(1 << 20), (1 << 20) - 2, 2);
  return (
    ((bits(off, 20, 20) << 31) | (bits(off, 10, 1) << 21) | (bits(off, 11, 11) << 20) | (bits(off, 19, 12) << 12) |
      (rd << 7) | op) >>> 0
  );
}

/** Major opcodes (inst[6:0]). */
export const OP = {
  LOAD: 0x03, LOAD_FP: 0x07, MISC_MEM: 0x0f, OP_IMM: 0x13, AUIPC: 0x17, OP_IMM_32: 0x1b,
  STORE: 0x23, STORE_FP: 0x27, AMO: 0x2f, OP: 0x33, LUI: 0x37, OP_32: 0x3b,
  MADD: 0x43, MSUB: 0x47, NMSUB: 0x4b, NMADD: 0x4f, OP_FP: 0x53,
  BRANCH: 0x63, JALR: 0x67, JAL: 0x6f, SYSTEM: 0x73,
} as const;

/** Splits a 32-bit pc-relative offset into the auipc/lui part and the sign-extended low 12 bits. */
export function hiLo(off: number): { hi: number; lo: number } {
  if (!Number.isInteger(off) || off < -0x80000800 || off > 0x7ffff7ff) throw new AsmError(`offset ${off} does not fit auipc+12-bit`);
  const lo = ((off & 0xfff) ^ 0x800) - 0x800;
  const hi = ((off - lo) / 4096) & 0xfffff;
  return { hi, lo };
}
