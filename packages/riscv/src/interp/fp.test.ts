import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { CSR, EXC } from "./csr-defs.js";
import { RiscvHart } from "./hart.js";
import * as SF from "./softfloat.js";
import { Asm } from "./asm.js";
import { RAM_BASE, Rng, makeRig, runProgram } from "./test-util.js";

const buf = new DataView(new ArrayBuffer(8));
export const d2b = (x: number): bigint => {
  buf.setFloat64(0, x, true);
  return buf.getBigUint64(0, true);
};
export const b2d = (b: bigint): number => {
  buf.setBigUint64(0, b, true);
  return buf.getFloat64(0, true);
};
const f2b = (x: number): bigint => {
  buf.setFloat32(0, x, true);
  return BigInt(buf.getUint32(0, true));
};
const boxS = (x: number): bigint => 0xffff_ffff_0000_0000n | f2b(x);
const QNAN_D = 0x7ff8000000000000n;
const QNAN_S = 0xffff_ffff_7fc0_0000n;
const SNAN_D = 0x7ff0000000000001n;
const SNAN_S = 0xffff_ffff_7f80_0001n;
const { NV, DZ, OF, UF, NX } = SF;

const rig = makeRig();
/** Runs FP instructions with FS enabled; f/x registers preset; returns the hart. */
function fp(words: number[], f: Record<number, bigint> = {}, x: Record<number, bigint> = {}, frm = 0): RiscvHart {
  const { hart, ram } = rig;
  const a = new Asm(RAM_BASE);
  a.emit(A.lui(31, 2)).emit(A.csrs(CSR.mstatus, 31)); // FS = Initial (0x2000)
  a.emitAll(...words).emit(A.ebreak());
  ram.write(0, a.bytes());
  hart.reset(0, RAM_BASE);
  for (const [k, v] of Object.entries(f)) hart.setF(Number(k), v);
  for (const [k, v] of Object.entries(x)) hart.setX(Number(k), BigInt.asUintN(64, v));
  hart.frm = frm;
  const res = hart.run(1000);
  if (res.reason !== "ebreak") throw new Error(`no EBREAK: mcause=${hart.mcause} mtval=${hart.mtval.toString(16)}`);
  return hart;
}

describe("F/D arithmetic", () => {
  it("basic double arithmetic and sqrt", () => {
    const h = fp([A.fadd("d", 3, 1, 2), A.fsub("d", 4, 1, 2), A.fmul("d", 5, 1, 2), A.fdiv("d", 6, 1, 2), A.fsqrt("d", 7, 2)], { 1: d2b(1.5), 2: d2b(2.25) });
    expect([3, 4, 5, 6, 7].map((r) => b2d(h.getF(r)))).toEqual([3.75, -0.75, 3.375, 1.5 / 2.25, 1.5]);
    expect(h.fflags).toBe(NX); // the division is inexact
  });
  it("basic single arithmetic results are NaN-boxed", () => {
    const h = fp([A.fadd("s", 3, 1, 2), A.fmul("s", 4, 1, 2), A.fdiv("s", 5, 1, 2), A.fsqrt("s", 6, 2)], { 1: boxS(1.5), 2: boxS(2.25) });
    expect(h.getF(3)).toBe(boxS(3.75));
    expect(h.getF(4)).toBe(boxS(3.375));
    expect(h.getF(5)).toBe(boxS(Math.fround(1.5 / 2.25)));
    expect(h.getF(6)).toBe(boxS(1.5));
  });
  it("an improperly NaN-boxed single operand reads as the canonical NaN", () => {
    const h = fp([A.fadd("s", 3, 1, 2), A.fmv_x_w(4, 1), A.fsgnj("s", 5, 1, 1), A.fcvt_d_s(6, 1)], { 1: f2b(1.0) /* upper bits zero */, 2: boxS(1) });
    expect(h.getF(3)).toBe(QNAN_S);
    expect(h.getX(4)).toBe(0x3f800000n); // FMV.X.W moves the raw low bits
    expect(h.getF(5)).toBe(QNAN_S);
    expect(h.getF(6)).toBe(QNAN_D);
  });
  it("flw boxes, fsw stores the low 32 bits, fld/fsd are raw", () => {
    const h = fp([A.fsw(1, 10, 0), A.flw(2, 10, 0), A.fsd(3, 10, 8), A.fld(4, 10, 8), A.lw(5, 10, 0)], { 1: 0x1234_5678_4049_0fdbn, 3: SNAN_D }, { 10: BigInt(RAM_BASE + 0x8000) });
    expect(h.getF(2)).toBe(0xffff_ffff_4049_0fdbn);
    expect(h.getF(4)).toBe(SNAN_D);
    expect(h.getX(5)).toBe(0x40490fdbn);
  });
  it("invalid operations give the canonical NaN and NV; DZ; OF; UF", () => {
    const cases: [number, Record<number, bigint>, bigint, number][] = [
      [A.fdiv("d", 3, 1, 1), { 1: d2b(0) }, QNAN_D, NV],
      [A.fsub("d", 3, 1, 1), { 1: d2b(Infinity) }, QNAN_D, NV],
      [A.fmul("d", 3, 1, 2), { 1: d2b(Infinity), 2: d2b(0) }, QNAN_D, NV],
      [A.fsqrt("d", 3, 1), { 1: d2b(-1) }, QNAN_D, NV],
      [A.fsqrt("d", 3, 1), { 1: d2b(-0) }, d2b(-0), 0],
      [A.fadd("d", 3, 1, 2), { 1: SNAN_D, 2: d2b(1) }, QNAN_D, NV],
      [A.fadd("d", 3, 1, 2), { 1: 0x7ff8_0000_dead_beefn, 2: d2b(1) }, QNAN_D, 0], // quiet NaN payload not propagated
      [A.fdiv("d", 3, 1, 2), { 1: d2b(-1), 2: d2b(0) }, d2b(-Infinity), DZ],
      [A.fmul("d", 3, 1, 1), { 1: d2b(1e300) }, d2b(Infinity), OF | NX],
      [A.fmul("d", 3, 1, 2), { 1: d2b(2 ** -1022), 2: d2b(0.5) }, d2b(2 ** -1023), 0], // exact subnormal: no UF
      [A.fmul("d", 3, 1, 2), { 1: d2b(2 ** -1022 * (1 + 2 ** -52)), 2: d2b(0.5) }, d2b(2 ** -1023), UF | NX],
      [A.fmul("d", 3, 1, 1), { 1: d2b(1e-200) }, d2b(0), UF | NX],
      [A.fadd("s", 3, 1, 1), { 1: boxS(3e38) }, boxS(Infinity), OF | NX],
      [A.fdiv("s", 3, 1, 2), { 1: boxS(1), 2: boxS(0) }, boxS(Infinity), DZ],
      [A.fadd("s", 3, 1, 2), { 1: SNAN_S, 2: boxS(1) }, QNAN_S, NV],
    ];
    for (const [inst, f, want, flags] of cases) {
      const h = fp([inst], f);
      expect({ inst, r: h.getF(3).toString(16), flags: h.fflags }).toEqual({ inst, r: want.toString(16), flags });
    }
  });
  it("FMA is fused (single rounding) in all four forms", () => {
    const a = 1 + 2 ** -52;
    const b = 1 - 2 ** -52;
    const h = fp(
      [A.fmadd("d", 4, 1, 2, 3), A.fmsub("d", 5, 1, 2, 6), A.fnmsub("d", 7, 1, 2, 6), A.fnmadd("d", 8, 1, 2, 3), A.fmadd("s", 9, 10, 11, 12)],
      { 1: d2b(a), 2: d2b(b), 3: d2b(-1), 6: d2b(1), 10: boxS(1 + 2 ** -23), 11: boxS(1 - 2 ** -23), 12: boxS(-1) },
    );
    expect(b2d(h.getF(4))).toBe(-(2 ** -104));
    expect(b2d(h.getF(5))).toBe(-(2 ** -104));
    expect(b2d(h.getF(7))).toBe(2 ** -104);
    expect(b2d(h.getF(8))).toBe(2 ** -104);
    expect(h.getF(9)).toBe(boxS(-(2 ** -46)));
    const z = fp([A.fmadd("d", 4, 1, 2, 3)], { 1: d2b(Infinity), 2: d2b(0), 3: QNAN_D });
    expect(z.fflags).toBe(NV); // inf * 0 is invalid even with a quiet NaN addend
  });
  it("rounding modes: static rm and dynamic frm; invalid rm is illegal", () => {
    const third = (rm: number) => b2d(fp([A.fdiv("d", 3, 1, 2, rm)], { 1: d2b(1), 2: d2b(3) }).getF(3));
    const rne = 1 / 3;
    const up = rne + 2 ** -54; // next representable above (ulp of 1/3 is 2^-54)
    expect(third(SF.RNE)).toBe(rne);
    expect(third(SF.RTZ)).toBe(rne);
    expect(third(SF.RDN)).toBe(rne);
    expect(third(SF.RUP)).toBe(up);
    expect(third(SF.RMM)).toBe(rne);
    expect(b2d(fp([A.fdiv("d", 3, 1, 2)], { 1: d2b(1), 2: d2b(3) }, {}, SF.RUP).getF(3))).toBe(up);
    const t = runProgram((a) => {
      a.emit(A.auipc(5, 0)).ref("h", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
      a.emit(A.lui(31, 2)).emit(A.csrs(CSR.mstatus, 31));
      a.emit(A.fadd("d", 1, 1, 1, 5));
      a.label("h").emit(A.ebreak());
    });
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
  });
  it("FP instructions are illegal when mstatus.FS = Off; FP writes set FS = Dirty", () => {
    const t = runProgram((a) => {
      a.emit(A.auipc(5, 0)).ref("h", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
      a.emit(A.fadd("d", 1, 1, 1));
      a.label("h").emit(A.ebreak());
    });
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
    const h = fp([A.fmv_d_x(1, 0)]);
    expect((h.mstatusValue >> 13n) & 3n).toBe(3n);
  });
});

describe("conversions, moves, compares, classify", () => {
  it("fcvt.w/l with all rounding modes", () => {
    const want: Record<number, [bigint, bigint]> = { [SF.RNE]: [2n, -2n], [SF.RTZ]: [2n, -2n], [SF.RDN]: [2n, -3n], [SF.RUP]: [3n, -2n], [SF.RMM]: [3n, -3n] };
    for (const rm of [0, 1, 2, 3, 4]) {
      const h = fp([A.fcvt_to_int("w", "d", 3, 1, rm), A.fcvt_to_int("l", "s", 4, 2, rm)], { 1: d2b(2.5), 2: boxS(-2.5) });
      expect([BigInt.asIntN(64, h.getX(3)), BigInt.asIntN(64, h.getX(4))]).toEqual(want[rm]);
      expect(h.fflags).toBe(NX);
    }
  });
  it("fcvt to integer saturates with NV", () => {
    const cases: ["w" | "wu" | "l" | "lu", bigint, bigint][] = [
      ["w", QNAN_D, 0x7fffffffn],
      ["w", d2b(2 ** 31), 0x7fffffffn],
      ["w", d2b(-(2 ** 31) - 1), 0xffffffff80000000n],
      ["wu", d2b(-1), 0n],
      ["wu", d2b(2 ** 32), 0xffffffffffffffffn],
      ["l", d2b(Infinity), 0x7fffffffffffffffn],
      ["l", d2b(-Infinity), 0x8000000000000000n],
      ["lu", d2b(-Infinity), 0n],
      ["lu", QNAN_D, 0xffffffffffffffffn],
      ["lu", d2b(2 ** 64), 0xffffffffffffffffn],
    ];
    for (const [k, v, want] of cases) {
      const h = fp([A.fcvt_to_int(k, "d", 3, 1, 1)], { 1: v });
      expect({ k, v, r: h.getX(3), f: h.fflags }).toEqual({ k, v, r: want, f: NV });
    }
    const h = fp([A.fcvt_to_int("wu", "d", 3, 1, 1), A.fcvt_to_int("lu", "d", 4, 2, 1), A.fcvt_to_int("l", "d", 5, 6, 1)], { 1: d2b(-0.5), 2: d2b(2 ** 63 + 2 ** 11), 6: d2b(-(2 ** 63)) });
    expect([h.getX(3), h.getX(4), h.getX(5), h.fflags]).toEqual([0n, (1n << 63n) + 2048n, 1n << 63n, NX]);
    expect(fp([A.fcvt_to_int("wu", "d", 3, 1)], { 1: d2b(4294967295) }).getX(3)).toBe(0xffffffffffffffffn); // sign-extended
  });
  it("fcvt from integers with rounding", () => {
    const h = fp(
      [A.fcvt_from_int("d", "l", 1, 10), A.fcvt_from_int("d", "l", 2, 10, 1), A.fcvt_from_int("s", "w", 3, 11), A.fcvt_from_int("d", "lu", 4, 12), A.fcvt_from_int("s", "wu", 5, 12), A.fcvt_from_int("d", "w", 6, 13)],
      {},
      { 10: (1n << 63n) - 1n, 11: 16777217n, 12: -1n, 13: -7n },
    );
    expect(b2d(h.getF(1))).toBe(2 ** 63);
    expect(b2d(h.getF(2))).toBe(2 ** 63 - 1024);
    expect(h.getF(3)).toBe(boxS(16777216));
    expect(b2d(h.getF(4))).toBe(2 ** 64);
    expect(h.getF(5)).toBe(boxS(2 ** 32));
    expect(b2d(h.getF(6))).toBe(-7);
    expect(h.fflags).toBe(NX);
  });
  it("fcvt.s.d rounds, fcvt.d.s is exact, NaNs canonicalised", () => {
    const h = fp([A.fcvt_s_d(3, 1), A.fcvt_d_s(4, 3), A.fcvt_s_d(5, 2, 1), A.fcvt_d_s(6, 7)], { 1: d2b(1 / 3), 2: d2b(1e300), 7: SNAN_S });
    expect(h.getF(3)).toBe(boxS(Math.fround(1 / 3)));
    expect(b2d(h.getF(4))).toBe(Math.fround(1 / 3));
    expect(h.getF(5)).toBe(boxS(3.4028234663852886e38)); // RTZ overflow -> max finite
    expect(h.getF(6)).toBe(QNAN_D);
    expect(h.fflags).toBe(NX | OF | NV);
  });
  it("fmv.x.w sign-extends; fmv.w.x boxes; fmv.d.x / fmv.x.d are raw", () => {
    const h = fp([A.fmv_w_x(1, 10), A.fmv_x_w(11, 1), A.fmv_d_x(2, 12), A.fmv_x_d(13, 2)], {}, { 10: 0x1_8000_0001n, 12: SNAN_D });
    expect(h.getF(1)).toBe(0xffff_ffff_8000_0001n);
    expect(h.getX(11)).toBe(0xffff_ffff_8000_0001n);
    expect(h.getX(13)).toBe(SNAN_D);
    expect(h.fflags).toBe(0);
  });
  it("fsgnj family", () => {
    const h = fp([A.fsgnj("d", 3, 1, 2), A.fsgnjn("d", 4, 1, 2), A.fsgnjx("d", 5, 2, 2), A.fsgnjn("s", 6, 7, 7), A.fsgnjx("s", 8, 7, 9)], { 1: d2b(1.5), 2: d2b(-2), 7: boxS(3), 9: boxS(-1) });
    expect([b2d(h.getF(3)), b2d(h.getF(4)), b2d(h.getF(5))]).toEqual([-1.5, 1.5, 2]);
    expect(h.getF(6)).toBe(boxS(-3));
    expect(h.getF(8)).toBe(boxS(-3));
  });
  it("fmin/fmax: NaN handling, signed zeros, sNaN sets NV", () => {
    const run = (inst: number, a: bigint, b: bigint) => {
      const h = fp([inst], { 1: a, 2: b });
      return [h.getF(3), h.fflags] as const;
    };
    expect(run(A.fmin("d", 3, 1, 2), d2b(0), d2b(-0))).toEqual([d2b(-0), 0]);
    expect(run(A.fmax("d", 3, 1, 2), d2b(-0), d2b(0))).toEqual([d2b(0), 0]);
    expect(run(A.fmin("d", 3, 1, 2), QNAN_D, d2b(3))).toEqual([d2b(3), 0]);
    expect(run(A.fmax("d", 3, 1, 2), d2b(3), SNAN_D)).toEqual([d2b(3), NV]);
    expect(run(A.fmax("d", 3, 1, 2), SNAN_D, QNAN_D)).toEqual([QNAN_D, NV]);
    expect(run(A.fmin("s", 3, 1, 2), boxS(-1), boxS(2))).toEqual([boxS(-1), 0]);
    expect(run(A.fmax("s", 3, 1, 2), boxS(-1), 5n /* unboxed = NaN */)).toEqual([boxS(-1), 0]);
  });
  it("feq is quiet, flt/fle signal on NaN", () => {
    const run = (inst: number, a: bigint, b: bigint) => {
      const h = fp([inst], { 1: a, 2: b });
      return [h.getX(3), h.fflags] as const;
    };
    expect(run(A.feq("d", 3, 1, 2), d2b(1), d2b(1))).toEqual([1n, 0]);
    expect(run(A.feq("d", 3, 1, 2), d2b(0), d2b(-0))).toEqual([1n, 0]);
    expect(run(A.feq("d", 3, 1, 2), QNAN_D, d2b(1))).toEqual([0n, 0]);
    expect(run(A.feq("d", 3, 1, 2), SNAN_D, d2b(1))).toEqual([0n, NV]);
    expect(run(A.flt("d", 3, 1, 2), QNAN_D, d2b(1))).toEqual([0n, NV]);
    expect(run(A.fle("s", 3, 1, 2), boxS(1), boxS(1))).toEqual([1n, 0]);
    expect(run(A.flt("s", 3, 1, 2), boxS(1), boxS(1))).toEqual([0n, 0]);
  });
  it("fclass distinguishes all ten classes", () => {
    const vals: [bigint, number][] = [
      [d2b(-Infinity), 0],
      [d2b(-1), 1],
      [d2b(-(2 ** -1074)), 2],
      [d2b(-0), 3],
      [d2b(0), 4],
      [d2b(2 ** -1074), 5],
      [d2b(1), 6],
      [d2b(Infinity), 7],
      [SNAN_D, 8],
      [QNAN_D, 9],
    ];
    for (const [v, bit] of vals) expect(fp([A.fclass("d", 3, 1)], { 1: v }).getX(3)).toBe(1n << BigInt(bit));
    expect(fp([A.fclass("s", 3, 1)], { 1: boxS(-(2 ** -149)) }).getX(3)).toBe(1n << 2n);
    expect(fp([A.fclass("s", 3, 1)], { 1: 0x3f80_0000n }).getX(3)).toBe(1n << 9n); // unboxed: canonical NaN
  });
});

// ---- property tests: the fast paths and the exact soft-float against exact rational arithmetic

/** value of finite double bits as a rational [num, den] with den a power of two. */
function rat(bits: bigint, f: SF.FloatFormat): [bigint, bigint] {
  const u = SF.unpack(bits, f);
  const m = u.sign ? -u.m : u.m;
  return u.e >= 0 ? [m << BigInt(u.e), 1n] : [m, 1n << BigInt(-u.e)];
}
const cmpRat = (a: [bigint, bigint], b: [bigint, bigint]) => {
  const l = a[0] * b[1];
  const r = b[0] * a[1];
  return l < r ? -1 : l > r ? 1 : 0;
};

function randomDouble(rng: Rng): bigint {
  const k = Number(rng.next64() % 6n);
  const mant = rng.next64() & ((1n << 52n) - 1n);
  const sign = rng.next64() & 1n;
  let exp: bigint;
  if (k === 0) exp = 0n; // subnormal
  else if (k === 1) exp = 1n + (rng.next64() % 60n); // tiny
  else if (k === 2) exp = 2046n - (rng.next64() % 60n); // huge
  else exp = 1023n - 40n + (rng.next64() % 80n);
  return (sign << 63n) | (exp << 52n) | mant;
}

describe("floating-point properties (randomized)", () => {
  const rng = new Rng(777n);
  it("exact soft-float agrees with JS doubles in RNE for add/mul/div/sqrt", () => {
    for (let i = 0; i < 3000; i++) {
      const a = randomDouble(rng);
      const b = randomDouble(rng);
      expect(SF.fadd(a, b, SF.F64, SF.RNE)).toBe(d2b(b2d(a) + b2d(b)));
      expect(SF.fmul(a, b, SF.F64, SF.RNE)).toBe(d2b(b2d(a) * b2d(b)));
      const q = b2d(a) / b2d(b);
      if (q === q) expect(SF.fdiv(a, b, SF.F64, SF.RNE)).toBe(d2b(q));
      const s = Math.sqrt(b2d(a));
      if (s === s) expect(SF.fsqrt(a, SF.F64, SF.RNE)).toBe(d2b(s));
      const fa = Number(a & 0xffffffffn);
      const fb = Number(b & 0xffffffffn);
      buf.setUint32(0, fa, true);
      const xa = buf.getFloat32(0, true);
      buf.setUint32(0, fb, true);
      const xb = buf.getFloat32(0, true);
      if (xa === xa && xb === xb) {
        expect(SF.fadd(BigInt(fa), BigInt(fb), SF.F32, SF.RNE)).toBe(f2b(Math.fround(xa + xb)) & 0xffffffffn);
        expect(SF.fmul(BigInt(fa), BigInt(fb), SF.F32, SF.RNE)).toBe(f2b(Math.fround(xa * xb)));
      }
    }
  });
  it("directed rounding brackets the exact result (add, mul, div, fma)", () => {
    for (let i = 0; i < 1500; i++) {
      const a = randomDouble(rng);
      const b = randomDouble(rng);
      const c = randomDouble(rng);
      const ra = rat(a, SF.F64);
      const rb = rat(b, SF.F64);
      const rc = rat(c, SF.F64);
      const exactAdd: [bigint, bigint] = [ra[0] * rb[1] + rb[0] * ra[1], ra[1] * rb[1]];
      const exactMul: [bigint, bigint] = [ra[0] * rb[0], ra[1] * rb[1]];
      const exactFma: [bigint, bigint] = [exactMul[0] * rc[1] + rc[0] * exactMul[1], exactMul[1] * rc[1]];
      const checks: [string, (rm: number) => bigint, [bigint, bigint]][] = [
        ["add", (rm) => SF.fadd(a, b, SF.F64, rm), exactAdd],
        ["mul", (rm) => SF.fmul(a, b, SF.F64, rm), exactMul],
        ["fma", (rm) => SF.fmadd(a, b, c, SF.F64, rm, false, false), exactFma],
      ];
      if (rb[0] !== 0n) checks.push(["div", (rm) => SF.fdiv(a, b, SF.F64, rm), rb[0] < 0n ? [-ra[0] * rb[1], -rb[0] * ra[1]] : [ra[0] * rb[1], rb[0] * ra[1]]]);
      for (const [name, op, exact] of checks) {
        const dn = op(SF.RDN);
        const up = op(SF.RUP);
        const dnv = b2d(dn);
        const upv = b2d(up);
        if (!Number.isFinite(dnv) || !Number.isFinite(upv)) continue;
        expect({ name, ok: cmpRat(rat(dn, SF.F64), exact) <= 0 && cmpRat(rat(up, SF.F64), exact) >= 0 }).toEqual({ name, ok: true });
        const exactHit = cmpRat(rat(dn, SF.F64), exact) === 0;
        if (!exactHit) {
          // adjacent: up is the next double above dn
          const next = dnv === 0 ? 2 ** -1074 : dnv > 0 ? b2d(dn + 1n) : b2d(dn - 1n);
          expect({ name, up: upv }).toEqual({ name, up: dnv === 0 && Object.is(dnv, -0) ? 2 ** -1074 : next });
        } else expect(upv).toBe(dnv);
        // RTZ picks the one closer to zero
        const tz = b2d(op(SF.RTZ));
        expect(Math.abs(tz)).toBe(Math.min(Math.abs(dnv), Math.abs(upv)));
      }
    }
  });
  it("the interpreter's RNE fast paths give the same bits and flags as the exact path", () => {
    for (let i = 0; i < 600; i++) {
      const a = randomDouble(rng);
      const b = randomDouble(rng);
      const sa = 0xffff_ffff_0000_0000n | (a >> 32n);
      const sb = 0xffff_ffff_0000_0000n | (b >> 32n);
      const ops: [number, (x: bigint, y: bigint) => bigint, bigint, bigint, SF.FloatFormat][] = [
        [A.fadd("d", 3, 1, 2, 0), (x, y) => SF.fadd(x, y, SF.F64, 0), a, b, SF.F64],
        [A.fsub("d", 3, 1, 2, 0), (x, y) => SF.fadd(x, y, SF.F64, 0, true), a, b, SF.F64],
        [A.fmul("d", 3, 1, 2, 0), (x, y) => SF.fmul(x, y, SF.F64, 0), a, b, SF.F64],
        [A.fdiv("d", 3, 1, 2, 0), (x, y) => SF.fdiv(x, y, SF.F64, 0), a, b, SF.F64],
        [A.fsqrt("d", 3, 1, 0), (x) => SF.fsqrt(x, SF.F64, 0), a & ~(1n << 63n), b, SF.F64],
        [A.fadd("s", 3, 1, 2, 0), (x, y) => SF.fadd(x, y, SF.F32, 0), sa, sb, SF.F32],
        [A.fmul("s", 3, 1, 2, 0), (x, y) => SF.fmul(x, y, SF.F32, 0), sa, sb, SF.F32],
        [A.fdiv("s", 3, 1, 2, 0), (x, y) => SF.fdiv(x, y, SF.F32, 0), sa, sb, SF.F32],
        [A.fsqrt("s", 3, 1, 0), (x) => SF.fsqrt(x, SF.F32, 0), sa & ~(1n << 31n), sb, SF.F32],
      ];
      for (const [inst, ref, x, y, f] of ops) {
        const h = fp([inst], { 1: x, 2: y });
        SF.sf.flags = 0;
        const lo = f === SF.F32 ? 0xffffffffn : (1n << 64n) - 1n;
        const want = ref(x & lo, y & lo);
        const got = h.getF(3) & lo;
        expect({ inst, x, y, got, flags: h.fflags }).toEqual({ inst, x, y, got: want, flags: SF.sf.flags });
      }
    }
  });
});
