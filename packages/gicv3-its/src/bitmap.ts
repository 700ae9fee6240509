/**
 * Bit helpers for the GIC's state: the distributor bitmaps (bit n of word
 * n / 32 is INTID n, QEMU's gic_bmp_*), and the packing of the one-bit
 * edge_trigger field into the two-bit ICFGR fields (half_shuffle32 /
 * half_unshuffle32 in QEMU).
 */

export function bmpTest(bmp: Uint32Array, irq: number): boolean {
  return ((bmp[irq >>> 5]! >>> (irq & 31)) & 1) !== 0;
}

export function bmpSet(bmp: Uint32Array, irq: number, on: boolean): void {
  const w = irq >>> 5;
  const bit = 1 << (irq & 31);
  bmp[w] = on ? bmp[w]! | bit : bmp[w]! & ~bit;
}

/** The word of 32 INTIDs starting at `irq` (a multiple of 32). */
export function bmpWord(bmp: Uint32Array, irq: number): number {
  return bmp[irq >>> 5]! >>> 0;
}

export function withBit(word: number, n: number, on: boolean): number {
  return (on ? word | (1 << n) : word & ~(1 << n)) >>> 0;
}

/** Index of the lowest set bit of a 32-bit word; 32 if none (ctz32). */
export function ctz32(word: number): number {
  word >>>= 0;
  return word === 0 ? 32 : 31 - Math.clz32(word & -word);
}

/** Bits 0..15 of `v` spread to the even bits 0, 2, ..., 30. */
export function spreadEven(v: number): number {
  let out = 0;
  for (let i = 0; i < 16; i++) if ((v >>> i) & 1) out |= 1 << (2 * i);
  return out >>> 0;
}

/** The even bits 0, 2, ..., 30 of `v` gathered into bits 0..15. */
export function gatherEven(v: number): number {
  let out = 0;
  for (let i = 0; i < 16; i++) if ((v >>> (2 * i)) & 1) out |= 1 << i;
  return out >>> 0;
}
