/**
 * IEEE 754 binary32/binary64 arithmetic with Arm's rules (FPCR rounding
 * modes, flush-to-zero, default NaN, NaN propagation, tininess detected before
 * rounding), computed exactly with bigints. fpu.ts uses it whenever the fast
 * path on JS doubles cannot vouch for the result and its exception flags.
 *
 * Values are raw bit patterns (bigint). Flags accumulate in `flags`
 * (FPSR bit positions: IOC 0, DZC 1, OFC 2, UFC 3, IXC 4, IDC 7).
 */

export const IOC = 1;
export const DZC = 2;
export const OFC = 4;
export const UFC = 8;
export const IXC = 16;
export const IDC = 128;

export interface FpFormat {
  readonly bits: 32 | 64;
  readonly ebits: number;
  readonly fbits: number;
  readonly bias: number;
}

export const F32: FpFormat = { bits: 32, ebits: 8, fbits: 23, bias: 127 };
export const F64: FpFormat = { bits: 64, ebits: 11, fbits: 52, bias: 1023 };

/** Rounding modes: FPCR.RMode values, plus ties-away (FCVTA*, FRINTA). */
export const RN = 0;
export const RP = 1;
export const RM = 2;
export const RZ = 3;
export const RA = 4;

/** FPCR bits that matter here. */
export const FPCR_FZ = 1 << 24;
export const FPCR_DN = 1 << 25;

export interface FpContext {
  /** FPCR (rounding mode bits 23:22, FZ, DN). */
  fpcr: number;
  /** Exception flags raised so far. */
  flags: number;
}

export type FpClass = "zero" | "normal" | "inf" | "qnan" | "snan";

export interface Unpacked {
  cls: FpClass;
  sign: 0 | 1;
  /** value = mant * 2^exp (finite classes) */
  mant: bigint;
  exp: number;
}

const fracMask = (f: FpFormat) => (1n << BigInt(f.fbits)) - 1n;
const expMax = (f: FpFormat) => (1 << f.ebits) - 1;

export function defaultNaN(f: FpFormat): bigint {
  return f.bits === 64 ? 0x7ff8_0000_0000_0000n : 0x7fc0_0000n;
}

export function signBit(f: FpFormat): bigint {
  return 1n << BigInt(f.bits - 1);
}

export function quietBit(f: FpFormat): bigint {
  return 1n << BigInt(f.fbits - 1);
}

/** Unpacks, flushing a denormal input to zero (IDC) when FPCR.FZ is set. */
export function unpack(bits: bigint, f: FpFormat, ctx: FpContext): Unpacked {
  const sign = (bits >> BigInt(f.bits - 1)) & 1n ? 1 : 0;
  const e = Number((bits >> BigInt(f.fbits)) & BigInt(expMax(f)));
  const frac = bits & fracMask(f);
  if (e === expMax(f)) {
    if (frac === 0n) return { cls: "inf", sign, mant: 0n, exp: 0 };
    return { cls: frac & quietBit(f) ? "qnan" : "snan", sign, mant: frac, exp: 0 };
  }
  if (e === 0) {
    if (frac === 0n) return { cls: "zero", sign, mant: 0n, exp: 0 };
    if (ctx.fpcr & FPCR_FZ) {
      ctx.flags |= IDC;
      return { cls: "zero", sign, mant: 0n, exp: 0 };
    }
    return { cls: "normal", sign, mant: frac, exp: 1 - f.bias - f.fbits };
  }
  return { cls: "normal", sign, mant: frac | (1n << BigInt(f.fbits)), exp: e - f.bias - f.fbits };
}

const bitLength = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

export function zero(sign: number, f: FpFormat): bigint {
  return sign ? signBit(f) : 0n;
}

export function inf(sign: number, f: FpFormat): bigint {
  return (sign ? signBit(f) : 0n) | (BigInt(expMax(f)) << BigInt(f.fbits));
}

function maxNormal(sign: number, f: FpFormat): bigint {
  return (sign ? signBit(f) : 0n) | (BigInt(expMax(f) - 1) << BigInt(f.fbits)) | fracMask(f);
}

const rmodeOf = (ctx: FpContext) => (ctx.fpcr >>> 22) & 3;

/**
 * Rounds sign * (mant + sticky·ε) * 2^exp to the format (Arm FPRoundBase): mant
 * is exact, `sticky` says a nonzero fraction below bit 0 was dropped.
 */
export function roundPack(sign: number, mant: bigint, exp: number, f: FpFormat, ctx: FpContext, rmode = rmodeOf(ctx), sticky = false, flush = true): bigint {
  if (mant === 0n && !sticky) return zero(sign, f);
  const p = f.fbits + 1;
  const emin = 1 - f.bias;
  let len = bitLength(mant);
  if (mant === 0n) {
    // only a sticky bit: smaller than anything
    mant = 1n;
    exp -= 2 * (f.bias + p + 2);
    len = 1;
    sticky = false;
  }
  const E = exp + len - 1; // exponent of the leading one
  const tiny = E < emin;
  if (tiny && flush && ctx.fpcr & FPCR_FZ) {
    ctx.flags |= UFC;
    return zero(sign, f);
  }
  let lsb = (tiny ? emin : E) - (p - 1);
  let q: bigint;
  let up = false;
  let inexact = sticky;
  if (lsb > exp) {
    const sh = BigInt(lsb - exp);
    q = mant >> sh;
    const rem = mant & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    if (rem !== 0n) inexact = true;
    switch (rmode) {
      case RN: up = rem > half || (rem === half && (sticky || (q & 1n) === 1n)); break;
      case RA: up = rem > half || (rem === half); break;
      case RP: up = inexact && sign === 0; break;
      case RM: up = inexact && sign === 1; break;
      default: up = false;
    }
  } else {
    q = mant << BigInt(exp - lsb);
    if (sticky) {
      // the dropped fraction is below half an ulp
      if (rmode === RP) up = sign === 0;
      else if (rmode === RM) up = sign === 1;
    }
  }
  if (up) {
    q += 1n;
    if (q === 1n << BigInt(p)) {
      q >>= 1n;
      lsb++;
    }
  }
  if (inexact) ctx.flags |= IXC;
  if (tiny && inexact) ctx.flags |= UFC;
  if (q < 1n << BigInt(p - 1)) return zero(sign, f) | q; // subnormal (or zero after rounding)
  const biased = lsb + (p - 1) + f.bias;
  if (biased >= expMax(f)) {
    ctx.flags |= OFC | IXC;
    const toInf = rmode === RN || rmode === RA || (rmode === RP && sign === 0) || (rmode === RM && sign === 1);
    return toInf ? inf(sign, f) : maxNormal(sign, f);
  }
  return zero(sign, f) | (BigInt(biased) << BigInt(f.fbits)) | (q & fracMask(f));
}

/** FPProcessNaN: the quieted NaN (IOC for a signalling one), or the default NaN with FPCR.DN. */
export function processNaN(bits: bigint, u: Unpacked, f: FpFormat, ctx: FpContext): bigint {
  if (u.cls === "snan") ctx.flags |= IOC;
  if (ctx.fpcr & FPCR_DN) return defaultNaN(f);
  return bits | quietBit(f);
}

/** FPProcessNaNs for 2 or 3 operands: the NaN result, or undefined when no operand is a NaN. */
export function processNaNs(ops: ReadonlyArray<[bigint, Unpacked]>, f: FpFormat, ctx: FpContext): bigint | undefined {
  for (const [b, u] of ops) if (u.cls === "snan") return processNaN(b, u, f, ctx);
  for (const [b, u] of ops) if (u.cls === "qnan") return processNaN(b, u, f, ctx);
  return undefined;
}

function invalid(f: FpFormat, ctx: FpContext): bigint {
  ctx.flags |= IOC;
  return defaultNaN(f);
}

/** Exact sum of two finite unpacked values: [sign, mant, exp] with mant >= 0. */
function exactAdd(a: Unpacked, b: Unpacked): [number, bigint, number] {
  const e = Math.min(a.exp, b.exp);
  const A = (a.mant << BigInt(a.exp - e)) * (a.sign ? -1n : 1n);
  const B = (b.mant << BigInt(b.exp - e)) * (b.sign ? -1n : 1n);
  const s = A + B;
  return [s < 0n ? 1 : 0, s < 0n ? -s : s, e];
}

export function fpAdd(a: bigint, b: bigint, f: FpFormat, ctx: FpContext, negateB = false): bigint {
  if (negateB) b ^= signBit(f);
  const ua = unpack(a, f, ctx);
  const ub = unpack(b, f, ctx);
  const nan = processNaNs(negateB ? [[a, ua], [b ^ signBit(f), ub]] : [[a, ua], [b, ub]], f, ctx);
  if (nan !== undefined) return nan;
  if (ua.cls === "inf" || ub.cls === "inf") {
    if (ua.cls === "inf" && ub.cls === "inf" && ua.sign !== ub.sign) return invalid(f, ctx);
    return inf(ua.cls === "inf" ? ua.sign : ub.sign, f);
  }
  if (ua.cls === "zero" && ub.cls === "zero") {
    const neg = ua.sign === ub.sign ? ua.sign : rmodeOf(ctx) === RM ? 1 : 0;
    return zero(neg, f);
  }
  const [s, m, e] = exactAdd(ua, ub);
  if (m === 0n) return zero(rmodeOf(ctx) === RM ? 1 : 0, f);
  return roundPack(s, m, e, f, ctx);
}

export function fpMul(a: bigint, b: bigint, f: FpFormat, ctx: FpContext, negate = false): bigint {
  const ua = unpack(a, f, ctx);
  const ub = unpack(b, f, ctx);
  const nan = processNaNs([[a, ua], [b, ub]], f, ctx);
  if (nan !== undefined) return nan;
  const sign = ua.sign ^ ub.sign ^ (negate ? 1 : 0);
  if (ua.cls === "inf" || ub.cls === "inf") {
    if (ua.cls === "zero" || ub.cls === "zero") return invalid(f, ctx);
    return inf(sign, f);
  }
  if (ua.cls === "zero" || ub.cls === "zero") return zero(sign, f);
  return roundPack(sign, ua.mant * ub.mant, ua.exp + ub.exp, f, ctx);
}

export function fpDiv(a: bigint, b: bigint, f: FpFormat, ctx: FpContext): bigint {
  const ua = unpack(a, f, ctx);
  const ub = unpack(b, f, ctx);
  const nan = processNaNs([[a, ua], [b, ub]], f, ctx);
  if (nan !== undefined) return nan;
  const sign = ua.sign ^ ub.sign;
  if (ua.cls === "inf") return ub.cls === "inf" ? invalid(f, ctx) : inf(sign, f);
  if (ub.cls === "inf") return zero(sign, f);
  if (ub.cls === "zero") {
    if (ua.cls === "zero") return invalid(f, ctx);
    ctx.flags |= DZC;
    return inf(sign, f);
  }
  if (ua.cls === "zero") return zero(sign, f);
  const k = Math.max(0, f.fbits + 4 + bitLength(ub.mant) - bitLength(ua.mant));
  const n = ua.mant << BigInt(k);
  const q = n / ub.mant;
  return roundPack(sign, q, ua.exp - ub.exp - k, f, ctx, rmodeOf(ctx), n % ub.mant !== 0n);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function fpSqrt(a: bigint, f: FpFormat, ctx: FpContext): bigint {
  const ua = unpack(a, f, ctx);
  if (ua.cls === "qnan" || ua.cls === "snan") return processNaN(a, ua, f, ctx);
  if (ua.cls === "zero") return zero(ua.sign, f);
  if (ua.sign) return invalid(f, ctx);
  if (ua.cls === "inf") return inf(0, f);
  let m = ua.mant;
  let e = ua.exp;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  const want = 2 * (f.fbits + 4);
  const k = Math.max(0, Math.ceil((want - bitLength(m)) / 2));
  m <<= BigInt(2 * k);
  const r = isqrt(m);
  return roundPack(0, r, (e - 2 * k) / 2, f, ctx, rmodeOf(ctx), r * r !== m);
}

/** FPMulAdd: addend + n * m (negations applied by the caller on the raw bits), fused. */
export function fpMulAdd(addend: bigint, n: bigint, m: bigint, f: FpFormat, ctx: FpContext): bigint {
  const ua = unpack(addend, f, ctx);
  const un = unpack(n, f, ctx);
  const um = unpack(m, f, ctx);
  const infZero = (un.cls === "inf" && um.cls === "zero") || (un.cls === "zero" && um.cls === "inf");
  const nan = processNaNs([[addend, ua], [n, un], [m, um]], f, ctx);
  if (nan !== undefined) {
    if (ua.cls === "qnan" && infZero) return invalid(f, ctx);
    return nan;
  }
  if (infZero) return invalid(f, ctx);
  const ps = un.sign ^ um.sign;
  const pInf = un.cls === "inf" || um.cls === "inf";
  if (ua.cls === "inf" && pInf && ua.sign !== ps) return invalid(f, ctx);
  if (ua.cls === "inf") return inf(ua.sign, f);
  if (pInf) return inf(ps, f);
  const pZero = un.cls === "zero" || um.cls === "zero";
  if (ua.cls === "zero" && pZero) {
    const neg = ua.sign === ps ? ua.sign : rmodeOf(ctx) === RM ? 1 : 0;
    return zero(neg, f);
  }
  const prod: Unpacked = { cls: pZero ? "zero" : "normal", sign: ps as 0 | 1, mant: pZero ? 0n : un.mant * um.mant, exp: pZero ? 0 : un.exp + um.exp };
  const [s, mm, e] = exactAdd(ua.cls === "zero" ? { ...ua, exp: prod.exp } : ua, prod);
  if (mm === 0n) return zero(rmodeOf(ctx) === RM ? 1 : 0, f);
  return roundPack(s, mm, e, f, ctx);
}

/** Conversion between formats (FCVT): NaNs quieted (or default), finite values rounded. */
export function fpConvert(a: bigint, from: FpFormat, to: FpFormat, ctx: FpContext): bigint {
  const u = unpack(a, from, ctx);
  switch (u.cls) {
    case "qnan": case "snan": {
      if (u.cls === "snan") ctx.flags |= IOC;
      if (ctx.fpcr & FPCR_DN) return defaultNaN(to);
      // keep the sign and the top fraction bits, quiet
      const shift = to.fbits - from.fbits;
      const frac = shift >= 0 ? u.mant << BigInt(shift) : u.mant >> BigInt(-shift);
      return (u.sign ? signBit(to) : 0n) | (BigInt(expMax(to)) << BigInt(to.fbits)) | frac | quietBit(to);
    }
    case "inf": return inf(u.sign, to);
    case "zero": return zero(u.sign, to);
    default: return roundPack(u.sign, u.mant, u.exp, to, ctx);
  }
}

/** Integer (as a bigint, already signed or unsigned) to FP. */
export function fpFromInt(v: bigint, f: FpFormat, ctx: FpContext): bigint {
  if (v === 0n) return 0n;
  return roundPack(v < 0n ? 1 : 0, v < 0n ? -v : v, 0, f, ctx, rmodeOf(ctx), false, false);
}

/** FPToFixed with fbits = 0: round with `rmode`, saturate to `bits` (signed or not); IOC on NaN or overflow, IXC when inexact. */
export function fpToInt(a: bigint, f: FpFormat, ctx: FpContext, rmode: number, bits: 32 | 64, unsigned: boolean): bigint {
  const u = unpack(a, f, ctx);
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  if (u.cls === "qnan" || u.cls === "snan") {
    ctx.flags |= IOC;
    return 0n;
  }
  if (u.cls === "inf") {
    ctx.flags |= IOC;
    return u.sign ? min : max;
  }
  if (u.cls === "zero") return 0n;
  const r = roundToIntegral(u, rmode);
  if (r.inexact) ctx.flags |= IXC;
  const v = u.sign ? -r.int : r.int;
  if (v > max || v < min) {
    ctx.flags = (ctx.flags & ~IXC) | IOC; // Arm: overflow is Invalid Operation only
    return v > max ? max : min;
  }
  return v;
}

/** |value| rounded to an integer with `rmode` (sign taken into account for RP/RM). */
function roundToIntegral(u: Unpacked, rmode: number): { int: bigint; inexact: boolean } {
  if (u.exp >= 0) return { int: u.mant << BigInt(u.exp), inexact: false };
  const sh = BigInt(-u.exp);
  const q = u.mant >> sh;
  const rem = u.mant & ((1n << sh) - 1n);
  const half = 1n << (sh - 1n);
  let up = false;
  switch (rmode) {
    case RN: up = rem > half || (rem === half && (q & 1n) === 1n); break;
    case RA: up = rem >= half; break;
    case RP: up = rem !== 0n && u.sign === 0; break;
    case RM: up = rem !== 0n && u.sign === 1; break;
    default: up = false;
  }
  return { int: up ? q + 1n : q, inexact: rem !== 0n };
}

/** FRINT*: round to an integral value in the same format; IXC only when `exact` (FRINTX). */
export function fpRoundInt(a: bigint, f: FpFormat, ctx: FpContext, rmode: number, exact: boolean): bigint {
  const u = unpack(a, f, ctx);
  if (u.cls === "qnan" || u.cls === "snan") return processNaN(a, u, f, ctx);
  if (u.cls !== "normal") return u.cls === "inf" ? inf(u.sign, f) : zero(u.sign, f);
  const r = roundToIntegral(u, rmode);
  if (r.inexact && exact) ctx.flags |= IXC;
  if (r.int === 0n) return zero(u.sign, f);
  const sub: FpContext = { fpcr: ctx.fpcr & ~FPCR_FZ, flags: 0 };
  return roundPack(u.sign, r.int, 0, f, sub);
}

/** FPCompare: NZCV (0b0011 unordered, 0b0110 equal, 0b1000 less, 0b0010 greater); IOC for SNaNs, or any NaN when `signalling`. */
export function fpCompare(a: bigint, b: bigint, f: FpFormat, ctx: FpContext, signalling: boolean): number {
  const ua = unpack(a, f, ctx);
  const ub = unpack(b, f, ctx);
  const nanA = ua.cls === "qnan" || ua.cls === "snan";
  const nanB = ub.cls === "qnan" || ub.cls === "snan";
  if (nanA || nanB) {
    if (signalling || ua.cls === "snan" || ub.cls === "snan") ctx.flags |= IOC;
    return 0b0011;
  }
  const c = compareValues(ua, ub);
  return c === 0 ? 0b0110 : c < 0 ? 0b1000 : 0b0010;
}

/** -1, 0, 1 for two non-NaN values (zeros equal). */
export function compareValues(a: Unpacked, b: Unpacked): number {
  const val = (u: Unpacked): [number, bigint, number] => [u.cls === "zero" ? 0 : u.sign ? -1 : 1, u.mant, u.exp];
  const [sa] = val(a);
  const [sb] = val(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  if (a.cls === "inf" || b.cls === "inf") {
    if (a.cls === b.cls) return 0;
    const mag = a.cls === "inf" ? 1 : -1;
    return sa * mag;
  }
  const e = Math.min(a.exp, b.exp);
  const A = a.mant << BigInt(a.exp - e);
  const B = b.mant << BigInt(b.exp - e);
  const mag = A === B ? 0 : A > B ? 1 : -1;
  return sa * mag;
}

/** FMAX/FMIN (NaN-propagating) and FMAXNM/FMINNM (a quiet NaN loses to a number). */
export function fpMinMax(a: bigint, b: bigint, f: FpFormat, ctx: FpContext, max: boolean, numeric: boolean): bigint {
  const ua = unpack(a, f, ctx);
  const ub = unpack(b, f, ctx);
  if (numeric) {
    if (ua.cls === "qnan" && ub.cls !== "qnan" && ub.cls !== "snan") return fpMinMax(b, b, f, ctx, max, false);
    if (ub.cls === "qnan" && ua.cls !== "qnan" && ua.cls !== "snan") return fpMinMax(a, a, f, ctx, max, false);
  }
  const nan = processNaNs([[a, ua], [b, ub]], f, ctx);
  if (nan !== undefined) return nan;
  const fa = ua.cls === "zero" ? zero(ua.sign, f) : a;
  const fb = ub.cls === "zero" ? zero(ub.sign, f) : b;
  if (ua.cls === "zero" && ub.cls === "zero") {
    // +0 > -0
    const neg = max ? ua.sign & ub.sign : ua.sign | ub.sign;
    return zero(neg, f);
  }
  const c = compareValues(ua, ub);
  const pickA = max ? c > 0 : c < 0;
  const r = pickA ? fa : fb;
  // a flushed denormal result stays a zero
  return r;
}
