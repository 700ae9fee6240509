/**
 * RV64C: expansion of every 16-bit encoding to the equivalent 32-bit
 * instruction, precomputed into a 64K-entry table. An entry of 0 means the
 * encoding is reserved/illegal (0 is also an illegal 32-bit instruction).
 * Encodings with the low two bits 11 are 32-bit instructions and also map to 0.
 */

const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) => (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const I = (imm: number, rs1: number, f3: number, rd: number, op: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const S = (imm: number, rs2: number, rs1: number, f3: number, op: number) => (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op;
const B = (imm: number, rs2: number, rs1: number, f3: number) =>
  (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
const J = (imm: number, rd: number) => (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;

const b = (c: number, i: number) => (c >> i) & 1;
/** Sign-extends the low `bits` bits of v. */
const sx = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

/** Expands one 16-bit instruction; returns 0 for reserved/illegal encodings. */
export function expandCompressed(c: number): number {
  const op = c & 3;
  const f3 = (c >> 13) & 7;
  const rd = (c >> 7) & 31;
  const rs2 = (c >> 2) & 31;
  const rdp = 8 + ((c >> 2) & 7); // rd' / rs2' in bits 4:2
  const rs1p = 8 + ((c >> 7) & 7); // rs1' / rd' in bits 9:7
  const ciImm = sx((b(c, 12) << 5) | ((c >> 2) & 31), 6);
  switch (op) {
    case 0:
      switch (f3) {
        case 0: {
          // c.addi4spn
          const imm = (((c >> 11) & 3) << 4) | (((c >> 7) & 15) << 6) | (b(c, 6) << 2) | (b(c, 5) << 3);
          return imm === 0 ? 0 : I(imm, 2, 0, rdp, 0x13);
        }
        case 1: // c.fld
          return I((((c >> 10) & 7) << 3) | (((c >> 5) & 3) << 6), rs1p, 3, rdp, 0x07);
        case 2: // c.lw
          return I((((c >> 10) & 7) << 3) | (b(c, 6) << 2) | (b(c, 5) << 6), rs1p, 2, rdp, 0x03);
        case 3: // c.ld
          return I((((c >> 10) & 7) << 3) | (((c >> 5) & 3) << 6), rs1p, 3, rdp, 0x03);
        case 4:
          return 0;
        case 5: // c.fsd
          return S((((c >> 10) & 7) << 3) | (((c >> 5) & 3) << 6), rdp, rs1p, 3, 0x27);
        case 6: // c.sw
          return S((((c >> 10) & 7) << 3) | (b(c, 6) << 2) | (b(c, 5) << 6), rdp, rs1p, 2, 0x23);
        default: // c.sd
          return S((((c >> 10) & 7) << 3) | (((c >> 5) & 3) << 6), rdp, rs1p, 3, 0x23);
      }
    case 1:
      switch (f3) {
        case 0: // c.addi / c.nop (hints when rd = 0 or imm = 0)
          return I(ciImm, rd, 0, rd, 0x13);
        case 1: // c.addiw
          return rd === 0 ? 0 : I(ciImm, rd, 0, rd, 0x1b);
        case 2: // c.li
          return I(ciImm, 0, 0, rd, 0x13);
        case 3:
          if (rd === 2) {
            // c.addi16sp
            const imm = sx((b(c, 12) << 9) | (b(c, 6) << 4) | (b(c, 5) << 6) | (((c >> 3) & 3) << 7) | (b(c, 2) << 5), 10);
            return imm === 0 ? 0 : I(imm, 2, 0, 2, 0x13);
          } else {
            // c.lui
            if (ciImm === 0) return 0;
            return ((ciImm << 12) & 0xfffff000) | (rd << 7) | 0x37;
          }
        case 4: {
          const f2 = (c >> 10) & 3;
          const sh = (b(c, 12) << 5) | ((c >> 2) & 31);
          if (f2 === 0) return I(sh, rs1p, 5, rs1p, 0x13); // c.srli
          if (f2 === 1) return I(sh | 0x400, rs1p, 5, rs1p, 0x13); // c.srai
          if (f2 === 2) return I(ciImm, rs1p, 7, rs1p, 0x13); // c.andi
          const f = (c >> 5) & 3;
          if (b(c, 12) === 0) {
            if (f === 0) return R(0x20, rdp, rs1p, 0, rs1p, 0x33); // c.sub
            if (f === 1) return R(0, rdp, rs1p, 4, rs1p, 0x33); // c.xor
            if (f === 2) return R(0, rdp, rs1p, 6, rs1p, 0x33); // c.or
            return R(0, rdp, rs1p, 7, rs1p, 0x33); // c.and
          }
          if (f === 0) return R(0x20, rdp, rs1p, 0, rs1p, 0x3b); // c.subw
          if (f === 1) return R(0, rdp, rs1p, 0, rs1p, 0x3b); // c.addw
          return 0;
        }
        case 5: {
          // c.j
          const imm = sx(
            (b(c, 12) << 11) | (b(c, 11) << 4) | (((c >> 9) & 3) << 8) | (b(c, 8) << 10) | (b(c, 7) << 6) | (b(c, 6) << 7) | (((c >> 3) & 7) << 1) | (b(c, 2) << 5),
            12,
          );
          return J(imm, 0);
        }
        default: {
          // c.beqz / c.bnez
          const imm = sx((b(c, 12) << 8) | (((c >> 10) & 3) << 3) | (((c >> 5) & 3) << 6) | (((c >> 3) & 3) << 1) | (b(c, 2) << 5), 9);
          return B(imm, 0, rs1p, f3 === 6 ? 0 : 1);
        }
      }
    case 2:
      switch (f3) {
        case 0: // c.slli
          return I((b(c, 12) << 5) | rs2, rd, 1, rd, 0x13);
        case 1: // c.fldsp
          return I((b(c, 12) << 5) | (((c >> 5) & 3) << 3) | (((c >> 2) & 7) << 6), 2, 3, rd, 0x07);
        case 2: // c.lwsp
          return rd === 0 ? 0 : I((b(c, 12) << 5) | (((c >> 4) & 7) << 2) | (((c >> 2) & 3) << 6), 2, 2, rd, 0x03);
        case 3: // c.ldsp
          return rd === 0 ? 0 : I((b(c, 12) << 5) | (((c >> 5) & 3) << 3) | (((c >> 2) & 7) << 6), 2, 3, rd, 0x03);
        case 4:
          if (b(c, 12) === 0) {
            if (rs2 === 0) return rd === 0 ? 0 : I(0, rd, 0, 0, 0x67); // c.jr
            return R(0, rs2, 0, 0, rd, 0x33); // c.mv
          }
          if (rs2 === 0) {
            if (rd === 0) return 0x00100073; // c.ebreak
            return I(0, rd, 0, 1, 0x67); // c.jalr
          }
          return R(0, rs2, rd, 0, rd, 0x33); // c.add
        case 5: // c.fsdsp
          return S((((c >> 10) & 7) << 3) | (((c >> 7) & 7) << 6), rs2, 2, 3, 0x27);
        case 6: // c.swsp
          return S((((c >> 9) & 15) << 2) | (((c >> 7) & 3) << 6), rs2, 2, 2, 0x23);
        default: // c.sdsp
          return S((((c >> 10) & 7) << 3) | (((c >> 7) & 7) << 6), rs2, 2, 3, 0x23);
      }
    default:
      return 0;
  }
}

/** expandCompressed for all 65536 encodings (Int32Array, 0 = illegal). */
export const RVC_TABLE: Int32Array = (() => {
  const t = new Int32Array(65536);
  for (let c = 0; c < 65536; c++) t[c] = expandCompressed(c) | 0;
  return t;
})();
