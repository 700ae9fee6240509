/**
 * Exact IEEE-754 binary32/binary64 arithmetic on raw bit patterns, written
 * with BigInt significands: every result is correctly rounded in all five
 * RISC-V rounding modes and raises exact flags (NV, DZ, OF, UF with tininess
 * detected after rounding as RISC-V specifies, NX). NaN results are the
 * RISC-V canonical NaN. Slow (microseconds per operation): the interpreter
 * uses JS double arithmetic for round-to-nearest-even fast paths and falls
 * back to these for other rounding modes, FMA, and edge cases.
 */

export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;

export const NV = 16;
export const DZ = 8;
export const OF = 4;
export const UF = 2;
export const NX = 1;

export interface FloatFormat {
  readonly p: number; // precision incl. hidden bit
  readonly bias: number;
  readonly emin: number;
  readonly emax: number;
  readonly total: number;
  readonly expMask: number;
  readonly canonicalNaN: bigint;
}

export const F32: FloatFormat = { p: 24, bias: 127, emin: -126, emax: 127, total: 32, expMask: 0xff, canonicalNaN: 0x7fc00000n };
export const F64: FloatFormat = { p: 53, bias: 1023, emin: -1022, emax: 1023, total: 64, expMask: 0x7ff, canonicalNaN: 0x7ff8000000000000n };

/** Accrued flags of the operations since the caller last cleared them. */
export const sf = { flags: 0 };

export const Kind = { Zero: 0, Finite: 1, Inf: 2, QNaN: 3, SNaN: 4 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface Unpacked {
  kind: Kind;
  sign: number;
  /** Significand (for Finite: value = m * 2^e). */
  m: bigint;
  e: number;
}

export function unpack(bits: bigint, f: FloatFormat): Unpacked {
  const fb = f.p - 1;
  const sign = Number((bits >> BigInt(f.total - 1)) & 1n);
  const exp = Number((bits >> BigInt(fb)) & BigInt(f.expMask));
  const frac = bits & ((1n << BigInt(fb)) - 1n);
  if (exp === f.expMask) {
    if (frac === 0n) return { kind: Kind.Inf, sign, m: 0n, e: 0 };
    return { kind: (frac >> BigInt(fb - 1)) & 1n ? Kind.QNaN : Kind.SNaN, sign, m: frac, e: 0 };
  }
  if (exp === 0) {
    if (frac === 0n) return { kind: Kind.Zero, sign, m: 0n, e: 0 };
    return { kind: Kind.Finite, sign, m: frac, e: f.emin - fb };
  }
  return { kind: Kind.Finite, sign, m: frac | (1n << BigInt(fb)), e: exp - f.bias - fb };
}

const isNaN_ = (u: Unpacked) => u.kind === Kind.QNaN || u.kind === Kind.SNaN;

export function packZero(sign: number, f: FloatFormat): bigint {
  return BigInt(sign) << BigInt(f.total - 1);
}
export function packInf(sign: number, f: FloatFormat): bigint {
  return packZero(sign, f) | (BigInt(f.expMask) << BigInt(f.p - 1));
}
function packMax(sign: number, f: FloatFormat): bigint {
  return packZero(sign, f) | (BigInt(f.expMask - 1) << BigInt(f.p - 1)) | ((1n << BigInt(f.p - 1)) - 1n);
}

export function bitLength(m: bigint): number {
  // m > 0
  let n = 0;
  while (m >= 1n << 64n) {
    m >>= 64n;
    n += 64;
  }
  let x = Number(m); // may round up for > 2^53, fix below
  let b = x === 0 ? 0 : Math.floor(Math.log2(x)) + 1;
  // correct possible off-by-one from rounding in Number()/log2
  while (b > 0 && m < 1n << BigInt(b - 1)) b--;
  while (m >= 1n << BigInt(b)) b++;
  return n + b;
}

/** Shifts m right by sh (>0) rounding per rm; returns [result, inexact]. */
function shiftRound(m: bigint, sh: number, rm: number, sign: number): [bigint, boolean] {
  if (sh <= 0) return [m << BigInt(-sh), false];
  const bsh = BigInt(sh);
  const q = m >> bsh;
  const rem = m & ((1n << bsh) - 1n);
  if (rem === 0n) return [q, false];
  const half = 1n << (bsh - 1n);
  let up: boolean;
  switch (rm) {
    case RNE:
      up = rem > half || (rem === half && (q & 1n) === 1n);
      break;
    case RTZ:
      up = false;
      break;
    case RDN:
      up = sign === 1;
      break;
    case RUP:
      up = sign === 0;
      break;
    default: // RMM
      up = rem >= half;
      break;
  }
  return [up ? q + 1n : q, true];
}

/** Rounds sign * m * 2^e (m > 0) to format f. */
export function roundPack(sign: number, m: bigint, e: number, f: FloatFormat, rm: number): bigint {
  const p = f.p;
  const len = bitLength(m);
  const E = e + len - 1;
  const qmin = f.emin - (p - 1);
  let q = Math.max(E - (p - 1), qmin);
  let [r, inexact] = shiftRound(m, q - e, rm, sign);
  if (inexact) {
    let tiny = E < f.emin;
    if (tiny && E + 1 === f.emin) {
      // Tininess after rounding: round to p bits with unbounded exponent.
      const [r2] = shiftRound(m, E - (p - 1) - e, rm, sign);
      if (r2 === 1n << BigInt(p)) tiny = false;
    }
    sf.flags |= NX | (tiny ? UF : 0);
  }
  if (r === 0n) return packZero(sign, f);
  let rl = bitLength(r);
  if (rl > p) {
    r >>= 1n;
    q += 1;
    rl = p;
  }
  const E2 = q + rl - 1;
  if (E2 > f.emax) {
    sf.flags |= OF | NX;
    if (rm === RTZ || (rm === RDN && sign === 0) || (rm === RUP && sign === 1)) return packMax(sign, f);
    return packInf(sign, f);
  }
  const signBits = packZero(sign, f);
  if (rl < p) return signBits | r; // subnormal (q === qmin)
  return signBits | (BigInt(E2 + f.bias) << BigInt(p - 1)) | (r - (1n << BigInt(p - 1)));
}

function nanResult(f: FloatFormat, ...ops: Unpacked[]): bigint {
  for (const o of ops) if (o.kind === Kind.SNaN) sf.flags |= NV;
  return f.canonicalNaN;
}

/** Exact signed sum of sa*ma*2^ea + sb*mb*2^eb (zero significands allowed); zero results get the sign the rounding mode implies. */
function addMag(sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number, f: FloatFormat, rm: number): bigint {
  const e = ma === 0n ? eb : mb === 0n ? ea : Math.min(ea, eb);
  const va = ma === 0n ? 0n : (sa ? -ma : ma) << BigInt(ea - e);
  const vb = mb === 0n ? 0n : (sb ? -mb : mb) << BigInt(eb - e);
  const s = va + vb;
  if (s === 0n) return packZero(rm === RDN ? 1 : 0, f);
  return s < 0n ? roundPack(1, -s, e, f, rm) : roundPack(0, s, e, f, rm);
}

export function fadd(a: bigint, b: bigint, f: FloatFormat, rm: number, negB = false): bigint {
  const A = unpack(a, f);
  const B = unpack(b, f);
  if (isNaN_(A) || isNaN_(B)) return nanResult(f, A, B);
  const sb = B.sign ^ (negB ? 1 : 0);
  if (A.kind === Kind.Inf) {
    if (B.kind === Kind.Inf && A.sign !== sb) {
      sf.flags |= NV;
      return f.canonicalNaN;
    }
    return packInf(A.sign, f);
  }
  if (B.kind === Kind.Inf) return packInf(sb, f);
  if (A.kind === Kind.Zero && B.kind === Kind.Zero) return packZero(A.sign === sb ? A.sign : rm === RDN ? 1 : 0, f);
  return addMag(A.sign, A.m, A.e, sb, B.m, B.e, f, rm);
}

export function fmul(a: bigint, b: bigint, f: FloatFormat, rm: number): bigint {
  const A = unpack(a, f);
  const B = unpack(b, f);
  if (isNaN_(A) || isNaN_(B)) return nanResult(f, A, B);
  const s = A.sign ^ B.sign;
  if (A.kind === Kind.Inf || B.kind === Kind.Inf) {
    if (A.kind === Kind.Zero || B.kind === Kind.Zero) {
      sf.flags |= NV;
      return f.canonicalNaN;
    }
    return packInf(s, f);
  }
  if (A.kind === Kind.Zero || B.kind === Kind.Zero) return packZero(s, f);
  return roundPack(s, A.m * B.m, A.e + B.e, f, rm);
}

export function fdiv(a: bigint, b: bigint, f: FloatFormat, rm: number): bigint {
  const A = unpack(a, f);
  const B = unpack(b, f);
  if (isNaN_(A) || isNaN_(B)) return nanResult(f, A, B);
  const s = A.sign ^ B.sign;
  if (A.kind === Kind.Inf) {
    if (B.kind === Kind.Inf) {
      sf.flags |= NV;
      return f.canonicalNaN;
    }
    return packInf(s, f);
  }
  if (B.kind === Kind.Inf) return packZero(s, f);
  if (B.kind === Kind.Zero) {
    if (A.kind === Kind.Zero) {
      sf.flags |= NV;
      return f.canonicalNaN;
    }
    sf.flags |= DZ;
    return packInf(s, f);
  }
  if (A.kind === Kind.Zero) return packZero(s, f);
  let k = Math.max(0, f.p + 3 + bitLength(B.m) - bitLength(A.m));
  const n = A.m << BigInt(k);
  let q = n / B.m;
  if (n % B.m !== 0n) {
    q = (q << 1n) | 1n;
    k += 1;
  }
  return roundPack(s, q, A.e - B.e - k, f, rm);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton iterations from the floating-point estimate
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

export function fsqrt(a: bigint, f: FloatFormat, rm: number): bigint {
  const A = unpack(a, f);
  if (isNaN_(A)) return nanResult(f, A);
  if (A.kind === Kind.Zero) return a;
  if (A.sign === 1) {
    sf.flags |= NV;
    return f.canonicalNaN;
  }
  if (A.kind === Kind.Inf) return a;
  let m = A.m;
  let e = A.e;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  const k = Math.max(0, Math.ceil((2 * (f.p + 3) - bitLength(m)) / 2));
  const n = m << BigInt(2 * k);
  let s = isqrt(n);
  let re = (e - 2 * k) / 2;
  if (s * s !== n) {
    s = (s << 1n) | 1n;
    re -= 1;
  }
  return roundPack(0, s, re, f, rm);
}

/** Fused (±a*b) ± c with a single rounding. */
export function fmadd(a: bigint, b: bigint, c: bigint, f: FloatFormat, rm: number, negProduct: boolean, negC: boolean): bigint {
  const A = unpack(a, f);
  const B = unpack(b, f);
  const C = unpack(c, f);
  const infTimesZero = (A.kind === Kind.Inf && B.kind === Kind.Zero) || (A.kind === Kind.Zero && B.kind === Kind.Inf);
  if (isNaN_(A) || isNaN_(B) || isNaN_(C)) {
    if (infTimesZero) sf.flags |= NV;
    return nanResult(f, A, B, C);
  }
  if (infTimesZero) {
    sf.flags |= NV;
    return f.canonicalNaN;
  }
  const ps = A.sign ^ B.sign ^ (negProduct ? 1 : 0);
  const cs = C.sign ^ (negC ? 1 : 0);
  if (A.kind === Kind.Inf || B.kind === Kind.Inf) {
    if (C.kind === Kind.Inf && cs !== ps) {
      sf.flags |= NV;
      return f.canonicalNaN;
    }
    return packInf(ps, f);
  }
  if (C.kind === Kind.Inf) return packInf(cs, f);
  const pZero = A.kind === Kind.Zero || B.kind === Kind.Zero;
  if (pZero && C.kind === Kind.Zero) return packZero(ps === cs ? ps : rm === RDN ? 1 : 0, f);
  const pm = pZero ? 0n : A.m * B.m;
  const pe = pZero ? 0 : A.e + B.e;
  return addMag(ps, pm, pe, cs, C.m, C.e, f, rm);
}

/** Converts between formats (f32 <-> f64). */
export function fconvert(a: bigint, from: FloatFormat, to: FloatFormat, rm: number): bigint {
  const A = unpack(a, from);
  if (isNaN_(A)) return nanResult(to, A);
  if (A.kind === Kind.Inf) return packInf(A.sign, to);
  if (A.kind === Kind.Zero) return packZero(A.sign, to);
  return roundPack(A.sign, A.m, A.e, to, rm);
}

/** Signed or unsigned integer value to float. */
export function fromInt(v: bigint, f: FloatFormat, rm: number): bigint {
  if (v === 0n) return 0n;
  return v < 0n ? roundPack(1, -v, 0, f, rm) : roundPack(0, v, 0, f, rm);
}

export type IntKind = 0 | 1 | 2 | 3; // W, WU, L, LU

const INT_MIN = [-(1n << 31n), 0n, -(1n << 63n), 0n] as const;
const INT_MAX = [(1n << 31n) - 1n, (1n << 32n) - 1n, (1n << 63n) - 1n, (1n << 64n) - 1n] as const;

/**
 * Float to integer per the RISC-V rules (saturating, NV on NaN/out of range,
 * NX when inexact). Returns the integer value (for W/WU, the 32-bit value;
 * the caller sign-extends).
 */
export function toInt(a: bigint, f: FloatFormat, rm: number, kind: IntKind): bigint {
  const A = unpack(a, f);
  const lo = INT_MIN[kind];
  const hi = INT_MAX[kind];
  if (isNaN_(A)) {
    sf.flags |= NV;
    return hi;
  }
  if (A.kind === Kind.Inf) {
    sf.flags |= NV;
    return A.sign ? lo : hi;
  }
  if (A.kind === Kind.Zero) return 0n;
  let r: bigint;
  let inexact = false;
  if (A.e >= 0) {
    if (A.e + bitLength(A.m) > 65) {
      sf.flags |= NV;
      return A.sign ? lo : hi;
    }
    r = A.m << BigInt(A.e);
  } else {
    [r, inexact] = shiftRound(A.m, -A.e, rm, A.sign);
  }
  const v = A.sign ? -r : r;
  if (v < lo || v > hi) {
    sf.flags |= NV;
    return A.sign ? lo : hi;
  }
  if (inexact) sf.flags |= NX;
  return v;
}

/** fclass result bit index (0..9) as a mask. */
export function fclass(a: bigint, f: FloatFormat): number {
  const A = unpack(a, f);
  const subnormal = A.kind === Kind.Finite && A.m < 1n << BigInt(f.p - 1);
  switch (A.kind) {
    case Kind.Inf:
      return A.sign ? 1 << 0 : 1 << 7;
    case Kind.Zero:
      return A.sign ? 1 << 3 : 1 << 4;
    case Kind.SNaN:
      return 1 << 8;
    case Kind.QNaN:
      return 1 << 9;
    default:
      if (subnormal) return A.sign ? 1 << 2 : 1 << 5;
      return A.sign ? 1 << 1 : 1 << 6;
  }
}

export function isSignalingNaN(a: bigint, f: FloatFormat): boolean {
  return unpack(a, f).kind === Kind.SNaN;
}
export function isAnyNaN(a: bigint, f: FloatFormat): boolean {
  const k = unpack(a, f).kind;
  return k === Kind.QNaN || k === Kind.SNaN;
}
