/**
 * F and D extension instructions for RiscvHart.
 *
 * Round-to-nearest-even arithmetic uses JS doubles (Math.fround for single
 * precision) with exact inexact-flag detection (TwoSum / Dekker TwoProduct
 * residuals); every other rounding mode, FMA, NaN/infinity/underflow edge
 * cases and integer-to-float conversions that need rounding go through the
 * exact BigInt soft-float in softfloat.ts. Results and flags are therefore
 * exact in all modes (see softfloat.ts).
 */
import type { RiscvHart } from "./hart.js";
import { MSTATUS } from "./csr-defs.js";
import * as SF from "./softfloat.js";

const buf = new ArrayBuffer(8);
const F64 = new Float64Array(buf);
const F32 = new Float32Array(buf);
const I32 = new Int32Array(buf);
F64[0] = 1;
if (I32[1] !== 0x3ff00000) throw new Error("riscv interpreter: a little-endian host is required");

const TWO32 = 4294967296;
const SPLIT = 134217729; // 2^27 + 1
const SMALL = 2 ** -968;
const BIG = 2 ** 995;
const MIN_NORMAL_S = 2 ** -126;

const NX = SF.NX;
const NV = SF.NV;

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

function rdD(f: Int32Array, r: number): number {
  I32[0] = f[2 * r]!;
  I32[1] = f[2 * r + 1]!;
  return F64[0]!;
}
function rdS(f: Int32Array, r: number): number {
  if (f[2 * r + 1] !== -1) return NaN;
  I32[0] = f[2 * r]!;
  return F32[0]!;
}
function bitsD(f: Int32Array, r: number): bigint {
  return u64(f[2 * r]!, f[2 * r + 1]!);
}
/** Single-precision bits, unboxed: an improperly boxed value reads as the canonical NaN. */
function bitsS(f: Int32Array, r: number): bigint {
  return f[2 * r + 1] !== -1 ? 0x7fc00000n : BigInt(f[2 * r]! >>> 0);
}
function wrD(f: Int32Array, r: number, v: number): void {
  if (v !== v) {
    f[2 * r] = 0;
    f[2 * r + 1] = 0x7ff80000;
    return;
  }
  F64[0] = v;
  f[2 * r] = I32[0]!;
  f[2 * r + 1] = I32[1]!;
}
function wrS(f: Int32Array, r: number, v: number): void {
  if (v !== v) f[2 * r] = 0x7fc00000;
  else {
    F32[0] = v;
    f[2 * r] = I32[0]!;
  }
  f[2 * r + 1] = -1;
}
function wrBitsD(f: Int32Array, r: number, b: bigint): void {
  f[2 * r] = Number(BigInt.asIntN(32, b));
  f[2 * r + 1] = Number(BigInt.asIntN(32, b >> 32n));
}
function wrBitsS(f: Int32Array, r: number, b: bigint): void {
  f[2 * r] = Number(BigInt.asIntN(32, b));
  f[2 * r + 1] = -1;
}
function isSNaND(f: Int32Array, r: number): boolean {
  const hi = f[2 * r + 1]!;
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || f[2 * r] !== 0);
}
function isSNaNS(f: Int32Array, r: number): boolean {
  if (f[2 * r + 1] !== -1) return false;
  const v = f[2 * r]!;
  return (v & 0x7fc00000) === 0x7f800000 && (v & 0x3fffff) !== 0;
}

/** Low part of a*b (Dekker, no FMA); valid when |a|,|b| <= 2^995 and |a*b| >= 2^-968. */
function prodErr(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

let fl = 0;

/** RNE fast paths: return the result, or null to take the exact path. */
function fastD(op: number, a: number, b: number): number | null {
  switch (op) {
    case 0:
    case 1: {
      if (op === 1) b = -b;
      const s = a + b;
      if (!Number.isFinite(s)) return null;
      const bb = s - a;
      if (a - (s - bb) + (b - bb) !== 0) fl |= NX;
      return s;
    }
    case 2: {
      const p = a * b;
      if (p === 0 && (a === 0 || b === 0)) return p;
      const ap = Math.abs(p);
      if (!(ap >= SMALL && ap < Infinity) || Math.abs(a) > BIG || Math.abs(b) > BIG) return null;
      if (prodErr(a, b, p) !== 0) fl |= NX;
      return p;
    }
    case 3: {
      if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
      const q = a / b;
      if (a === 0) return q;
      const aq = Math.abs(q);
      if (!(aq >= SMALL && aq <= BIG) || Math.abs(b) > BIG || Math.abs(a) < SMALL) return null;
      const ph = q * b;
      if (ph !== a || prodErr(q, b, ph) !== 0) fl |= NX;
      return q;
    }
    default: {
      // sqrt
      if (a === 0) return a;
      if (!(a >= SMALL && a <= BIG)) return null;
      const r = Math.sqrt(a);
      const ph = r * r;
      if (ph !== a || prodErr(r, r, ph) !== 0) fl |= NX;
      return r;
    }
  }
}

function fastS(op: number, a: number, b: number): number | null {
  let exact: number;
  let r: number;
  switch (op) {
    case 0:
    case 1: {
      if (op === 1) b = -b;
      const s = a + b;
      if (!Number.isFinite(s)) return null;
      const bb = s - a;
      if (a - (s - bb) + (b - bb) !== 0) return null;
      exact = s;
      r = Math.fround(s);
      break;
    }
    case 2:
      exact = a * b; // exact in binary64
      if (exact !== exact) return null;
      r = Math.fround(exact);
      break;
    case 3:
      if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
      r = Math.fround(a / b);
      if (a === 0) return r;
      if (!Number.isFinite(r) || Math.abs(r) < MIN_NORMAL_S) return null;
      if (r * b !== a) fl |= NX;
      return r;
    default:
      if (a === 0) return a;
      if (!(a > 0 && a < Infinity)) return null;
      r = Math.fround(Math.sqrt(a));
      if (r * r !== a) fl |= NX;
      return r;
  }
  if (!Number.isFinite(r)) return null;
  if (r !== exact) {
    if (Math.abs(r) < MIN_NORMAL_S) return null; // possible underflow: exact path
    fl |= NX;
  }
  return r;
}

function roundInt(v: number, rm: number): number {
  switch (rm) {
    case SF.RTZ:
      return Math.trunc(v);
    case SF.RDN:
      return Math.floor(v);
    case SF.RUP:
      return Math.ceil(v);
    default: {
      const f = Math.floor(v);
      const d = v - f;
      if (d > 0.5) return f + 1;
      if (d < 0.5) return f;
      if (rm === SF.RMM) return v >= 0 ? f + 1 : f;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

const INT_LO = [-(2 ** 31), 0, -(2 ** 63), 0];
const INT_HI = [2 ** 31 - 1, 2 ** 32 - 1, 2 ** 63, 2 ** 64]; // for L/LU the bound is exclusive

/** Float (as a JS number) to integer; writes rd, returns flags. */
function toInt(x: Int32Array, rd: number, v: number, kind: number, rm: number): void {
  let lo: number;
  let hi: number;
  const r = v === v ? roundInt(v, rm) : NaN;
  const inRange = kind < 2 ? r >= INT_LO[kind]! && r <= INT_HI[kind]! : r >= INT_LO[kind]! && r < INT_HI[kind]!;
  if (!inRange) {
    fl |= NV;
    const neg = v === v && v < 0;
    switch (kind) {
      case 0:
        lo = neg ? -2147483648 : 2147483647;
        hi = lo >> 31;
        break;
      case 1:
        lo = neg ? 0 : -1;
        hi = lo >> 31;
        break;
      case 2:
        lo = neg ? 0 : -1;
        hi = neg ? -2147483648 : 2147483647;
        break;
      default:
        lo = neg ? 0 : -1;
        hi = neg ? 0 : -1;
    }
  } else {
    if (r !== v) fl |= NX;
    lo = r | 0;
    hi = kind < 2 ? lo >> 31 : Math.floor(r / TWO32) | 0;
  }
  if (rd !== 0) {
    x[2 * rd] = lo;
    x[2 * rd + 1] = hi;
  }
}

/**
 * Executes one F/D instruction (opcodes LOAD-FP, STORE-FP, FMADD..FNMADD, OP-FP).
 * Returns false with an exception recorded in the hart.
 */
export function execFp(h: RiscvHart, inst: number, ibits: number): boolean {
  if ((h.mstatus & MSTATUS.FS) === 0) return !h.illegal(ibits);
  const f = h.f;
  const x = h.x;
  const opc = inst & 0x7f;
  const rd = (inst >> 7) & 31;
  const rs1 = (inst >> 15) & 31;
  const rs2 = (inst >> 20) & 31;
  const f3 = (inst >> 12) & 7;

  if (opc === 0x07 || opc === 0x27) {
    if (f3 !== 2 && f3 !== 3) return !h.illegal(ibits);
    const imm = opc === 0x07 ? inst >> 20 : ((inst >> 25) << 5) | ((inst >> 7) & 31);
    const s = (x[2 * rs1]! >>> 0) + imm;
    const hi = x[2 * rs1 + 1]!;
    const alo = s | 0;
    const ahi = (s < 0 ? hi - 1 : s >= TWO32 ? hi + 1 : hi) | 0;
    const size = f3 === 2 ? 4 : 8;
    if (opc === 0x07) {
      if (!h.memRead(alo, ahi, size, 1)) return false;
      f[2 * rd] = h.rlo;
      f[2 * rd + 1] = size === 4 ? -1 : h.rhi;
      h.mstatus |= MSTATUS.FS;
      return true;
    }
    return h.memWrite(alo, ahi, size, f[2 * rs2]!, f[2 * rs2 + 1]!);
  }

  const fmt = (inst >> 25) & 3;
  if (fmt > 1) return !h.illegal(ibits);
  const isD = fmt === 1;
  const rm = f3 === 7 ? h.frm : f3;
  fl = 0;
  SF.sf.flags = 0;

  if (opc !== 0x53) {
    // FMADD / FMSUB / FNMSUB / FNMADD
    if (rm > 4) return !h.illegal(ibits);
    const rs3 = inst >>> 27;
    const negP = opc === 0x4b || opc === 0x4f;
    const negC = opc === 0x47 || opc === 0x4f;
    if (isD) wrBitsD(f, rd, SF.fmadd(bitsD(f, rs1), bitsD(f, rs2), bitsD(f, rs3), SF.F64, rm, negP, negC));
    else wrBitsS(f, rd, SF.fmadd(bitsS(f, rs1), bitsS(f, rs2), bitsS(f, rs3), SF.F32, rm, negP, negC));
    return finish(h, true);
  }

  const funct5 = inst >>> 27;
  switch (funct5) {
    case 0x00:
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x0b: {
      if (rm > 4 || (funct5 === 0x0b && rs2 !== 0)) return !h.illegal(ibits);
      const op = funct5 === 0x0b ? 4 : funct5;
      if (isD) {
        if (rm === SF.RNE) {
          const r = fastD(op, rdD(f, rs1), rdD(f, rs2));
          if (r !== null) {
            wrD(f, rd, r);
            return finish(h, true);
          }
          fl = 0;
        }
        const a = bitsD(f, rs1);
        const b = bitsD(f, rs2);
        wrBitsD(f, rd, op === 0 ? SF.fadd(a, b, SF.F64, rm) : op === 1 ? SF.fadd(a, b, SF.F64, rm, true) : op === 2 ? SF.fmul(a, b, SF.F64, rm) : op === 3 ? SF.fdiv(a, b, SF.F64, rm) : SF.fsqrt(a, SF.F64, rm));
      } else {
        if (rm === SF.RNE) {
          const r = fastS(op, rdS(f, rs1), rdS(f, rs2));
          if (r !== null) {
            wrS(f, rd, r);
            return finish(h, true);
          }
          fl = 0;
        }
        const a = bitsS(f, rs1);
        const b = bitsS(f, rs2);
        wrBitsS(f, rd, op === 0 ? SF.fadd(a, b, SF.F32, rm) : op === 1 ? SF.fadd(a, b, SF.F32, rm, true) : op === 2 ? SF.fmul(a, b, SF.F32, rm) : op === 3 ? SF.fdiv(a, b, SF.F32, rm) : SF.fsqrt(a, SF.F32, rm));
      }
      return finish(h, true);
    }

    case 0x04: {
      // FSGNJ / FSGNJN / FSGNJX
      if (f3 > 2) return !h.illegal(ibits);
      if (isD) {
        const a = f[2 * rs1 + 1]!;
        const b = f[2 * rs2 + 1]!;
        const sign = f3 === 0 ? b : f3 === 1 ? ~b : a ^ b;
        const lo = f[2 * rs1]!;
        f[2 * rd] = lo;
        f[2 * rd + 1] = (a & 0x7fffffff) | (sign & 0x80000000);
      } else {
        const a = Number(bitsS(f, rs1));
        const b = Number(bitsS(f, rs2));
        const sign = f3 === 0 ? b : f3 === 1 ? ~b : a ^ b;
        f[2 * rd] = (a & 0x7fffffff) | (sign & 0x80000000);
        f[2 * rd + 1] = -1;
      }
      return finish(h, true);
    }

    case 0x05: {
      // FMIN / FMAX
      if (f3 > 1) return !h.illegal(ibits);
      const a = isD ? rdD(f, rs1) : rdS(f, rs1);
      const b = isD ? rdD(f, rs2) : rdS(f, rs2);
      if ((isD ? isSNaND(f, rs1) || isSNaND(f, rs2) : isSNaNS(f, rs1) || isSNaNS(f, rs2))) fl |= NV;
      let pick: number; // 1 = rs1, 2 = rs2, 0 = canonical NaN
      if (a !== a && b !== b) pick = 0;
      else if (a !== a) pick = 2;
      else if (b !== b) pick = 1;
      else if (a === b) {
        // equal values (possibly +0/-0): min prefers the negative, max the positive
        const aNeg = isD ? f[2 * rs1 + 1]! < 0 : f[2 * rs1]! < 0;
        pick = (f3 === 0) === aNeg ? 1 : 2;
      } else pick = (f3 === 0) === a < b ? 1 : 2;
      if (pick === 0) {
        if (isD) wrD(f, rd, NaN);
        else wrS(f, rd, NaN);
      } else {
        const src = pick === 1 ? rs1 : rs2;
        if (isD) {
          f[2 * rd] = f[2 * src]!;
          f[2 * rd + 1] = f[2 * src + 1]!;
        } else wrBitsS(f, rd, bitsS(f, src));
      }
      return finish(h, true);
    }

    case 0x08: {
      // FCVT.S.D (fmt S, rs2 = 1) / FCVT.D.S (fmt D, rs2 = 0)
      if (rm > 4 || rs2 !== (isD ? 0 : 1)) return !h.illegal(ibits);
      if (isD) {
        const a = rdS(f, rs1);
        if (a === a) wrD(f, rd, a);
        else wrBitsD(f, rd, SF.fconvert(bitsS(f, rs1), SF.F32, SF.F64, rm));
      } else {
        const a = rdD(f, rs1);
        const r = Math.fround(a);
        if (rm === SF.RNE && a === a && Number.isFinite(r) && (r === a || Math.abs(r) >= MIN_NORMAL_S)) {
          if (r !== a) fl |= NX;
          wrS(f, rd, r);
        } else wrBitsS(f, rd, SF.fconvert(bitsD(f, rs1), SF.F64, SF.F32, rm));
      }
      return finish(h, true);
    }

    case 0x14: {
      // FLE / FLT / FEQ
      if (f3 > 2) return !h.illegal(ibits);
      const a = isD ? rdD(f, rs1) : rdS(f, rs1);
      const b = isD ? rdD(f, rs2) : rdS(f, rs2);
      let r = 0;
      if (a !== a || b !== b) {
        if (f3 !== 2 || (isD ? isSNaND(f, rs1) || isSNaND(f, rs2) : isSNaNS(f, rs1) || isSNaNS(f, rs2))) fl |= NV;
      } else r = f3 === 0 ? (a <= b ? 1 : 0) : f3 === 1 ? (a < b ? 1 : 0) : a === b ? 1 : 0;
      if (rd !== 0) {
        x[2 * rd] = r;
        x[2 * rd + 1] = 0;
      }
      return finish(h, false);
    }

    case 0x18: {
      // FCVT.{W,WU,L,LU}.fmt
      if (rm > 4 || rs2 > 3) return !h.illegal(ibits);
      toInt(x, rd, isD ? rdD(f, rs1) : rdS(f, rs1), rs2, rm);
      return finish(h, false);
    }

    case 0x1a: {
      // FCVT.fmt.{W,WU,L,LU}
      if (rm > 4 || rs2 > 3) return !h.illegal(ibits);
      const lo = x[2 * rs1]!;
      const hi = x[2 * rs1 + 1]!;
      let v: number | null;
      if (rs2 === 0) v = lo;
      else if (rs2 === 1) v = lo >>> 0;
      else if (rs2 === 2) v = hi >= -2097152 && hi < 2097152 ? hi * TWO32 + (lo >>> 0) : null;
      else v = hi >>> 0 < 2097152 ? (hi >>> 0) * TWO32 + (lo >>> 0) : null;
      // Doubles hold every value here exactly (|v| < 2^53); singles need rounding unless RNE or |v| <= 2^24.
      if (v !== null && (isD || rm === SF.RNE || Math.abs(v) <= 16777216)) {
        if (isD) wrD(f, rd, v);
        else {
          const r = Math.fround(v);
          if (r !== v) fl |= NX;
          wrS(f, rd, r);
        }
      } else {
        const iv = rs2 === 0 ? BigInt(lo) : rs2 === 1 ? BigInt(lo >>> 0) : rs2 === 2 ? BigInt.asIntN(64, u64(lo, hi)) : u64(lo, hi);
        if (isD) wrBitsD(f, rd, SF.fromInt(iv, SF.F64, rm));
        else wrBitsS(f, rd, SF.fromInt(iv, SF.F32, rm));
      }
      return finish(h, true);
    }

    case 0x1c: {
      if (rs2 !== 0) return !h.illegal(ibits);
      let lo: number;
      let hi: number;
      if (f3 === 0) {
        // FMV.X.W / FMV.X.D
        lo = f[2 * rs1]!;
        hi = isD ? f[2 * rs1 + 1]! : lo >> 31;
      } else if (f3 === 1) {
        lo = SF.fclass(isD ? bitsD(f, rs1) : bitsS(f, rs1), isD ? SF.F64 : SF.F32);
        hi = 0;
      } else return !h.illegal(ibits);
      if (rd !== 0) {
        x[2 * rd] = lo;
        x[2 * rd + 1] = hi;
      }
      return true;
    }

    case 0x1e: {
      // FMV.W.X / FMV.D.X
      if (rs2 !== 0 || f3 !== 0) return !h.illegal(ibits);
      f[2 * rd] = x[2 * rs1]!;
      f[2 * rd + 1] = isD ? x[2 * rs1 + 1]! : -1;
      h.mstatus |= MSTATUS.FS;
      return true;
    }
  }
  return !h.illegal(ibits);
}

/** Accrues flags; marks FS dirty when an FP register or fflags changed. */
function finish(h: RiscvHart, wroteF: boolean): boolean {
  const flags = fl | SF.sf.flags;
  h.fflags |= flags;
  if (wroteF || flags !== 0) h.mstatus |= MSTATUS.FS;
  return true;
}

