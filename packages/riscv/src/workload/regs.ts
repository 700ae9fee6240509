// Register and CSR names the assembler accepts, as GNU as spells them. Kept apart from the
// encoders so the workload, the comparison and the tests share one table of ABI names.

/** ABI names of x0..x31, in register-number order (QEMU's "info registers" prints these). */
export const XREG_ABI = [
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
  "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
  "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
] as const;

/** ABI names of f0..f31. */
export const FREG_ABI = [
  "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
  "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
  "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
  "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
] as const;

type Index = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31;

export type XAbi = (typeof XREG_ABI)[number];
export type FAbi = (typeof FREG_ABI)[number];
/** An integer register: ABI name, "fp" (= s0) or x0..x31. */
export type XReg = XAbi | "fp" | `x${Index}`;
/** A floating-point register: ABI name or f0..f31. */
export type FReg = FAbi | `f${Index}`;

const XNUM = new Map<string, number>([...XREG_ABI.map((n, i) => [n, i] as const), ["fp", 8]]);
const FNUM = new Map<string, number>(FREG_ABI.map((n, i) => [n, i] as const));
for (let i = 0; i < 32; i++) {
  XNUM.set(`x${i}`, i);
  FNUM.set(`f${i}`, i);
}

/** Register number of an integer register name; throws on anything else (names come from untyped text in tests). */
export function xnum(r: string): number {
  const n = XNUM.get(r);
  if (n === undefined) throw new Error(`not an integer register: ${r}`);
  return n;
}

export function fnum(r: string): number {
  const n = FNUM.get(r);
  if (n === undefined) throw new Error(`not a floating-point register: ${r}`);
  return n;
}

export const isXReg = (r: string): r is XReg => XNUM.has(r);
export const isFReg = (r: string): r is FReg => FNUM.has(r);

/** CSRs by name (the ones a bare-metal M-mode program and its tests use). */
export const CSRS = {
  fflags: 0x001, frm: 0x002, fcsr: 0x003,
  cycle: 0xc00, time: 0xc01, instret: 0xc02,
  sstatus: 0x100, sie: 0x104, stvec: 0x105, sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  pmpcfg0: 0x3a0, pmpaddr0: 0x3b0,
  mcycle: 0xb00, minstret: 0xb02,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14,
} as const;

export type CsrName = keyof typeof CSRS;
/** A CSR: its name or its 12-bit number. */
export type Csr = CsrName | number;

export function csrnum(c: Csr | string): number {
  if (typeof c === "number") {
    if (!Number.isInteger(c) || c < 0 || c > 0xfff) throw new Error(`CSR number out of range: ${c}`);
    return c;
  }
  const n = (CSRS as Record<string, number>)[c];
  if (n === undefined) throw new Error(`unknown CSR: ${c}`);
  return n;
}

/** Floating-point rounding modes (the rm field); "dyn" uses frm. */
export const ROUNDING = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4, dyn: 7 } as const;
export type RoundingMode = keyof typeof ROUNDING;

/** Ordering bits of an AMO / LR / SC. */
export type AmoOrder = "" | "aq" | "rl" | "aqrl";
