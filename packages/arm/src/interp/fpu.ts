/**
 * SIMD&FP data processing for the interpreter: the scalar floating-point
 * instructions for single and double precision (FMOV, arithmetic, FMADD
 * family, FSQRT, FCVT, FRINT*, FCMP/FCCMP, FCSEL, conversions to and from
 * integers) and a few Advanced SIMD ones (AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF,
 * ADD/SUB vector, DUP/INS/UMOV general). Half precision, fixed-point
 * conversions and the rest of Advanced SIMD are UNDEFINED here.
 *
 * Results and FPSR flags are exact (softfloat.ts); common cases take a fast
 * path on JS doubles whose inexactness is checked with error-free
 * transformations, and fall back to the exact code whenever a NaN, an
 * infinity, a subnormal, overflow or a non-default FPCR mode is involved.
 */
import type { A64Cpu } from "./cpu.js";
import { R0, R1, split, u64 } from "./int64.js";
import {
  F32, F64, fpAdd, fpCompare, fpConvert, fpDiv, fpFromInt, fpMinMax, fpMul, fpMulAdd, fpRoundInt, fpSqrt, fpToInt, IXC, RA, RM, RN, RP, RZ,
  signBit, type FpContext, type FpFormat,
} from "./softfloat.js";

const ctx: FpContext = { fpcr: 0, flags: 0 };
/** FPCR bits that disable the fast path: RMode, FZ, DN (AHP is irrelevant without half precision). */
const SLOW_FPCR = (3 << 22) | (1 << 24) | (1 << 25);
const TINY_D = 2 ** -900;
const HUGE_D = 2 ** 990;
const MIN_NORMAL_S = 2 ** -126;
const SPLIT = 134217729; // 2^27 + 1

/** Error of a * b (a TwoProduct without FMA; valid in the ranges the callers check). */
function mulError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

function readD(cpu: A64Cpu, n: number): bigint {
  return u64(cpu.v[4 * n]!, cpu.v[4 * n + 1]!);
}

function readS(cpu: A64Cpu, n: number): bigint {
  return BigInt(cpu.v[4 * n]! >>> 0);
}

function writeBits(cpu: A64Cpu, d: number, bits: bigint, f: FpFormat): void {
  const v = cpu.v;
  if (f === F64) {
    split(bits);
    v[4 * d] = R0;
    v[4 * d + 1] = R1;
  } else {
    v[4 * d] = Number(BigInt.asIntN(32, bits));
    v[4 * d + 1] = 0;
  }
  v[4 * d + 2] = 0;
  v[4 * d + 3] = 0;
}

function writeD(cpu: A64Cpu, d: number, value: number): void {
  cpu.vd[2 * d] = value;
  cpu.v[4 * d + 2] = 0;
  cpu.v[4 * d + 3] = 0;
}

function writeS(cpu: A64Cpu, d: number, value: number): void {
  const v = cpu.v;
  cpu.vs[4 * d] = value;
  v[4 * d + 1] = 0;
  v[4 * d + 2] = 0;
  v[4 * d + 3] = 0;
}

function begin(cpu: A64Cpu): void {
  ctx.fpcr = cpu.fpcr;
  ctx.flags = 0;
}

function end(cpu: A64Cpu): void {
  cpu.fpsr |= ctx.flags;
}

/** Executes a SIMD&FP data-processing instruction; false when it is UNDEFINED here. */
export function execSimdFp(cpu: A64Cpu, inst: number): boolean {
  if ((inst & 0x5f000000) === 0x1e000000) {
    if (inst & (1 << 21)) return scalarFp(cpu, inst);
    return false; // fixed-point conversions
  }
  if ((inst & 0xff000000) === 0x1f000000) return fmaFamily(cpu, inst);
  return advSimd(cpu, inst);
}

function fmt(inst: number): FpFormat | undefined {
  const type = (inst >>> 22) & 3;
  return type === 0 ? F32 : type === 1 ? F64 : undefined;
}

function scalarFp(cpu: A64Cpu, inst: number): boolean {
  const d = inst & 31;
  const n = (inst >>> 5) & 31;
  const m = (inst >>> 16) & 31;
  if ((inst & 0x7f20fc00) === 0x1e200000) return conversion(cpu, inst);
  if (inst >>> 31) return false;
  const f = fmt(inst);
  switch ((inst >>> 10) & 3) {
    case 2: { // 2-source
      if (!f) return false;
      const op = (inst >>> 12) & 15;
      if (op > 8) return false;
      arith2(cpu, op, f, d, n, m);
      return true;
    }
    case 3: { // FCSEL
      if (!f) return false;
      const src = cpu.cond((inst >>> 12) & 15) ? n : m;
      const v = cpu.v;
      v[4 * d] = v[4 * src]!;
      v[4 * d + 1] = f === F64 ? v[4 * src + 1]! : 0;
      v[4 * d + 2] = v[4 * d + 3] = 0;
      return true;
    }
    case 1: { // FCCMP, FCCMPE
      if (!f) return false;
      if (cpu.cond((inst >>> 12) & 15)) {
        begin(cpu);
        const rd = f === F64 ? readD : readS;
        cpu.nzcv = fpCompare(rd(cpu, n), rd(cpu, m), f, ctx, (inst & 16) !== 0);
        end(cpu);
      } else cpu.nzcv = inst & 15;
      return true;
    }
  }
  if ((inst & 0x7c00) === 0x4000) return oneSource(cpu, inst, f);
  if ((inst & 0x3c00) === 0x2000) {
    // FCMP, FCMPE
    if (!f || inst & 7) return false;
    if (inst & 8 && m !== 0) return false;
    const va = f === F64 ? cpu.vd[2 * n]! : cpu.vs[4 * n]!;
    const vb = inst & 8 ? 0 : f === F64 ? cpu.vd[2 * m]! : cpu.vs[4 * m]!;
    if (va === va && vb === vb && !(cpu.fpcr & (1 << 24))) {
      // no NaN (and no flush-to-zero): no exception, compare the values
      cpu.nzcv = va === vb ? 0b0110 : va < vb ? 0b1000 : 0b0010;
      return true;
    }
    const rd = f === F64 ? readD : readS;
    begin(cpu);
    const b = inst & 8 ? 0n : rd(cpu, m);
    cpu.nzcv = fpCompare(rd(cpu, n), b, f, ctx, (inst & 16) !== 0);
    end(cpu);
    return true;
  }
  if ((inst & 0x1c00) === 0x1000) {
    // FMOV (immediate)
    if (!f || (inst >>> 5) & 31) return false;
    const imm8 = (inst >>> 13) & 0xff;
    const sign = (imm8 >> 7) & 1;
    const b = (imm8 >> 6) & 1;
    if (f === F64) {
      const exp = ((b ^ 1) << 10) | (b ? 0x3fc : 0) | ((imm8 >> 4) & 3);
      const v = cpu.v;
      v[4 * d] = 0;
      v[4 * d + 1] = (sign << 31) | (exp << 20) | ((imm8 & 15) << 16);
      v[4 * d + 2] = v[4 * d + 3] = 0;
    } else {
      const exp = ((b ^ 1) << 7) | (b ? 0x7c : 0) | ((imm8 >> 4) & 3);
      writeBits(cpu, d, BigInt(((sign << 31) | (exp << 23) | ((imm8 & 15) << 19)) >>> 0), F32);
    }
    return true;
  }
  return false;
}

function arith2(cpu: A64Cpu, op: number, f: FpFormat, d: number, n: number, m: number): void {
  // fast path: default FPCR, finite operands, a normal (or exactly zero) result
  if ((cpu.fpcr & SLOW_FPCR) === 0 && op <= 3) {
    if (f === F64) {
      const a = cpu.vd[2 * n]!;
      const b = cpu.vd[2 * m]!;
      const r = fastD(op, a, b);
      if (r !== undefined) {
        writeD(cpu, d, r);
        cpu.fpsr |= ctx.flags;
        return;
      }
    } else {
      const a = cpu.vs[4 * n]!;
      const b = cpu.vs[4 * m]!;
      const r = fastS(op, a, b);
      if (r !== undefined) {
        writeS(cpu, d, r);
        cpu.fpsr |= ctx.flags;
        return;
      }
    }
  }
  begin(cpu);
  const rd = f === F64 ? readD : readS;
  const a = rd(cpu, n);
  const b = rd(cpu, m);
  let r: bigint;
  switch (op) {
    case 0: r = fpMul(a, b, f, ctx); break;
    case 1: r = fpDiv(a, b, f, ctx); break;
    case 2: r = fpAdd(a, b, f, ctx); break;
    case 3: r = fpAdd(a, b, f, ctx, true); break;
    case 4: r = fpMinMax(a, b, f, ctx, true, false); break;
    case 5: r = fpMinMax(a, b, f, ctx, false, false); break;
    case 6: r = fpMinMax(a, b, f, ctx, true, true); break;
    case 7: r = fpMinMax(a, b, f, ctx, false, true); break;
    default: r = fpMul(a, b, f, ctx) ^ signBit(f); // FNMUL negates whatever FPMul returns
  }
  writeBits(cpu, d, r, f);
  end(cpu);
}

/** Double-precision add/sub/mul/div on the fast path, or undefined when the exact code must decide. */
function fastD(op: number, a: number, b: number): number | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  let r: number;
  let exact: boolean;
  switch (op) {
    case 2: case 3: {
      if (op === 3) b = -b;
      r = a + b;
      if (!Number.isFinite(r)) return undefined;
      const bb = r - a;
      exact = a - (r - bb) + (b - bb) === 0;
      break;
    }
    case 0: {
      r = a * b;
      if (a === 0 || b === 0) return r;
      const ar = Math.abs(r);
      if (!(ar > TINY_D && ar < HUGE_D) || Math.abs(a) > HUGE_D || Math.abs(b) > HUGE_D) return undefined;
      exact = mulError(a, b, r) === 0;
      break;
    }
    default: {
      if (b === 0) return undefined;
      r = a / b;
      if (a === 0) return r;
      const ar = Math.abs(r);
      if (!(ar > TINY_D && ar < HUGE_D) || Math.abs(b) > HUGE_D || Math.abs(a) < TINY_D) return undefined;
      const p = r * b;
      exact = p === a && mulError(r, b, p) === 0;
    }
  }
  if (!exact) ctx.flags = IXC;
  else ctx.flags = 0;
  return r;
}

/** Single precision on the fast path: computed in double (double rounding is innocuous for these). */
function fastS(op: number, a: number, b: number): number | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  let dd: number;
  let exact: boolean;
  switch (op) {
    case 2: case 3: {
      if (op === 3) b = -b;
      dd = a + b;
      const bb = dd - a;
      exact = a - (dd - bb) + (b - bb) === 0;
      break;
    }
    case 0:
      dd = a * b; // exact: 24 + 24 bits
      exact = true;
      break;
    default:
      if (b === 0) return undefined;
      dd = a / b;
      exact = true;
  }
  const r = Math.fround(dd);
  if (!Number.isFinite(r)) return undefined;
  if (r !== 0 && Math.abs(r) < MIN_NORMAL_S) return undefined;
  if (r === 0 && dd !== 0) return undefined;
  if (op === 1) exact = a === 0 || r * b === a;
  else exact = exact && r === dd;
  ctx.flags = exact ? 0 : IXC;
  return r;
}

function oneSource(cpu: A64Cpu, inst: number, f: FpFormat | undefined): boolean {
  const d = inst & 31;
  const n = (inst >>> 5) & 31;
  const op = (inst >>> 15) & 63;
  if (!f) return false;
  if (op <= 2) {
    // FMOV, FABS, FNEG: bit operations on the sign, no NaN processing
    const v = cpu.v;
    const hiWord = f === F64 ? 4 * n + 1 : 4 * n;
    const lo = v[4 * n]!;
    let top = v[hiWord]!;
    if (op === 1) top &= 0x7fffffff;
    else if (op === 2) top ^= 0x80000000;
    v[4 * d] = f === F64 ? lo : top;
    v[4 * d + 1] = f === F64 ? top : 0;
    v[4 * d + 2] = v[4 * d + 3] = 0;
    return true;
  }
  const rd = f === F64 ? readD : readS;
  const a = rd(cpu, n);
  switch (op) {
    case 3: { // FSQRT
      if ((cpu.fpcr & SLOW_FPCR) === 0) {
        if (f === F64) {
          const x = cpu.vd[2 * n]!;
          if (x > TINY_D && x < HUGE_D) {
            const r = Math.sqrt(x);
            const p = r * r;
            cpu.fpsr |= p === x && mulError(r, r, p) === 0 ? 0 : IXC;
            writeD(cpu, d, r);
            return true;
          }
        } else {
          const x = cpu.vs[4 * n]!;
          if (x >= MIN_NORMAL_S && Number.isFinite(x)) {
            const r = Math.fround(Math.sqrt(x));
            cpu.fpsr |= r * r === x ? 0 : IXC;
            writeS(cpu, d, r);
            return true;
          }
        }
      }
      begin(cpu);
      writeBits(cpu, d, fpSqrt(a, f, ctx), f);
      end(cpu);
      return true;
    }
    case 4: case 5: { // FCVT to single / double
      const to = op === 4 ? F32 : F64;
      if (to === f) return false;
      begin(cpu);
      writeBits(cpu, d, fpConvert(a, f, to, ctx), to);
      end(cpu);
      return true;
    }
    case 8: case 9: case 10: case 11: case 12: case 14: case 15: { // FRINTN, P, M, Z, A, X, I
      const mode = [RN, RP, RM, RZ, RA, -1, (cpu.fpcr >>> 22) & 3, (cpu.fpcr >>> 22) & 3][op - 8]!;
      begin(cpu);
      writeBits(cpu, d, fpRoundInt(a, f, ctx, mode, op === 14), f);
      end(cpu);
      return true;
    }
    default: return false;
  }
}

function conversion(cpu: A64Cpu, inst: number): boolean {
  const sf = inst >>> 31;
  const type = (inst >>> 22) & 3;
  const rmode = (inst >>> 19) & 3;
  const opcode = (inst >>> 16) & 7;
  const d = inst & 31;
  const n = (inst >>> 5) & 31;
  const x = cpu.x;
  const v = cpu.v;
  if (opcode === 6 || opcode === 7) {
    // FMOV general <-> FP
    const toGp = opcode === 6;
    if (rmode === 0 && sf === 0 && type === 0) {
      if (toGp) {
        x[d === 31 ? 66 : 2 * d] = v[4 * n]!;
        x[d === 31 ? 67 : 2 * d + 1] = 0;
      } else writeBits(cpu, d, BigInt(x[n === 31 ? 64 : 2 * n]! >>> 0), F32);
      return true;
    }
    if (rmode === 0 && sf === 1 && type === 1) {
      if (toGp) {
        x[d === 31 ? 66 : 2 * d] = v[4 * n]!;
        x[d === 31 ? 67 : 2 * d + 1] = v[4 * n + 1]!;
      } else {
        const r = n === 31 ? 64 : 2 * n;
        v[4 * d] = x[r]!;
        v[4 * d + 1] = x[r + 1]!;
        v[4 * d + 2] = v[4 * d + 3] = 0;
      }
      return true;
    }
    if (rmode === 1 && sf === 1 && type === 2) {
      // the top half of a V register; the bottom half is kept
      if (toGp) {
        x[d === 31 ? 66 : 2 * d] = v[4 * n + 2]!;
        x[d === 31 ? 67 : 2 * d + 1] = v[4 * n + 3]!;
      } else {
        const r = n === 31 ? 64 : 2 * n;
        v[4 * d + 2] = x[r]!;
        v[4 * d + 3] = x[r + 1]!;
      }
      return true;
    }
    return false;
  }
  const f = type === 0 ? F32 : type === 1 ? F64 : undefined;
  if (!f) return false;
  const bits: 32 | 64 = sf ? 64 : 32;
  if (opcode === 2 || opcode === 3) {
    // SCVTF, UCVTF
    if (rmode !== 0) return false;
    const r = n === 31 ? 64 : 2 * n;
    const lo = x[r]!;
    const hi = sf ? x[r + 1]! : opcode === 2 ? lo >> 31 : 0;
    const unsigned = opcode === 3;
    // a value of 32 bits converts exactly to double, to single when below 2^24
    let val: number | undefined;
    if (!sf) val = unsigned ? lo >>> 0 : lo;
    else if (hi === 0) val = lo >>> 0;
    else if (hi === -1 && lo < 0 && !unsigned) val = lo;
    if (val !== undefined && (cpu.fpcr & SLOW_FPCR) === 0) {
      if (f === F64 || Math.abs(val) < 2 ** 24) {
        if (f === F64) writeD(cpu, d, val);
        else writeS(cpu, d, val);
        return true;
      }
    }
    begin(cpu);
    const iv = unsigned ? u64(lo, hi) & (sf ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn) : BigInt.asIntN(64, u64(lo, hi));
    writeBits(cpu, d, fpFromInt(iv, f, ctx), f);
    end(cpu);
    return true;
  }
  let mode: number;
  if (opcode === 0 || opcode === 1) mode = [RN, RP, RM, RZ][rmode]!;
  else if ((opcode === 4 || opcode === 5) && rmode === 0) mode = RA;
  else return false;
  const unsigned = (opcode & 1) === 1;
  const rd = wzIndex(d);
  if (mode === RZ && (cpu.fpcr & (1 << 24)) === 0) {
    const val = f === F64 ? cpu.vd[2 * n]! : cpu.vs[4 * n]!;
    if (Math.abs(val) < 2 ** 31) {
      const t = Math.trunc(val);
      if (!unsigned || t >= 0) {
        if (t !== val) cpu.fpsr |= IXC;
        x[rd] = t;
        x[rd + 1] = sf && t < 0 ? -1 : 0;
        return true;
      }
    }
  }
  begin(cpu);
  const a = f === F64 ? readD(cpu, n) : readS(cpu, n);
  const r = fpToInt(a, f, ctx, mode, bits, unsigned);
  split(BigInt.asUintN(bits, r));
  x[rd] = R0;
  x[rd + 1] = sf ? R1 : 0;
  end(cpu);
  return true;
}

const wzIndex = (r: number) => (r === 31 ? 66 : 2 * r);

function fmaFamily(cpu: A64Cpu, inst: number): boolean {
  const f = fmt(inst);
  if (!f) return false;
  const d = inst & 31;
  const n = (inst >>> 5) & 31;
  const a = (inst >>> 10) & 31;
  const m = (inst >>> 16) & 31;
  const o1 = (inst >>> 21) & 1;
  const o0 = (inst >>> 15) & 1;
  const rd = f === F64 ? readD : readS;
  const sb = signBit(f);
  let opn = rd(cpu, n);
  let opa = rd(cpu, a);
  if (o0 !== o1) opn ^= sb; // FMSUB, FNMADD negate the product
  if (o1) opa ^= sb; // FNMADD, FNMSUB negate the addend
  begin(cpu);
  writeBits(cpu, d, fpMulAdd(opa, opn, rd(cpu, m), f, ctx), f);
  end(cpu);
  return true;
}

/** The Advanced SIMD subset. */
function advSimd(cpu: A64Cpu, inst: number): boolean {
  const v = cpu.v;
  const d = inst & 31;
  const n = (inst >>> 5) & 31;
  const m = (inst >>> 16) & 31;
  const Q = (inst >>> 30) & 1;
  const words = Q ? 4 : 2;
  if ((inst & 0x9f20fc00) === 0x0e201c00) {
    // three-same logical
    const opc = ((inst >>> 29) & 1) * 4 + ((inst >>> 22) & 3);
    for (let i = 0; i < 4; i++) {
      if (i >= words) {
        v[4 * d + i] = 0;
        continue;
      }
      const a = v[4 * n + i]!;
      const b = v[4 * m + i]!;
      const c = v[4 * d + i]!;
      let r: number;
      switch (opc) {
        case 0: r = a & b; break;
        case 1: r = a & ~b; break;
        case 2: r = a | b; break;
        case 3: r = a | ~b; break;
        case 4: r = a ^ b; break;
        case 5: r = (c & a) | (~c & b); break; // BSL
        case 6: r = (c & ~b) | (a & b); break; // BIT
        default: r = (c & b) | (a & ~b); // BIF
      }
      v[4 * d + i] = r;
    }
    return true;
  }
  if ((inst & 0x9f20fc00) === 0x0e208400) {
    // ADD/SUB (vector)
    const size = (inst >>> 22) & 3;
    if (size === 3 && !Q) return false;
    const sub = (inst >>> 29) & 1;
    const out = new Int32Array(4);
    if (size === 3) {
      for (let e = 0; e < 2; e++) {
        const A = u64(v[4 * n + 2 * e]!, v[4 * n + 2 * e + 1]!);
        const B = u64(v[4 * m + 2 * e]!, v[4 * m + 2 * e + 1]!);
        split(BigInt.asUintN(64, sub ? A - B : A + B));
        out[2 * e] = R0;
        out[2 * e + 1] = R1;
      }
    } else {
      const bitsPer = 8 << size;
      const per = 32 / bitsPer;
      const mask = bitsPer === 32 ? -1 : (1 << bitsPer) - 1;
      for (let w = 0; w < words; w++) {
        let r = 0;
        for (let e = 0; e < per; e++) {
          const sh = e * bitsPer;
          const A = (v[4 * n + w]! >>> sh) & mask;
          const B = (v[4 * m + w]! >>> sh) & mask;
          r |= ((sub ? A - B : A + B) & mask) << sh;
        }
        out[w] = r;
      }
    }
    v.set(out, 4 * d);
    return true;
  }
  if ((inst & 0xbfe0fc00) === 0x0e000c00 || (inst & 0xffe0fc00) === 0x4e001c00 || (inst & 0xbfe0fc00) === 0x0e003c00) {
    const imm5 = (inst >>> 16) & 31;
    if (!(imm5 & 15)) return false;
    const size = 31 - Math.clz32(imm5 & -imm5); // lowest set bit
    const index = imm5 >>> (size + 1);
    const bytes = 1 << size;
    const x = cpu.x;
    const kind = (inst >>> 11) & 15;
    const bytesOf = new Uint8Array(cpu.v.buffer, 16 * 0, 512);
    if (kind === 1) {
      // DUP (general)
      if (size === 3 && !Q) return false;
      const r = n === 31 ? 64 : 2 * n;
      const src = new Uint8Array(new Int32Array([x[r]!, x[r + 1]!]).buffer);
      for (let i = 0; i < 16; i++) bytesOf[16 * d + i] = i < 8 * (Q + 1) ? src[i % bytes]! : 0;
      return true;
    }
    if (kind === 3) {
      // INS (general)
      const r = n === 31 ? 64 : 2 * n;
      const src = new Uint8Array(new Int32Array([x[r]!, x[r + 1]!]).buffer);
      for (let i = 0; i < bytes; i++) bytesOf[16 * d + index * bytes + i] = src[i]!;
      return true;
    }
    if (kind === 7) {
      // UMOV
      if ((size === 3) !== (Q === 1)) return false;
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < Math.min(bytes, 4); i++) lo |= bytesOf[16 * n + index * bytes + i]! << (8 * i);
      for (let i = 4; i < bytes; i++) hi |= bytesOf[16 * n + index * bytes + i]! << (8 * (i - 4));
      const r = d === 31 ? 66 : 2 * d;
      x[r] = lo;
      x[r + 1] = hi;
      return true;
    }
  }
  return false;
}
