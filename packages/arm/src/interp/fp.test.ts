import { describe, expect, it } from "vitest";
import type { Program } from "../workload/asm.js";
import type { DReg, SReg } from "../workload/regs.js";
import { F32, F64, fpAdd, fpDiv, fpMul, fpSqrt, IOC, IXC, OFC, UFC, DZC, type FpContext } from "./softfloat.js";
import { Rng, Runner } from "./test-util.js";

const dbits = (v: number) => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v, true);
  return dv.getBigUint64(0, true);
};
const sbits = (v: number) => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v, true);
  return BigInt(dv.getUint32(0, true));
};
const DEFAULT_NAN = 0x7ff8_0000_0000_0000n;

describe("scalar FP known answers", () => {
  const runner = new Runner();
  /** Runs with x1/x2 moved into d1/d2 (raw bits), FPSR cleared; returns d0's bits and FPSR. */
  function op(build: (p: Program) => void, a: bigint, b = 0n, fpcr = 0): { d0: bigint; fpsr: number; cpu: ReturnType<Runner["run"]> } {
    const cpu = runner.run((p) => {
      p.fmov("d1", "x1").fmov("d2", "x2").msr("fpsr", "xzr").msr("fpcr", "x3");
      build(p);
      p.mrs("x4", "fpsr").msr("fpcr", "xzr");
    }, { 1: a, 2: b, 3: fpcr });
    return { d0: cpu.getV(0)[0], fpsr: Number(cpu.getX(4)), cpu };
  }
  const d = (f: (p: Program) => Program) => f;

  it("arithmetic, with the exception flags", () => {
    expect(op(d((p) => p.fadd("d0", "d1", "d2")), dbits(1.5), dbits(2.25))).toMatchObject({ d0: dbits(3.75), fpsr: 0 });
    expect(op(d((p) => p.fdiv("d0", "d1", "d2")), dbits(1), dbits(3))).toMatchObject({ d0: dbits(1 / 3), fpsr: IXC });
    expect(op(d((p) => p.fdiv("d0", "d1", "d2")), dbits(1), dbits(0))).toMatchObject({ d0: dbits(Infinity), fpsr: DZC });
    expect(op(d((p) => p.fdiv("d0", "d1", "d2")), dbits(0), dbits(0))).toMatchObject({ d0: DEFAULT_NAN, fpsr: IOC });
    expect(op(d((p) => p.fsqrt("d0", "d1")), dbits(-1))).toMatchObject({ d0: DEFAULT_NAN, fpsr: IOC });
    expect(op(d((p) => p.fsqrt("d0", "d1")), dbits(2))).toMatchObject({ d0: dbits(Math.SQRT2), fpsr: IXC });
    expect(op(d((p) => p.fmul("d0", "d1", "d2")), dbits(Number.MAX_VALUE), dbits(2))).toMatchObject({ d0: dbits(Infinity), fpsr: OFC | IXC });
    expect(op(d((p) => p.fdiv("d0", "d1", "d2")), dbits(2 ** -1022), dbits(3))).toMatchObject({ d0: dbits(2 ** -1022 / 3), fpsr: UFC | IXC });
    expect(op(d((p) => p.fmul("d0", "d1", "d2")), dbits(2 ** -1022), dbits(0.5))).toMatchObject({ d0: dbits(2 ** -1023), fpsr: 0 }); // exact: no underflow
    expect(op(d((p) => p.fsub("d0", "d1", "d2")), dbits(Infinity), dbits(Infinity))).toMatchObject({ d0: DEFAULT_NAN, fpsr: IOC });
    expect(op(d((p) => p.fnmul("d0", "d1", "d2")), dbits(3), dbits(2))).toMatchObject({ d0: dbits(-6), fpsr: 0 });
    expect(op(d((p) => p.fmadd("d0", "d1", "d2", "d1")), dbits(1 + 2 ** -30), dbits(1 - 2 ** -30))).toMatchObject({ d0: dbits(2 + 2 ** -30 - 2 ** -60), fpsr: IXC }); // fused
  });

  it("NaNs: signalling ones are quieted with IOC, the first operand wins, FPCR.DN gives the default NaN", () => {
    const snan = 0x7ff0_0000_0000_0001n;
    const qnan = 0xfff8_0000_0000_0002n;
    expect(op(d((p) => p.fadd("d0", "d1", "d2")), dbits(1), snan)).toMatchObject({ d0: snan | (1n << 51n), fpsr: IOC });
    expect(op(d((p) => p.fadd("d0", "d1", "d2")), qnan, snan)).toMatchObject({ d0: snan | (1n << 51n), fpsr: IOC }); // SNaN before QNaN
    expect(op(d((p) => p.fmul("d0", "d1", "d2")), qnan, dbits(1))).toMatchObject({ d0: qnan, fpsr: 0 });
    expect(op(d((p) => p.fadd("d0", "d1", "d2")), qnan, dbits(1), 1 << 25)).toMatchObject({ d0: DEFAULT_NAN, fpsr: 0 });
    expect(op(d((p) => p.fmax("d0", "d1", "d2")), qnan, dbits(1))).toMatchObject({ d0: qnan });
    expect(op(d((p) => p.fmaxnm("d0", "d1", "d2")), qnan, dbits(1))).toMatchObject({ d0: dbits(1) });
    expect(op(d((p) => p.fmin("d0", "d1", "d2")), dbits(0), dbits(-0))).toMatchObject({ d0: dbits(-0) });
    expect(op(d((p) => p.fabs("d0", "d1")), qnan)).toMatchObject({ d0: qnan & ~(1n << 63n), fpsr: 0 }); // no NaN processing
  });

  it("rounding modes (FPCR.RMode) and flush-to-zero", () => {
    const third = (mode: number) => op(d((p) => p.fdiv("d0", "d1", "d2")), dbits(1), dbits(3), mode << 22).d0;
    expect(third(0)).toBe(dbits(1 / 3));
    expect(third(1)).toBe(dbits(1 / 3) + 1n); // towards +inf
    expect(third(2)).toBe(dbits(1 / 3)); // 1/3 rounded to nearest is below 1/3
    expect(third(3)).toBe(dbits(1 / 3));
    expect(op(d((p) => p.fdiv("d0", "d1", "d2")), dbits(-1), dbits(3), 2 << 22).d0).toBe(dbits(-1 / 3) + 1n); // RM: more negative
    expect(op(d((p) => p.fmul("d0", "d1", "d2")), dbits(Number.MAX_VALUE), dbits(2), 3 << 22)).toMatchObject({ d0: dbits(Number.MAX_VALUE), fpsr: OFC | IXC });
    // FZ: a denormal input counts as zero (IDC), a tiny result is flushed (UFC)
    expect(op(d((p) => p.fadd("d0", "d1", "d2")), 1n, dbits(1), 1 << 24)).toMatchObject({ d0: dbits(1), fpsr: 0x80 });
    expect(op(d((p) => p.fmul("d0", "d1", "d2")), dbits(2 ** -1000), dbits(2 ** -30), 1 << 24)).toMatchObject({ d0: 0n, fpsr: UFC });
  });

  it("conversions to and from integers, between precisions, and rounding to integral", () => {
    const c = runner.run((p) => {
      p.msr("fpsr", "xzr");
      p.fmov("d1", -2.5).fcvtzs("x0", "d1").fcvtns("x1", "d1").fcvtms("x2", "d1").fcvtps("x3", "d1").fcvtas("x4", "d1").fcvtzu("x5", "d1").mrs("x20", "fpsr").msr("fpsr", "xzr");
      p.li("x9", dbits(1e30)).fmov("d2", "x9").fcvtzs("w6", "d2").fcvtzs("x7", "d2").mrs("x21", "fpsr").msr("fpsr", "xzr");
      p.mov("x9", -1).scvtf("d3", "x9").ucvtf("d4", "x9").scvtf("s5", "w9").ucvtf("s6", "w9").mrs("x22", "fpsr").msr("fpsr", "xzr");
      p.fmov("d7", 0.25).fcvt("s8", "d7").fcvt("d9", "s8").frinta("d10", "d1").frintz("d11", "d1").frintx("d12", "d1").mrs("x23", "fpsr");
      p.fmov("x10", "d3").fmov("x11", "d4").fmov("w12", "s5").fmov("w13", "s6").fmov("w14", "s8").fmov("x15", "d9").fmov("x16", "d10").fmov("x17", "d11").fmov("x18", "d12");
    });
    expect([c.getX(0), c.getX(1), c.getX(2), c.getX(3), c.getX(4), c.getX(5)].map((v) => BigInt.asIntN(64, v))).toEqual([-2n, -2n, -3n, -2n, -3n, 0n]);
    expect(Number(c.getX(20))).toBe(IOC | IXC); // IXC from the roundings, IOC from fcvtzu of a negative
    expect(c.getX(6)).toBe(0x7fff_ffffn);
    expect(c.getX(7)).toBe(0x7fff_ffff_ffff_ffffn);
    expect(Number(c.getX(21))).toBe(IOC);
    expect(c.getX(10)).toBe(dbits(-1));
    expect(c.getX(11)).toBe(dbits(2 ** 64));
    expect(c.getX(12)).toBe(sbits(-1));
    expect(c.getX(13)).toBe(sbits(2 ** 32));
    expect(Number(c.getX(22))).toBe(IXC); // 2^64 - 1 is inexact in double
    expect(c.getX(14)).toBe(sbits(0.25));
    expect(c.getX(15)).toBe(dbits(0.25));
    expect(c.getX(16)).toBe(dbits(-3));
    expect(c.getX(17)).toBe(dbits(-2));
    expect(c.getX(18)).toBe(dbits(-2)); // ties to even
    expect(Number(c.getX(23))).toBe(IXC); // only FRINTX reports inexact
  });

  it("FCMP/FCMPE, FCCMP, FCSEL, FMOV immediate and the register views", () => {
    const c = runner.run((p) => {
      p.fmov("d1", 1.0).fmov("d2", 2.0).msr("fpsr", "xzr");
      p.fcmp("d1", "d2").mrs("x1", "nzcv").fcmp("d2", "d1").mrs("x2", "nzcv").fcmp("d1", "d1").mrs("x3", "nzcv");
      p.li("x9", 0x7ff8_0000_0000_0000n).fmov("d3", "x9").fcmp("d3", "d1").mrs("x4", "nzcv").mrs("x5", "fpsr").fcmpe("d3", 0).mrs("x6", "fpsr");
      p.cmp("x1", "x1").fcsel("d4", "d1", "d2", "ne").fmov("x7", "d4").fmov("s5", -0.5).fmov("w8", "s5");
      p.inst(0x1e622420); // fccmp d1, d2, #0, hs (C clear after cmp? no: equal sets C): compares
      p.mrs("x10", "nzcv");
    });
    expect([c.getX(1), c.getX(2), c.getX(3), c.getX(4)]).toEqual([0x8000_0000n, 0x2000_0000n, 0x6000_0000n, 0x3000_0000n]);
    expect(Number(c.getX(5))).toBe(0); // quiet NaN: FCMP does not signal
    expect(Number(c.getX(6))).toBe(IOC); // FCMPE does
    expect(c.getX(7)).toBe(dbits(2));
    expect(c.getX(8)).toBe(sbits(-0.5));
    expect(c.getX(10)).toBe(0x8000_0000n); // fccmp taken: 1 < 2
  });
});

describe("the fast path and the exact code agree", () => {
  const runner = new Runner();
  const rng = new Rng(0xf00dn);
  const randomDouble = (): number => {
    const kind = Number(rng.next64() % 4n);
    const m = Number(rng.next64() >> 11n) / 2 ** 53;
    const e = kind === 0 ? Number(rng.next64() % 2000n) - 1000 : Number(rng.next64() % 80n) - 40;
    return (rng.next64() & 1n ? -1 : 1) * (1 + m) * 2 ** e;
  };

  it("for random doubles and singles, results and flags (double: 4 x 300 cases)", () => {
    const ops = ["fadd", "fsub", "fmul", "fdiv"] as const;
    for (const opName of ops) {
      for (let i = 0; i < 300; i++) {
        const a = randomDouble();
        const b = randomDouble();
        const cpu = runner.run((p) => {
          p.fmov("d1", "x1").fmov("d2", "x2").msr("fpsr", "xzr");
          (p as unknown as Record<string, (d: DReg, n: DReg, m: DReg) => Program>)[opName]!.call(p, "d0", "d1", "d2");
          p.mrs("x3", "fpsr").fmov("x7", "d0").fcvt("s1", "d1").fcvt("s2", "d2").msr("fpsr", "xzr");
          (p as unknown as Record<string, (d: SReg, n: SReg, m: SReg) => Program>)[opName]!.call(p, "s0", "s1", "s2");
          p.mrs("x4", "fpsr").fmov("w5", "s1").fmov("w6", "s2");
        }, { 1: dbits(a), 2: dbits(b) });
        const ctx: FpContext = { fpcr: 0, flags: 0 };
        const A = dbits(a);
        const B = dbits(b);
        const want = opName === "fadd" ? fpAdd(A, B, F64, ctx) : opName === "fsub" ? fpAdd(A, B, F64, ctx, true) : opName === "fmul" ? fpMul(A, B, F64, ctx) : fpDiv(A, B, F64, ctx);
        const what = `${opName} ${a} ${b}`;
        expect(cpu.getX(7), what).toBe(want);
        expect(Number(cpu.getX(3)), what).toBe(ctx.flags);
        const sctx: FpContext = { fpcr: 0, flags: 0 };
        const sa = cpu.getX(5);
        const sb = cpu.getX(6);
        const swant = opName === "fadd" ? fpAdd(sa, sb, F32, sctx) : opName === "fsub" ? fpAdd(sa, sb, F32, sctx, true) : opName === "fmul" ? fpMul(sa, sb, F32, sctx) : fpDiv(sa, sb, F32, sctx);
        expect(cpu.getV(0)[0], `single ${what}`).toBe(swant);
        expect(Number(cpu.getX(4)), `single ${what}`).toBe(sctx.flags);
      }
    }
  });

  it("the exact code rounds like the host for every double operation in round-to-nearest", () => {
    for (let i = 0; i < 2000; i++) {
      const a = randomDouble();
      const b = randomDouble();
      const ctx: FpContext = { fpcr: 0, flags: 0 };
      expect(fpAdd(dbits(a), dbits(b), F64, ctx)).toBe(dbits(a + b));
      expect(fpMul(dbits(a), dbits(b), F64, ctx)).toBe(dbits(a * b));
      expect(fpDiv(dbits(a), dbits(b), F64, ctx)).toBe(dbits(a / b));
      expect(fpSqrt(dbits(Math.abs(a)), F64, ctx)).toBe(dbits(Math.sqrt(Math.abs(a))));
      const p = Math.fround(a) * Math.fround(b);
      if (!Number.isNaN(p)) expect(fpMul(sbits(a), sbits(b), F32, ctx)).toBe(sbits(p)); // the host's NaN has another sign
    }
  });
});
