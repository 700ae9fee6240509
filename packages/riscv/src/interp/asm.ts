/**
 * A tiny RV64GC instruction encoder, used by the interpreter's tests and
 * usable for small hand-written guest snippets. Every encoder returns the
 * instruction word as an unsigned number (u32, or u16 for `c_*`).
 * Registers are plain numbers 0..31. Immediates are checked for range.
 */

function check(cond: boolean, what: string): void {
  if (!cond) throw new RangeError(what);
}
function reg(r: number): number {
  check(Number.isInteger(r) && r >= 0 && r < 32, `bad register ${r}`);
  return r;
}
function simm(v: number, bits: number, what: string): number {
  check(Number.isInteger(v) && v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1), `${what} ${v} out of range`);
  return v;
}

export const rType = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | op) >>> 0;
export const iType = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((simm(imm, 12, "I-immediate") & 0xfff) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | op) >>> 0;
export const sType = (imm: number, rs2: number, rs1: number, f3: number, op: number): number => {
  simm(imm, 12, "S-immediate");
  return ((((imm >> 5) & 0x7f) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0;
};
export const bType = (imm: number, rs2: number, rs1: number, f3: number): number => {
  simm(imm, 13, "branch offset");
  check((imm & 1) === 0, "branch offset must be even");
  return (
    ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>>
    0
  );
};
export const uType = (imm20: number, rd: number, op: number): number => {
  check(Number.isInteger(imm20) && imm20 >= -(2 ** 19) && imm20 < 2 ** 20, `U-immediate ${imm20} out of range`);
  return (((imm20 & 0xfffff) << 12) | (reg(rd) << 7) | op) >>> 0;
};
export const jType = (imm: number, rd: number): number => {
  simm(imm, 21, "jump offset");
  check((imm & 1) === 0, "jump offset must be even");
  return ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (reg(rd) << 7) | 0x6f) >>> 0;
};

// RV64I
export const lui = (rd: number, imm20: number) => uType(imm20, rd, 0x37);
export const auipc = (rd: number, imm20: number) => uType(imm20, rd, 0x17);
export const jal = (rd: number, off: number) => jType(off, rd);
export const jalr = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 0, rd, 0x67);
export const beq = (rs1: number, rs2: number, off: number) => bType(off, rs2, rs1, 0);
export const bne = (rs1: number, rs2: number, off: number) => bType(off, rs2, rs1, 1);
export const blt = (rs1: number, rs2: number, off: number) => bType(off, rs2, rs1, 4);
export const bge = (rs1: number, rs2: number, off: number) => bType(off, rs2, rs1, 5);
export const bltu = (rs1: number, rs2: number, off: number) => bType(off, rs2, rs1, 6);
export const bgeu = (rs1: number, rs2: number, off: number) => bType(off, rs2, rs1, 7);
export const lb = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 0, rd, 0x03);
export const lh = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 1, rd, 0x03);
export const lw = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 2, rd, 0x03);
export const ld = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 3, rd, 0x03);
export const lbu = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 4, rd, 0x03);
export const lhu = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 5, rd, 0x03);
export const lwu = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 6, rd, 0x03);
export const sb = (rs2: number, rs1: number, imm = 0) => sType(imm, rs2, rs1, 0, 0x23);
export const sh = (rs2: number, rs1: number, imm = 0) => sType(imm, rs2, rs1, 1, 0x23);
export const sw = (rs2: number, rs1: number, imm = 0) => sType(imm, rs2, rs1, 2, 0x23);
export const sd = (rs2: number, rs1: number, imm = 0) => sType(imm, rs2, rs1, 3, 0x23);
export const addi = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 0, rd, 0x13);
export const slti = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 2, rd, 0x13);
export const sltiu = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 3, rd, 0x13);
export const xori = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 4, rd, 0x13);
export const ori = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 6, rd, 0x13);
export const andi = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 7, rd, 0x13);
const shamt = (s: number, max: number) => {
  check(Number.isInteger(s) && s >= 0 && s < max, `shift amount ${s} out of range`);
  return s;
};
export const slli = (rd: number, rs1: number, s: number) => iType(shamt(s, 64), rs1, 1, rd, 0x13);
export const srli = (rd: number, rs1: number, s: number) => iType(shamt(s, 64), rs1, 5, rd, 0x13);
export const srai = (rd: number, rs1: number, s: number) => (iType(shamt(s, 64), rs1, 5, rd, 0x13) | (0x10 << 26)) >>> 0;
export const add = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 0, rd, 0x33);
export const sub = (rd: number, rs1: number, rs2: number) => rType(0x20, rs2, rs1, 0, rd, 0x33);
export const sll = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 1, rd, 0x33);
export const slt = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 2, rd, 0x33);
export const sltu = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 3, rd, 0x33);
export const xor = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 4, rd, 0x33);
export const srl = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 5, rd, 0x33);
export const sra = (rd: number, rs1: number, rs2: number) => rType(0x20, rs2, rs1, 5, rd, 0x33);
export const or = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 6, rd, 0x33);
export const and = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 7, rd, 0x33);
export const addiw = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 0, rd, 0x1b);
export const slliw = (rd: number, rs1: number, s: number) => iType(shamt(s, 32), rs1, 1, rd, 0x1b);
export const srliw = (rd: number, rs1: number, s: number) => iType(shamt(s, 32), rs1, 5, rd, 0x1b);
export const sraiw = (rd: number, rs1: number, s: number) => (iType(shamt(s, 32), rs1, 5, rd, 0x1b) | (0x20 << 25)) >>> 0;
export const addw = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 0, rd, 0x3b);
export const subw = (rd: number, rs1: number, rs2: number) => rType(0x20, rs2, rs1, 0, rd, 0x3b);
export const sllw = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 1, rd, 0x3b);
export const srlw = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 5, rd, 0x3b);
export const sraw = (rd: number, rs1: number, rs2: number) => rType(0x20, rs2, rs1, 5, rd, 0x3b);
export const fence = (pred = 0xf, succ = 0xf) => (((pred << 24) | (succ << 20) | 0x0f) >>> 0);
export const fence_i = () => 0x0000100f;
export const ecall = () => 0x00000073;
export const ebreak = () => 0x00100073;
export const nop = () => addi(0, 0, 0);

// M
export const mul = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 0, rd, 0x33);
export const mulh = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 1, rd, 0x33);
export const mulhsu = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 2, rd, 0x33);
export const mulhu = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 3, rd, 0x33);
export const div = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 4, rd, 0x33);
export const divu = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 5, rd, 0x33);
export const rem = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 6, rd, 0x33);
export const remu = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 7, rd, 0x33);
export const mulw = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 0, rd, 0x3b);
export const divw = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 4, rd, 0x3b);
export const divuw = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 5, rd, 0x3b);
export const remw = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 6, rd, 0x3b);
export const remuw = (rd: number, rs1: number, rs2: number) => rType(1, rs2, rs1, 7, rd, 0x3b);

// A
export const AMO = { add: 0x00, swap: 0x01, lr: 0x02, sc: 0x03, xor: 0x04, or: 0x08, and: 0x0c, min: 0x10, max: 0x14, minu: 0x18, maxu: 0x1c } as const;
export const amo = (op: keyof typeof AMO, width: "w" | "d", rd: number, rs1: number, rs2: number, aq = false, rl = false) =>
  rType((AMO[op] << 2) | (aq ? 2 : 0) | (rl ? 1 : 0), rs2, rs1, width === "w" ? 2 : 3, rd, 0x2f);
export const lr_w = (rd: number, rs1: number) => amo("lr", "w", rd, rs1, 0);
export const lr_d = (rd: number, rs1: number) => amo("lr", "d", rd, rs1, 0);
export const sc_w = (rd: number, rs1: number, rs2: number) => amo("sc", "w", rd, rs1, rs2);
export const sc_d = (rd: number, rs1: number, rs2: number) => amo("sc", "d", rd, rs1, rs2);

// Zicsr
const csrI = (f3: number, rd: number, csr: number, src: number) => ((((csr & 0xfff) << 20) | (src << 15) | (f3 << 12) | (reg(rd) << 7) | 0x73) >>> 0);
export const csrrw = (rd: number, csr: number, rs1: number) => csrI(1, rd, csr, reg(rs1));
export const csrrs = (rd: number, csr: number, rs1: number) => csrI(2, rd, csr, reg(rs1));
export const csrrc = (rd: number, csr: number, rs1: number) => csrI(3, rd, csr, reg(rs1));
export const csrrwi = (rd: number, csr: number, uimm: number) => csrI(5, rd, csr, shamt(uimm, 32));
export const csrrsi = (rd: number, csr: number, uimm: number) => csrI(6, rd, csr, shamt(uimm, 32));
export const csrrci = (rd: number, csr: number, uimm: number) => csrI(7, rd, csr, shamt(uimm, 32));
export const csrr = (rd: number, csr: number) => csrrs(rd, csr, 0);
export const csrw = (csr: number, rs1: number) => csrrw(0, csr, rs1);
export const csrs = (csr: number, rs1: number) => csrrs(0, csr, rs1);
export const csrc = (csr: number, rs1: number) => csrrc(0, csr, rs1);
export const csrsi = (csr: number, uimm: number) => csrrsi(0, csr, uimm);
export const csrci = (csr: number, uimm: number) => csrrci(0, csr, uimm);

// Privileged
export const mret = () => 0x30200073;
export const sret = () => 0x10200073;
export const wfi = () => 0x10500073;
export const sfence_vma = (rs1 = 0, rs2 = 0) => rType(0x09, rs2, rs1, 0, 0, 0x73);

// F / D. `rm` defaults to 7 (dynamic).
export const RM = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4, dyn: 7 } as const;
export const flw = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 2, rd, 0x07);
export const fld = (rd: number, rs1: number, imm = 0) => iType(imm, rs1, 3, rd, 0x07);
export const fsw = (rs2: number, rs1: number, imm = 0) => sType(imm, rs2, rs1, 2, 0x27);
export const fsd = (rs2: number, rs1: number, imm = 0) => sType(imm, rs2, rs1, 3, 0x27);
type Fmt = "s" | "d";
const fmtBits = (f: Fmt) => (f === "s" ? 0 : 1);
export const fop = (funct5: number, fmt: Fmt, rd: number, rs1: number, rs2: number, rm: number) => rType((funct5 << 2) | fmtBits(fmt), rs2, rs1, rm, rd, 0x53);
export const fadd = (fmt: Fmt, rd: number, rs1: number, rs2: number, rm = 7) => fop(0x00, fmt, rd, rs1, rs2, rm);
export const fsub = (fmt: Fmt, rd: number, rs1: number, rs2: number, rm = 7) => fop(0x01, fmt, rd, rs1, rs2, rm);
export const fmul = (fmt: Fmt, rd: number, rs1: number, rs2: number, rm = 7) => fop(0x02, fmt, rd, rs1, rs2, rm);
export const fdiv = (fmt: Fmt, rd: number, rs1: number, rs2: number, rm = 7) => fop(0x03, fmt, rd, rs1, rs2, rm);
export const fsqrt = (fmt: Fmt, rd: number, rs1: number, rm = 7) => fop(0x0b, fmt, rd, rs1, 0, rm);
export const fsgnj = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x04, fmt, rd, rs1, rs2, 0);
export const fsgnjn = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x04, fmt, rd, rs1, rs2, 1);
export const fsgnjx = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x04, fmt, rd, rs1, rs2, 2);
export const fmin = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x05, fmt, rd, rs1, rs2, 0);
export const fmax = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x05, fmt, rd, rs1, rs2, 1);
export const fle = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x14, fmt, rd, rs1, rs2, 0);
export const flt = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x14, fmt, rd, rs1, rs2, 1);
export const feq = (fmt: Fmt, rd: number, rs1: number, rs2: number) => fop(0x14, fmt, rd, rs1, rs2, 2);
export const fclass = (fmt: Fmt, rd: number, rs1: number) => fop(0x1c, fmt, rd, rs1, 0, 1);
/** fcvt.{w,wu,l,lu}.fmt: float to integer. */
export const fcvt_to_int = (kind: "w" | "wu" | "l" | "lu", fmt: Fmt, rd: number, rs1: number, rm = 7) =>
  fop(0x18, fmt, rd, rs1, { w: 0, wu: 1, l: 2, lu: 3 }[kind], rm);
/** fcvt.fmt.{w,wu,l,lu}: integer to float. */
export const fcvt_from_int = (fmt: Fmt, kind: "w" | "wu" | "l" | "lu", rd: number, rs1: number, rm = 7) =>
  fop(0x1a, fmt, rd, rs1, { w: 0, wu: 1, l: 2, lu: 3 }[kind], rm);
export const fcvt_s_d = (rd: number, rs1: number, rm = 7) => fop(0x08, "s", rd, rs1, 1, rm);
export const fcvt_d_s = (rd: number, rs1: number, rm = 7) => fop(0x08, "d", rd, rs1, 0, rm);
export const fmv_x_w = (rd: number, rs1: number) => fop(0x1c, "s", rd, rs1, 0, 0);
export const fmv_x_d = (rd: number, rs1: number) => fop(0x1c, "d", rd, rs1, 0, 0);
export const fmv_w_x = (rd: number, rs1: number) => fop(0x1e, "s", rd, rs1, 0, 0);
export const fmv_d_x = (rd: number, rs1: number) => fop(0x1e, "d", rd, rs1, 0, 0);
const r4 = (op: number) => (fmt: Fmt, rd: number, rs1: number, rs2: number, rs3: number, rm = 7) =>
  ((reg(rs3) << 27) | (fmtBits(fmt) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (rm << 12) | (reg(rd) << 7) | op) >>> 0;
export const fmadd = r4(0x43);
export const fmsub = r4(0x47);
export const fnmsub = r4(0x4b);
export const fnmadd = r4(0x4f);

// RV64C (returns u16). Registers written rd'/rs1'/rs2' must be x8..x15.
function creg(r: number): number {
  check(r >= 8 && r <= 15, `compressed register must be x8..x15, got x${r}`);
  return r - 8;
}
function uimm(v: number, scale: number, max: number, what: string): number {
  check(Number.isInteger(v) && v >= 0 && v < max && v % scale === 0, `${what} ${v} out of range`);
  return v;
}
const bit = (v: number, i: number) => (v >> i) & 1;
export const c_addi4spn = (rd: number, imm: number) => {
  uimm(imm, 4, 1024, "c.addi4spn immediate");
  return (0 << 13) | (((imm >> 4) & 3) << 11) | (((imm >> 6) & 15) << 7) | (bit(imm, 2) << 6) | (bit(imm, 3) << 5) | (creg(rd) << 2) | 0;
};
const clsD = (f3: number) => (r: number, rs1: number, imm: number) => {
  uimm(imm, 8, 256, "offset");
  return (f3 << 13) | (((imm >> 3) & 7) << 10) | (creg(rs1) << 7) | (((imm >> 6) & 3) << 5) | (creg(r) << 2) | 0;
};
const clsW = (f3: number) => (r: number, rs1: number, imm: number) => {
  uimm(imm, 4, 128, "offset");
  return (f3 << 13) | (((imm >> 3) & 7) << 10) | (creg(rs1) << 7) | (bit(imm, 2) << 6) | (bit(imm, 6) << 5) | (creg(r) << 2) | 0;
};
export const c_fld = clsD(1);
export const c_lw = clsW(2);
export const c_ld = clsD(3);
export const c_fsd = clsD(5);
export const c_sw = clsW(6);
export const c_sd = clsD(7);
const ci = (f3: number, op: number) => (rd: number, imm: number) => {
  simm(imm, 6, "CI immediate");
  return (f3 << 13) | (bit(imm, 5) << 12) | (reg(rd) << 7) | ((imm & 31) << 2) | op;
};
export const c_nop = () => 0x0001;
export const c_addi = ci(0, 1);
export const c_addiw = ci(1, 1);
export const c_li = ci(2, 1);
export const c_addi16sp = (imm: number) => {
  simm(imm, 10, "c.addi16sp immediate");
  check(imm % 16 === 0, "c.addi16sp immediate must be a multiple of 16");
  return (3 << 13) | (bit(imm, 9) << 12) | (2 << 7) | (bit(imm, 4) << 6) | (bit(imm, 6) << 5) | (((imm >> 7) & 3) << 3) | (bit(imm, 5) << 2) | 1;
};
/** c.lui rd, imm6 (imm6 is nzimm[17:12] as a signed 6-bit value). */
export const c_lui = ci(3, 1);
const cshift = (f2: number) => (rd: number, s: number) => {
  shamt(s, 64);
  return (4 << 13) | (bit(s, 5) << 12) | (f2 << 10) | (creg(rd) << 7) | ((s & 31) << 2) | 1;
};
export const c_srli = cshift(0);
export const c_srai = cshift(1);
export const c_andi = (rd: number, imm: number) => {
  simm(imm, 6, "c.andi immediate");
  return (4 << 13) | (bit(imm, 5) << 12) | (2 << 10) | (creg(rd) << 7) | ((imm & 31) << 2) | 1;
};
const ca = (b12: number, f2: number) => (rd: number, rs2: number) => (4 << 13) | (b12 << 12) | (3 << 10) | (creg(rd) << 7) | (f2 << 5) | (creg(rs2) << 2) | 1;
export const c_sub = ca(0, 0);
export const c_xor = ca(0, 1);
export const c_or = ca(0, 2);
export const c_and = ca(0, 3);
export const c_subw = ca(1, 0);
export const c_addw = ca(1, 1);
export const c_j = (off: number) => {
  simm(off, 12, "c.j offset");
  check((off & 1) === 0, "offset must be even");
  return (
    (5 << 13) | (bit(off, 11) << 12) | (bit(off, 4) << 11) | (((off >> 8) & 3) << 9) | (bit(off, 10) << 8) | (bit(off, 6) << 7) | (bit(off, 7) << 6) | (((off >> 1) & 7) << 3) | (bit(off, 5) << 2) | 1
  );
};
const cb = (f3: number) => (rs1: number, off: number) => {
  simm(off, 9, "c.b offset");
  check((off & 1) === 0, "offset must be even");
  return (f3 << 13) | (bit(off, 8) << 12) | (((off >> 3) & 3) << 10) | (creg(rs1) << 7) | (((off >> 6) & 3) << 5) | (((off >> 1) & 3) << 3) | (bit(off, 5) << 2) | 1;
};
export const c_beqz = cb(6);
export const c_bnez = cb(7);
export const c_slli = (rd: number, s: number) => {
  shamt(s, 64);
  return (0 << 13) | (bit(s, 5) << 12) | (reg(rd) << 7) | ((s & 31) << 2) | 2;
};
const cldsp = (f3: number) => (rd: number, imm: number) => {
  uimm(imm, 8, 512, "offset");
  return (f3 << 13) | (bit(imm, 5) << 12) | (reg(rd) << 7) | (((imm >> 3) & 3) << 5) | (((imm >> 6) & 7) << 2) | 2;
};
export const c_fldsp = cldsp(1);
export const c_lwsp = (rd: number, imm: number) => {
  uimm(imm, 4, 256, "offset");
  return (2 << 13) | (bit(imm, 5) << 12) | (reg(rd) << 7) | (((imm >> 2) & 7) << 4) | (((imm >> 6) & 3) << 2) | 2;
};
export const c_ldsp = cldsp(3);
export const c_jr = (rs1: number) => (4 << 13) | (reg(rs1) << 7) | 2;
export const c_mv = (rd: number, rs2: number) => (4 << 13) | (reg(rd) << 7) | (reg(rs2) << 2) | 2;
export const c_ebreak = () => 0x9002;
export const c_jalr = (rs1: number) => (4 << 13) | (1 << 12) | (reg(rs1) << 7) | 2;
export const c_add = (rd: number, rs2: number) => (4 << 13) | (1 << 12) | (reg(rd) << 7) | (reg(rs2) << 2) | 2;
const csdsp = (f3: number) => (rs2: number, imm: number) => {
  uimm(imm, 8, 512, "offset");
  return (f3 << 13) | (((imm >> 3) & 7) << 10) | (((imm >> 6) & 7) << 7) | (reg(rs2) << 2) | 2;
};
export const c_fsdsp = csdsp(5);
export const c_swsp = (rs2: number, imm: number) => {
  uimm(imm, 4, 256, "offset");
  return (6 << 13) | (((imm >> 2) & 15) << 9) | (((imm >> 6) & 3) << 7) | (reg(rs2) << 2) | 2;
};
export const c_sdsp = csdsp(7);

/**
 * A little program builder: appends 32-bit and 16-bit instructions, with
 * labels for branches and jumps (resolved by `bytes()`).
 */
export class Asm {
  private readonly parts: { at: number; size: 2 | 4; word: number | ((self: Asm, at: number) => number) }[] = [];
  private readonly labels = new Map<string, number>();
  private pos = 0;

  constructor(readonly origin = 0) {}

  get here(): number {
    return this.pos;
  }

  /** Appends a 32-bit instruction word (or data word). */
  emit(word: number): this {
    this.parts.push({ at: this.pos, size: 4, word });
    this.pos += 4;
    return this;
  }

  /** Appends a 16-bit (compressed) instruction. */
  emit16(half: number): this {
    this.parts.push({ at: this.pos, size: 2, word: half });
    this.pos += 2;
    return this;
  }

  /** Appends several words. */
  emitAll(...words: number[]): this {
    for (const w of words) this.emit(w);
    return this;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.pos);
    return this;
  }

  /** Offset of a label relative to the instruction at `from`. */
  offset(name: string, from: number): number {
    const t = this.labels.get(name);
    if (t === undefined) throw new Error(`undefined label ${name}`);
    return t - from;
  }

  /** Appends an instruction whose encoding needs a label offset (e.g. `(off) => bne(1, 2, off)`). */
  ref(name: string, enc: (offset: number) => number, size: 2 | 4 = 4): this {
    this.parts.push({ at: this.pos, size, word: (self, at) => enc(self.offset(name, at)) });
    this.pos += size;
    return this;
  }

  /** Loads a 64-bit constant into rd (lui/addi/slli sequence; clobbers only rd). */
  li(rd: number, value: bigint | number): this {
    let v = BigInt.asIntN(64, BigInt(value));
    if (v >= -2048n && v < 2048n) return this.emit(addi(rd, 0, Number(v)));
    if (v >= -(1n << 31n) && v < 1n << 31n) {
      const lo = Number(BigInt.asIntN(12, v));
      const hi = Number(BigInt.asIntN(32, v - BigInt(lo))) >> 12;
      this.emit(lui(rd, hi & 0xfffff));
      if (lo !== 0) this.emit(addiw(rd, rd, lo));
      return this;
    }
    // Build the upper part recursively, then shift in 12 bits at a time.
    const lo = Number(BigInt.asIntN(12, v));
    v = (v - BigInt(lo)) >> 12n;
    let shift = 12;
    while ((v & 1n) === 0n && shift < 60) {
      v >>= 1n;
      shift++;
    }
    this.li(rd, v);
    this.emit(slli(rd, rd, shift));
    if (lo !== 0) this.emit(addi(rd, rd, lo));
    return this;
  }

  /** Little-endian bytes of the program. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.pos);
    const dv = new DataView(out.buffer);
    for (const p of this.parts) {
      const w = typeof p.word === "number" ? p.word : p.word(this, p.at);
      if (p.size === 4) dv.setUint32(p.at, w >>> 0, true);
      else dv.setUint16(p.at, w & 0xffff, true);
    }
    return out;
  }
}
