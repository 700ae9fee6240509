/**
 * 64-bit integer helpers on pairs of 32-bit words (lo, hi), the interpreter's
 * register representation. Results are left in the module-level R0/R1 (low,
 * high word, as int32) so the hot paths allocate nothing.
 */

export const TWO32 = 4294967296;

/** Result words of the last helper call. */
export let R0 = 0;
export let R1 = 0;

/** Sets R0/R1. */
export function setR(lo: number, hi: number): void {
  R0 = lo | 0;
  R1 = hi | 0;
}

/** lo/hi of a 64-bit shift by 0..63: 0 LSL, 1 LSR, 2 ASR, 3 ROR. */
export function shift64(lo: number, hi: number, type: number, amt: number): void {
  if (amt === 0) {
    R0 = lo | 0;
    R1 = hi | 0;
    return;
  }
  switch (type) {
    case 0:
      if (amt < 32) {
        R1 = (hi << amt) | (lo >>> (32 - amt));
        R0 = lo << amt;
      } else {
        R1 = lo << (amt - 32);
        R0 = 0;
      }
      return;
    case 1:
      if (amt < 32) {
        R0 = (lo >>> amt) | (hi << (32 - amt));
        R1 = hi >>> amt;
      } else {
        R0 = hi >>> (amt - 32);
        R1 = 0;
      }
      R0 |= 0;
      R1 |= 0;
      return;
    case 2:
      if (amt < 32) {
        R0 = (lo >>> amt) | (hi << (32 - amt));
        R1 = hi >> amt;
      } else {
        R0 = hi >> (amt - 32);
        R1 = hi >> 31;
      }
      return;
    default:
      if (amt < 32) {
        R0 = (lo >>> amt) | (hi << (32 - amt));
        R1 = (hi >>> amt) | (lo << (32 - amt));
      } else if (amt === 32) {
        R0 = hi | 0;
        R1 = lo | 0;
      } else {
        const a = amt - 32;
        R0 = (hi >>> a) | (lo << (32 - a));
        R1 = (lo >>> a) | (hi << (32 - a));
      }
  }
}

/** A 32-bit shift by 0..31 (same types). */
export function shift32(v: number, type: number, amt: number): number {
  switch (type) {
    case 0: return v << amt;
    case 1: return (v >>> amt) | 0;
    case 2: return v >> amt;
    default: return amt === 0 ? v | 0 : (v >>> amt) | (v << (32 - amt));
  }
}

/** Unsigned 32x32 -> 64 multiply into R0/R1. */
export function umul32(a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const mid = al * bh + ah * bl; // < 2^33
  const low = al * bl + (mid % 65536) * 65536; // < 2^33
  const carry = low >= TWO32 ? 1 : 0;
  R0 = low | 0;
  R1 = (ah * bh + Math.floor(mid / 65536) + carry) | 0;
}

/** Low 64 bits of a 64x64 multiply into R0/R1. */
export function mul64(a0: number, a1: number, b0: number, b1: number): void {
  umul32(a0, b0);
  R1 = (R1 + Math.imul(a0, b1) + Math.imul(a1, b0)) | 0;
}

/** Signed 32x32 -> 64 multiply into R0/R1. */
export function smul32(a: number, b: number): void {
  umul32(a, b);
  let hi = R1;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  R1 = hi;
}

export const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
export const s64 = (lo: number, hi: number): bigint => (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);

/** Splits a bigint's low 64 bits into R0/R1. */
export function split(v: bigint): void {
  R0 = Number(BigInt.asIntN(32, v));
  R1 = Number(BigInt.asIntN(32, v >> 32n));
}

/** Leading zeros of a 64-bit value. */
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Bit reversal of a 32-bit word. */
export function rbit32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) | 0;
}

/** Byte reversal of a 32-bit word. */
export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}

/** Byte swap within each halfword. */
export function rev16w(v: number): number {
  return (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) | 0;
}

/** A number holding an exact integer (|v| < 2^53) into R0/R1 as two's complement. */
export function fromNumber(v: number): void {
  const hi = Math.floor(v / TWO32);
  R0 = (v - hi * TWO32) | 0;
  R1 = hi | 0;
}
