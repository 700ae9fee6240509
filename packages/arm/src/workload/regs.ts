// A64 register and operand names as the assembler DSL takes them (GNU as spelling):
// general registers x0..x30 / w0..w30 with xzr/wzr and sp/wsp, FP/SIMD registers
// b/h/s/d/q0..31 and v0..31, condition codes, shift/extend modifiers and system registers.

import { AsmError } from "./encode.js";

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
/** 0..30 */
export type GprNum = Digit | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30;
/** 0..31 */
export type VNum = GprNum | 31;

export type XReg = `x${GprNum}` | "xzr" | "sp" | "fp" | "lr";
export type WReg = `w${GprNum}` | "wzr" | "wsp";
export type GpReg = XReg | WReg;
export type BReg = `b${VNum}`;
export type HReg = `h${VNum}`;
export type SReg = `s${VNum}`;
export type DReg = `d${VNum}`;
export type QReg = `q${VNum}`;
export type FpReg = SReg | DReg;
export type SimdScalar = BReg | HReg | SReg | DReg | QReg;
/** A vector register with an arrangement, "v3.16b", "v0.2d", or an element, "v1.d[1]". */
export type VecReg = `v${VNum}.${string}`;

/** x0..x30 then sp, the order of QEMU's env.xregs (x31 there is the current SP). */
export const XREG_NAMES: readonly string[] = [...Array.from({ length: 31 }, (_, i) => `x${i}`), "sp"];

export interface Gp {
  /** Register number; 31 is SP or ZR depending on `sp`. */
  n: number;
  /** 1 for a 64-bit (x) register, 0 for a 32-bit (w) one. */
  sf: 0 | 1;
  /** The name was sp/wsp (n = 31). */
  sp: boolean;
  /** The name was xzr/wzr (n = 31). */
  zr: boolean;
}

const GP_RE = /^([xw])([0-9]|[12][0-9]|30)$/;

export function isGpName(s: string): boolean {
  return GP_RE.test(s) || s === "xzr" || s === "wzr" || s === "sp" || s === "wsp" || s === "fp" || s === "lr";
}

export function gp(name: string): Gp {
  const m = GP_RE.exec(name);
  if (m) return { n: Number(m[2]), sf: m[1] === "x" ? 1 : 0, sp: false, zr: false };
  switch (name) {
    case "xzr": return { n: 31, sf: 1, sp: false, zr: true };
    case "wzr": return { n: 31, sf: 0, sp: false, zr: true };
    case "sp": return { n: 31, sf: 1, sp: true, zr: false };
    case "wsp": return { n: 31, sf: 0, sp: true, zr: false };
    case "fp": return { n: 29, sf: 1, sp: false, zr: false };
    case "lr": return { n: 30, sf: 1, sp: false, zr: false };
  }
  throw new AsmError(`${name} is not a general-purpose register`);
}

/** A register that may be ZR but not SP (most data-processing operands). */
export function gpZr(name: string, what = "operand"): Gp {
  const r = gp(name);
  if (r.sp) throw new AsmError(`${what}: ${name} cannot be sp here`);
  return r;
}

/** A register that may be SP but not ZR (base registers, add/sub immediate). */
export function gpSp(name: string, what = "operand"): Gp {
  const r = gp(name);
  if (r.zr) throw new AsmError(`${what}: ${name} cannot be the zero register here`);
  return r;
}

export type FpSize = "b" | "h" | "s" | "d" | "q";
export interface Fp {
  n: number;
  size: FpSize;
}

const FP_RE = /^([bhsdq])([0-9]|[12][0-9]|3[01])$/;

export function isFpName(s: string): boolean {
  return FP_RE.test(s);
}

export function fp(name: string): Fp {
  const m = FP_RE.exec(name);
  if (!m) throw new AsmError(`${name} is not a SIMD&FP scalar register`);
  return { n: Number(m[2]), size: m[1] as FpSize };
}

export interface Vec {
  n: number;
  /** Element size letter and count: "16b", "8b", "8h", "4h", "4s", "2s", "2d", "1d"; "" for an element reference. */
  arrangement: string;
  /** Element reference "v1.d[1]": size letter and index. */
  element?: { size: "b" | "h" | "s" | "d"; index: number };
}

export function vec(name: string): Vec {
  const m = /^v([0-9]|[12][0-9]|3[01])\.(\d*)([bhsd])(?:\[(\d+)\])?$/.exec(name);
  if (!m) throw new AsmError(`${name} is not a vector register`);
  const n = Number(m[1]);
  if (m[4] !== undefined) {
    if (m[2]) throw new AsmError(`${name}: an element has no count`);
    return { n, arrangement: "", element: { size: m[3] as "b" | "h" | "s" | "d", index: Number(m[4]) } };
  }
  const arr = `${m[2]}${m[3]}`;
  if (!["8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"].includes(arr)) throw new AsmError(`${name}: bad arrangement`);
  return { n, arrangement: arr };
}

/** Condition codes, by name, with their encodings (hs = cs, lo = cc). */
export const CONDITIONS = {
  eq: 0, ne: 1, cs: 2, hs: 2, cc: 3, lo: 3, mi: 4, pl: 5, vs: 6, vc: 7, hi: 8, ls: 9, ge: 10, lt: 11, gt: 12, le: 13, al: 14, nv: 15,
} as const;
export type Cond = keyof typeof CONDITIONS;

export function cond(c: string): number {
  const v = (CONDITIONS as Record<string, number>)[c];
  if (v === undefined) throw new AsmError(`${c} is not a condition`);
  return v;
}

export type ShiftKind = "lsl" | "lsr" | "asr" | "ror";
export type ExtendKind = "uxtb" | "uxth" | "uxtw" | "uxtx" | "sxtb" | "sxth" | "sxtw" | "sxtx";
/** A shift or extend operand modifier in GNU syntax: "lsl #3", "asr #1", "sxtw", "uxtw #2". */
export type Modifier = `${ShiftKind} #${number}` | ExtendKind | `${ExtendKind} #${number}` | "lsl";

export const SHIFTS: Record<ShiftKind, number> = { lsl: 0, lsr: 1, asr: 2, ror: 3 };
export const EXTENDS: Record<ExtendKind, number> = { uxtb: 0, uxth: 1, uxtw: 2, uxtx: 3, sxtb: 4, sxth: 5, sxtw: 6, sxtx: 7 };

export interface ParsedModifier {
  kind: ShiftKind | ExtendKind;
  amount: number;
  /** The amount was written ("lsl #0" vs "lsl"); register-offset addressing tells them apart. */
  explicit: boolean;
  isShift: boolean;
}

export function modifier(m: string): ParsedModifier {
  const r = /^(lsl|lsr|asr|ror|[us]xt[bhwx])(?:\s+#?(\d+))?$/.exec(m.trim());
  if (!r) throw new AsmError(`bad shift/extend modifier ${JSON.stringify(m)}`);
  const kind = r[1] as ShiftKind | ExtendKind;
  return { kind, amount: r[2] === undefined ? 0 : Number(r[2]), explicit: r[2] !== undefined, isShift: kind in SHIFTS };
}

/** System registers the DSL knows by name: [op0, op1, CRn, CRm, op2]. */
export const SYSREGS = {
  nzcv: [3, 3, 4, 2, 0],
  daif: [3, 3, 4, 2, 1],
  fpcr: [3, 3, 4, 4, 0],
  fpsr: [3, 3, 4, 4, 1],
  currentel: [3, 0, 4, 2, 2],
  spsel: [3, 0, 4, 2, 0],
  sp_el0: [3, 0, 4, 1, 0],
  spsr_el1: [3, 0, 4, 0, 0],
  elr_el1: [3, 0, 4, 0, 1],
  midr_el1: [3, 0, 0, 0, 0],
  mpidr_el1: [3, 0, 0, 0, 5],
  revidr_el1: [3, 0, 0, 0, 6],
  id_aa64pfr0_el1: [3, 0, 0, 4, 0],
  id_aa64isar0_el1: [3, 0, 0, 6, 0],
  id_aa64mmfr0_el1: [3, 0, 0, 7, 0],
  sctlr_el1: [3, 0, 1, 0, 0],
  actlr_el1: [3, 0, 1, 0, 1],
  cpacr_el1: [3, 0, 1, 0, 2],
  ttbr0_el1: [3, 0, 2, 0, 0],
  ttbr1_el1: [3, 0, 2, 0, 1],
  tcr_el1: [3, 0, 2, 0, 2],
  esr_el1: [3, 0, 5, 2, 0],
  far_el1: [3, 0, 6, 0, 0],
  par_el1: [3, 0, 7, 4, 0],
  mair_el1: [3, 0, 10, 2, 0],
  vbar_el1: [3, 0, 12, 0, 0],
  isr_el1: [3, 0, 12, 1, 0],
  contextidr_el1: [3, 0, 13, 0, 1],
  tpidr_el1: [3, 0, 13, 0, 4],
  tpidr_el0: [3, 3, 13, 0, 2],
  tpidrro_el0: [3, 3, 13, 0, 3],
  cntkctl_el1: [3, 0, 14, 1, 0],
  cntfrq_el0: [3, 3, 14, 0, 0],
  cntpct_el0: [3, 3, 14, 0, 1],
  cntvct_el0: [3, 3, 14, 0, 2],
  cntp_tval_el0: [3, 3, 14, 2, 0],
  cntp_ctl_el0: [3, 3, 14, 2, 1],
  cntp_cval_el0: [3, 3, 14, 2, 2],
  cntv_tval_el0: [3, 3, 14, 3, 0],
  cntv_ctl_el0: [3, 3, 14, 3, 1],
  cntv_cval_el0: [3, 3, 14, 3, 2],
  ctr_el0: [3, 3, 0, 0, 1],
  dczid_el0: [3, 3, 0, 0, 7],
  // GICv3 CPU interface (system register access)
  icc_pmr_el1: [3, 0, 4, 6, 0],
  icc_iar1_el1: [3, 0, 12, 12, 0],
  icc_eoir1_el1: [3, 0, 12, 12, 1],
  icc_bpr1_el1: [3, 0, 12, 12, 3],
  icc_ctlr_el1: [3, 0, 12, 12, 4],
  icc_sre_el1: [3, 0, 12, 12, 5],
  icc_igrpen1_el1: [3, 0, 12, 12, 7],
} as const satisfies Record<string, readonly [number, number, number, number, number]>;
export type SysregMnemonic = keyof typeof SYSREGS;

/** A system register by name, or in generic form s<op0>_<op1>_c<n>_c<m>_<op2>. */
export function sysreg(name: string): readonly [number, number, number, number, number] {
  const known = (SYSREGS as Record<string, readonly [number, number, number, number, number]>)[name.toLowerCase()];
  if (known) return known;
  const m = /^s([23])_([0-7])_c(\d+)_c(\d+)_([0-7])$/i.exec(name);
  if (m && Number(m[3]) < 16 && Number(m[4]) < 16) return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  throw new AsmError(`unknown system register ${name}`);
}

/** PSTATE fields for MSR (immediate): [op1, op2]. */
export const PSTATE_FIELDS = { spsel: [0, 5], daifset: [3, 6], daifclr: [3, 7] } as const;
export type PstateField = keyof typeof PSTATE_FIELDS;

/** Barrier options (DMB/DSB CRm). */
export const BARRIERS = {
  sy: 15, st: 14, ld: 13, ish: 11, ishst: 10, ishld: 9, nsh: 7, nshst: 6, nshld: 5, osh: 3, oshst: 2, oshld: 1,
} as const;
export type BarrierOption = keyof typeof BARRIERS;
