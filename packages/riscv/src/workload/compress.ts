// RVC ("C" extension) encodings for the auto-compressing mode of Program: each function takes
// the operands of a 32-bit instruction and returns the 16-bit equivalent, or null when the
// operands do not fit a compressed form. The choices follow GNU as (binutils 2.40) with
// `.option rvc`, which asm.test.ts checks instruction by instruction.

import { bits } from "./encode.js";

/** x8..x15 (s0, s1, a0..a5) are the only registers the 3-bit fields reach. */
const isC = (r: number) => r >= 8 && r <= 15;
const c3 = (r: number) => r - 8;
const inRange = (v: number, lo: number, hi: number, align = 1) => Number.isInteger(v) && v >= lo && v <= hi && v % align === 0;
const SP = 2;

const ci = (f3: number, op: number, rd: number, imm6: number) => (f3 << 13) | (bits(imm6, 5, 5) << 12) | (rd << 7) | (bits(imm6, 4, 0) << 2) | op;
const cr = (f4: number, rd: number, rs2: number) => (f4 << 12) | (rd << 7) | (rs2 << 2) | 0b10;
const ca = (f6: number, f2: number, rd: number, rs2: number) => (f6 << 10) | (c3(rd) << 7) | (f2 << 5) | (c3(rs2) << 2) | 0b01;

export function cAddi(rd: number, rs1: number, imm: number): number | null {
  if (rd === 0 && rs1 === 0 && imm === 0) return 0x0001; // c.nop
  if (rs1 === SP && isC(rd) && inRange(imm, 4, 1020, 4)) {
    // c.addi4spn: nzuimm[5:4|9:6|2|3] in inst[12:5]
    const f = (bits(imm, 5, 4) << 6) | (bits(imm, 9, 6) << 2) | (bits(imm, 2, 2) << 1) | bits(imm, 3, 3);
    return (f << 5) | (c3(rd) << 2);
  }
  if (rd === rs1 && rd !== 0 && imm !== 0 && inRange(imm, -32, 31)) return ci(0b000, 0b01, rd, imm); // c.addi
  if (rd === SP && rs1 === SP && imm !== 0 && inRange(imm, -512, 496, 16)) {
    // c.addi16sp: nzimm[9] at 12, nzimm[4|6|8:7|5] at 6:2
    const lo = (bits(imm, 4, 4) << 4) | (bits(imm, 6, 6) << 3) | (bits(imm, 8, 7) << 1) | bits(imm, 5, 5);
    return (0b011 << 13) | (bits(imm, 9, 9) << 12) | (SP << 7) | (lo << 2) | 0b01;
  }
  if (rs1 === 0 && rd !== 0 && inRange(imm, -32, 31)) return ci(0b010, 0b01, rd, imm); // c.li
  if (imm === 0 && rd !== 0 && rs1 !== 0) return cr(0b1000, rd, rs1); // c.mv (mv rd, rs)
  return null;
}

export function cAddiw(rd: number, rs1: number, imm: number): number | null {
  if (rd === rs1 && rd !== 0 && inRange(imm, -32, 31)) return ci(0b001, 0b01, rd, imm);
  return null;
}

/** lui with the 20-bit field value imm20 (0..0xfffff). */
export function cLui(rd: number, imm20: number): number | null {
  if (rd === 0 || rd === SP || imm20 === 0) return null;
  if (imm20 >= 1 && imm20 <= 31) return ci(0b011, 0b01, rd, imm20);
  if (imm20 >= 0xfffe0 && imm20 <= 0xfffff) return ci(0b011, 0b01, rd, imm20 - 0x100000);
  return null;
}

export function cShiftImm(kind: "slli" | "srli" | "srai", rd: number, rs1: number, sh: number): number | null {
  if (rd !== rs1 || sh === 0) return null;
  if (kind === "slli") return rd !== 0 ? ci(0b000, 0b10, rd, sh) : null;
  if (!isC(rd)) return null;
  return (0b100 << 13) | (bits(sh, 5, 5) << 12) | ((kind === "srli" ? 0b00 : 0b01) << 10) | (c3(rd) << 7) | (bits(sh, 4, 0) << 2) | 0b01;
}

export function cAndi(rd: number, rs1: number, imm: number): number | null {
  if (rd !== rs1 || !isC(rd) || !inRange(imm, -32, 31)) return null;
  return (0b100 << 13) | (bits(imm, 5, 5) << 12) | (0b10 << 10) | (c3(rd) << 7) | (bits(imm, 4, 0) << 2) | 0b01;
}

export type CAluOp = "add" | "sub" | "xor" | "or" | "and" | "addw" | "subw";

export function cAlu(op: CAluOp, rd: number, rs1: number, rs2: number): number | null {
  if (op === "add") {
    if (rd === 0) return null;
    if (rs1 === rd && rs2 !== 0) return cr(0b1001, rd, rs2); // c.add
    if (rs2 === rd && rs1 !== 0) return cr(0b1001, rd, rs1); // commutative
    if (rs1 === 0 && rs2 !== 0) return cr(0b1000, rd, rs2); // c.mv (GNU as leaves `add rd, rs, zero` alone)
    return null;
  }
  const commutative = op !== "sub" && op !== "subw";
  let other: number;
  if (rs1 === rd) other = rs2;
  else if (commutative && rs2 === rd) other = rs1;
  else return null;
  if (!isC(rd) || !isC(other)) return null;
  switch (op) {
    case "sub": return ca(0b100011, 0b00, rd, other);
    case "xor": return ca(0b100011, 0b01, rd, other);
    case "or": return ca(0b100011, 0b10, rd, other);
    case "and": return ca(0b100011, 0b11, rd, other);
    case "subw": return ca(0b100111, 0b00, rd, other);
    case "addw": return ca(0b100111, 0b01, rd, other);
  }
}

/** Loads and stores that have compressed forms: lw/ld/fld (rd is the loaded register) and sw/sd/fsd (rd is the stored one). */
export type CMemOp = "lw" | "ld" | "fld" | "sw" | "sd" | "fsd";

export function cMem(op: CMemOp, r: number, off: number, base: number, rIsFloat: boolean): number | null {
  const word = op === "lw" || op === "sw";
  const load = op === "lw" || op === "ld" || op === "fld";
  const f3 = { fld: 0b001, lw: 0b010, ld: 0b011, fsd: 0b101, sw: 0b110, sd: 0b111 }[op];
  if (base === SP) {
    if (load && r === 0 && !rIsFloat) return null;
    if (word ? !inRange(off, 0, 252, 4) : !inRange(off, 0, 504, 8)) return null;
    if (load) {
      // c.lwsp: uimm[5] at 12, uimm[4:2|7:6] at 6:2; c.ldsp/c.fldsp: uimm[5] at 12, uimm[4:3|8:6] at 6:2
      const lo = word ? (bits(off, 4, 2) << 2) | bits(off, 7, 6) : (bits(off, 4, 3) << 3) | bits(off, 8, 6);
      return (f3 << 13) | (bits(off, 5, 5) << 12) | (r << 7) | (lo << 2) | 0b10;
    }
    // c.swsp: uimm[5:2|7:6] at 12:7; c.sdsp/c.fsdsp: uimm[5:3|8:6] at 12:7
    const f = word ? (bits(off, 5, 2) << 2) | bits(off, 7, 6) : (bits(off, 5, 3) << 3) | bits(off, 8, 6);
    return (f3 << 13) | (f << 7) | (r << 2) | 0b10;
  }
  if (!isC(r) || !isC(base)) return null;
  if (word ? !inRange(off, 0, 124, 4) : !inRange(off, 0, 248, 8)) return null;
  // CL/CS: uimm[5:3] at 12:10; inst[6:5] = uimm[2|6] (word) or uimm[7:6] (double)
  const mid = word ? (bits(off, 2, 2) << 1) | bits(off, 6, 6) : bits(off, 7, 6);
  return (f3 << 13) | (bits(off, 5, 3) << 10) | (c3(base) << 7) | (mid << 5) | (c3(r) << 2) | 0b00;
}

/** c.jr / c.jalr, for `jr rs` and the one-operand `jalr rs` only: GNU as keeps `jalr rd, 0(rs)` 32-bit. */
export function cJalr(rd: number, rs1: number, off: number): number | null {
  if (off !== 0 || rs1 === 0) return null;
  if (rd === 0) return cr(0b1000, rs1, 0); // c.jr
  if (rd === 1) return cr(0b1001, rs1, 0); // c.jalr
  return null;
}

export const C_EBREAK = 0x9002;

/** c.j (jal x0) with a known pc-relative offset. */
export function cJ(off: number): number | null {
  if (!inRange(off, -2048, 2046, 2)) return null;
  // imm[11|4|9:8|10|6|7|3:1|5] in inst[12:2]
  const f =
    (bits(off, 11, 11) << 10) | (bits(off, 4, 4) << 9) | (bits(off, 9, 8) << 7) | (bits(off, 10, 10) << 6) |
    (bits(off, 6, 6) << 5) | (bits(off, 7, 7) << 4) | (bits(off, 3, 1) << 1) | bits(off, 5, 5);
  return (0b101 << 13) | (f << 2) | 0b01;
}

/** c.beqz / c.bnez: beq/bne rs1', x0 with a known offset. */
export function cBranchZero(ne: boolean, rs1: number, off: number): number | null {
  if (!isC(rs1) || !inRange(off, -256, 254, 2)) return null;
  // offset[8|4:3] at 12:10, offset[7:6|2:1|5] at 6:2
  const hi = (bits(off, 8, 8) << 2) | bits(off, 4, 3);
  const lo = (bits(off, 7, 6) << 3) | (bits(off, 2, 1) << 1) | bits(off, 5, 5);
  return ((ne ? 0b111 : 0b110) << 13) | (hi << 10) | (c3(rs1) << 7) | (lo << 2) | 0b01;
}
