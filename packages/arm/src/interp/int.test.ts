import { describe, expect, it } from "vitest";
import type { Program } from "../workload/asm.js";
import type { Cond, GpReg, Modifier } from "../workload/regs.js";
import { Rng, runProgram, Runner, u64 } from "./test-util.js";

const M64 = (1n << 64n) - 1n;
const mask = (w: number) => (1n << BigInt(w)) - 1n;
const sx = (v: bigint, w: number) => BigInt.asIntN(w, v);
const ux = (v: bigint, w: number) => BigInt.asUintN(w, v);

/** Arm AddWithCarry: result and NZCV (bits 3..0). */
function addWithCarry(a: bigint, b: bigint, c: bigint, w: number): [bigint, number] {
  const us = ux(a, w) + ux(b, w) + c;
  const ss = sx(a, w) + sx(b, w) + c;
  const r = ux(us, w);
  const n = Number(r >> BigInt(w - 1));
  const z = r === 0n ? 1 : 0;
  const cf = ux(r, w) === us ? 0 : 1;
  const v = sx(r, w) === ss ? 0 : 1;
  return [r, (n << 3) | (z << 2) | (cf << 1) | v];
}

function shiftRef(v: bigint, kind: string, amt: number, w: number): bigint {
  const x = ux(v, w);
  const A = BigInt(amt);
  switch (kind) {
    case "lsl": return ux(x << A, w);
    case "lsr": return x >> A;
    case "asr": return ux(sx(x, w) >> A, w);
    default: return amt === 0 ? x : ux((x >> A) | (x << BigInt(w - amt)), w);
  }
}

const reg = (w: number, n: number) => `${w === 64 ? "x" : "w"}${n}` as GpReg;

describe("smoke", () => {
  it("adds and loops", () => {
    const r = runProgram((p) => {
      p.mov("x1", 100).mov("x2", 0);
      p.label("loop").add("x2", "x2", 3).subs("x1", "x1", 1).b_ne("loop");
    });
    expect(r.cpu.getX(2)).toBe(300n);
    expect(r.executed).toBe(2 + 300 + 1);
  });
  it("li loads any constant", () => {
    const values = [0n, 1n, 0xffffn, 0x10000n, 0x1234_5678_9abc_def0n, M64, 0xffff_ffff_0000_0000n, 0x8000_0000_0000_0000n, 0x5555_5555_5555_5555n, 0xdead_0000_beefn];
    const r = runProgram((p) => values.forEach((v, i) => p.li(reg(64, i), v)));
    values.forEach((v, i) => expect(r.cpu.getX(i), `x${i}`).toBe(v));
    const w = runProgram((p) => p.li("w3", 0xfffffffen).li("w4", 0x12345678));
    expect(w.cpu.getX(3)).toBe(0xfffffffen);
    expect(w.cpu.getX(4)).toBe(0x12345678n);
  });
  it("writes to W registers clear the top half; xzr reads zero and ignores writes", () => {
    const r = runProgram((p) => p.li("x1", M64).add("w2", "w1", 1).mov("x3", "x1").add("w3", "w3", 0).orr("xzr", "x1", "x1").add("x4", "xzr", "xzr"));
    expect(r.cpu.getX(2)).toBe(0n);
    expect(r.cpu.getX(3)).toBe(0xffff_ffffn);
    expect(r.cpu.getX(4)).toBe(0n);
  });
});

describe("add/sub and logical against a reference", () => {
  const runner = new Runner();
  const rng = new Rng(0x1234n);
  const arith = ["add", "adds", "sub", "subs"] as const;
  const logic = ["and", "ands", "orr", "eor", "bic", "bics", "orn", "eon"] as const;
  const shifts = ["lsl", "lsr", "asr", "ror"] as const;

  it("shifted register forms, 64 and 32 bits, with flags", () => {
    for (let i = 0; i < 400; i++) {
      const w = i % 2 ? 64 : 32;
      const a = rng.edgy64();
      const b = rng.edgy64();
      const isArith = i % 3 === 0;
      const op = isArith ? arith[i % 4]! : logic[i % 8]!;
      const kind = shifts[Number(rng.next64() % (isArith ? 3n : 4n))]!;
      const amt = Number(rng.next64() % BigInt(w));
      const mod = `${kind} #${amt}` as Modifier;
      const cpu = runner.run((p) => (p as unknown as Record<string, (...a: unknown[]) => Program>)[op]!.call(p, reg(w, 0), reg(w, 1), reg(w, 2), mod), { 1: a, 2: b });
      const sb = shiftRef(b, kind, amt, w);
      let exp: bigint;
      let flags: number | undefined;
      switch (op) {
        case "add": case "adds": [exp, flags] = addWithCarry(a, sb, 0n, w); break;
        case "sub": case "subs": [exp, flags] = addWithCarry(a, ~sb, 1n, w); break;
        default: {
          const bb = ["bic", "bics", "orn", "eon"].includes(op) ? ux(~sb, w) : sb;
          const aa = ux(a, w);
          exp = op.startsWith("and") || op.startsWith("bic") ? aa & bb : op === "orr" || op === "orn" ? aa | bb : aa ^ bb;
          flags = (Number(exp >> BigInt(w - 1)) << 3) | (exp === 0n ? 4 : 0);
        }
      }
      const what = `${op} ${mod} a=${a.toString(16)} b=${b.toString(16)} w=${w}`;
      expect(cpu.getX(0), what).toBe(exp);
      if (op.endsWith("s") && op !== "bics" ? true : op === "bics") expect(cpu.nzcv, what).toBe(flags);
    }
  });

  it("immediate forms and extended registers", () => {
    for (let i = 0; i < 200; i++) {
      const a = rng.edgy64();
      const b = rng.edgy64();
      const imm = Number(rng.next64() % 4096n);
      const shift12 = i % 3 === 0;
      const cpu = runner.run((p) => {
        p.add("x0", "x1", imm, shift12 ? "lsl #12" : undefined);
        p.subs("w3", "w1", imm);
        p.add("x4", "x1", "w2", "sxtw #2");
        p.sub("x5", "x1", "w2", "uxth #1");
        p.adds("x6", "x1", "w2", "sxtb");
        p.add("x7", "x1", "x2", "uxtx #4");
      }, { 1: a, 2: b });
      expect(cpu.getX(0)).toBe(u64(a + BigInt(imm << (shift12 ? 12 : 0))));
      const [r3] = addWithCarry(a, ~BigInt(imm), 1n, 32);
      expect(cpu.getX(3)).toBe(r3);
      expect(cpu.getX(4)).toBe(u64(a + (sx(b, 32) << 2n)));
      expect(cpu.getX(5)).toBe(u64(a - ((b & 0xffffn) << 1n)));
      const [r6, f6] = addWithCarry(a, u64(sx(b, 8)), 0n, 64);
      expect(cpu.getX(6)).toBe(r6);
      expect(cpu.nzcv).toBe(f6);
      expect(cpu.getX(7)).toBe(u64(a + (b << 4n)));
    }
  });

  it("sp as operand and destination", () => {
    const r = runProgram((p) => {
      p.li("x1", 0x4008_0000).mov("sp", "x1").sub("sp", "sp", 16).add("x2", "sp", 0).add("x3", "sp", "x1").cmp("sp", 0x10).mov("x4", "sp");
    });
    expect(r.cpu.getX(2)).toBe(0x4007_fff0n);
    expect(r.cpu.getX(3)).toBe(0x4007_fff0n + 0x4008_0000n);
    expect(r.cpu.getX(4)).toBe(0x4007_fff0n);
    expect(r.cpu.getSp()).toBe(0x4007_fff0n);
  });

  it("logical immediates, including the 32-bit ones", () => {
    const imms = [0xffn, 0x5555_5555_5555_5555n, 0xffff_0000_ffff_0000n, 0x8000_0000_0000_0001n, 0x7fff_ffff_ffff_fffen, 0x3n << 62n, 0x0f0f_0f0f_0f0f_0f0fn];
    for (const imm of imms) {
      const a = 0x0123_4567_89ab_cdefn;
      const cpu = runner.run((p) => p.and("x0", "x1", imm).orr("x2", "x1", imm).eor("x3", "x1", imm).ands("x4", "x1", imm), { 1: a });
      expect(cpu.getX(0)).toBe(a & imm);
      expect(cpu.getX(2)).toBe(a | imm);
      expect(cpu.getX(3)).toBe(a ^ imm);
      expect(cpu.nzcv).toBe(((a & imm) >> 63n ? 8 : 0) | ((a & imm) === 0n ? 4 : 0));
    }
    const cpu = runner.run((p) => p.and("w0", "w1", 0x8000_0001).eor("w2", "w1", 0xfffffffe).tst("w1", 0x10), { 1: 0xffff_ffff_0000_0010n });
    expect(cpu.getX(0)).toBe(0n);
    expect(cpu.getX(2)).toBe(0xffff_ffeen);
    expect(cpu.nzcv).toBe(0);
  });

  it("adc/sbc use and set the carry", () => {
    const cpu = runner.run((p) => {
      p.li("x1", M64).adds("x0", "x1", 1); // C=1, result 0
      p.adc("x2", "xzr", "xzr"); // 1
      p.li("x3", 5).subs("x4", "x3", 6); // borrow: C=0
      p.sbc("x5", "x3", "xzr"); // 5 - 0 - 1 = 4
      p.cmp("x3", 5); // C=1
      p.sbcs("x6", "x3", "x3"); // 0, C=1, Z=1
    });
    expect(cpu.getX(0)).toBe(0n);
    expect(cpu.getX(2)).toBe(1n);
    expect(cpu.getX(4)).toBe(M64);
    expect(cpu.getX(5)).toBe(4n);
    expect(cpu.getX(6)).toBe(0n);
    expect(cpu.nzcv).toBe(0b0110);
  });
});

describe("moves, bitfields, extract, shifts", () => {
  const runner = new Runner();
  const rng = new Rng(0xbeefn);

  it("movz/movn/movk", () => {
    const cpu = runner.run((p) => {
      p.movz("x0", 0x1234, "lsl #48").movk("x0", 0xabcd, "lsl #16");
      p.movn("x1", 0x1, "lsl #32");
      p.movn("w2", 0);
      p.li("x3", M64).movk("w3", 0x5555, "lsl #16");
    });
    expect(cpu.getX(0)).toBe(0x1234_0000_abcd_0000n);
    expect(cpu.getX(1)).toBe(0xffff_fffe_ffff_ffffn);
    expect(cpu.getX(2)).toBe(0xffff_ffffn);
    expect(cpu.getX(3)).toBe(0x5555_ffffn);
  });

  it("bitfield aliases against a reference", () => {
    for (let i = 0; i < 300; i++) {
      const w = i % 2 ? 64 : 32;
      const src = rng.edgy64();
      const dst = rng.edgy64();
      const lsb = Number(rng.next64() % BigInt(w));
      const width = 1 + Number(rng.next64() % BigInt(w - lsb));
      const shift = Number(rng.next64() % BigInt(w));
      const cpu = runner.run((p) => {
        p.ubfx(reg(w, 0), reg(w, 10), lsb, width);
        p.sbfx(reg(w, 1), reg(w, 10), lsb, width);
        p.mov(reg(w, 2), reg(w, 11)).bfxil(reg(w, 2), reg(w, 10), lsb, width);
        p.ubfiz(reg(w, 3), reg(w, 10), lsb, width);
        p.sbfiz(reg(w, 4), reg(w, 10), lsb, width);
        p.mov(reg(w, 5), reg(w, 11)).bfi(reg(w, 5), reg(w, 10), lsb, width);
        p.lsl(reg(w, 6), reg(w, 10), shift).lsr(reg(w, 7), reg(w, 10), shift).asr(reg(w, 8), reg(w, 10), shift).ror(reg(w, 9), reg(w, 10), shift);
      }, { 10: src, 11: dst });
      const s = ux(src, w);
      const d = ux(dst, w);
      const field = (s >> BigInt(lsb)) & mask(width);
      const what = `w=${w} lsb=${lsb} width=${width} src=${src.toString(16)}`;
      expect(cpu.getX(0), what).toBe(field);
      expect(cpu.getX(1), what).toBe(ux(sx(field, width), w));
      expect(cpu.getX(2), what).toBe((d & ~mask(width)) | field);
      const low = s & mask(width);
      expect(cpu.getX(3), what).toBe(ux(low << BigInt(lsb), w));
      expect(cpu.getX(4), what).toBe(ux(sx(low, width) << BigInt(lsb), w));
      expect(cpu.getX(5), what).toBe((d & ~ux(mask(width) << BigInt(lsb), w)) | ux(low << BigInt(lsb), w));
      for (const [r, k] of [[6, "lsl"], [7, "lsr"], [8, "asr"], [9, "ror"]] as const) expect(cpu.getX(r), `${k} ${shift} ${what}`).toBe(shiftRef(s, k, shift, w));
    }
  });

  it("sign/zero extension aliases", () => {
    const cpu = runner.run((p) => p.sxtb("x0", "w9").sxth("w1", "w9").sxtw("x2", "w9").uxtb("w3", "w9").uxth("w4", "w9"), { 9: 0x1234_5678_8765_c3f0n });
    expect(cpu.getX(0)).toBe(0xffff_ffff_ffff_fff0n);
    expect(cpu.getX(1)).toBe(0xffff_c3f0n);
    expect(cpu.getX(2)).toBe(0xffff_ffff_8765_c3f0n);
    expect(cpu.getX(3)).toBe(0xf0n);
    expect(cpu.getX(4)).toBe(0xc3f0n);
  });

  it("extr and register shifts", () => {
    for (let i = 0; i < 100; i++) {
      const a = rng.next64();
      const b = rng.next64();
      const lsb = i % 64;
      const sh = rng.next64();
      const cpu = runner.run((p) => {
        p.extr("x0", "x1", "x2", lsb).extr("w3", "w1", "w2", lsb % 32);
        p.lsl("x4", "x1", "x5").lsr("x6", "x1", "x5").asr("w7", "w1", "w5").ror("x8", "x1", "x5");
      }, { 1: a, 2: b, 5: sh });
      expect(cpu.getX(0)).toBe(ux(((a << 64n) | b) >> BigInt(lsb), 64));
      expect(cpu.getX(3)).toBe(ux(((ux(a, 32) << 32n) | ux(b, 32)) >> BigInt(lsb % 32), 32));
      expect(cpu.getX(4)).toBe(shiftRef(a, "lsl", Number(sh & 63n), 64));
      expect(cpu.getX(6)).toBe(shiftRef(a, "lsr", Number(sh & 63n), 64));
      expect(cpu.getX(7)).toBe(shiftRef(a, "asr", Number(sh & 31n), 32));
      expect(cpu.getX(8)).toBe(shiftRef(a, "ror", Number(sh & 63n), 64));
    }
  });
});

describe("multiply, divide, bit operations", () => {
  const runner = new Runner();
  const rng = new Rng(0x77n);
  it("against a reference", () => {
    for (let i = 0; i < 300; i++) {
      const a = rng.edgy64();
      const b = rng.edgy64();
      const c = rng.edgy64();
      const cpu = runner.run((p) => {
        p.mul("x0", "x1", "x2").madd("x3", "x1", "x2", "x10").msub("w4", "w1", "w2", "w10");
        p.umulh("x5", "x1", "x2").smulh("x6", "x1", "x2").smull("x7", "w1", "w2").umaddl("x8", "w1", "w2", "x10");
        p.udiv("x9", "x1", "x2").sdiv("x11", "x1", "x2").udiv("w12", "w1", "w2").sdiv("w13", "w1", "w2");
        p.smsubl("x14", "w1", "w2", "x10").umull("x15", "w1", "w2");
      }, { 1: a, 2: b, 10: c });
      const what = `a=${a.toString(16)} b=${b.toString(16)}`;
      expect(cpu.getX(0), what).toBe(u64(a * b));
      expect(cpu.getX(3), what).toBe(u64(c + a * b));
      expect(cpu.getX(4), what).toBe(ux(c - a * b, 32));
      expect(cpu.getX(5), what).toBe((a * b) >> 64n);
      expect(cpu.getX(6), what).toBe(u64((sx(a, 64) * sx(b, 64)) >> 64n));
      expect(cpu.getX(7), what).toBe(u64(sx(a, 32) * sx(b, 32)));
      expect(cpu.getX(8), what).toBe(u64(c + ux(a, 32) * ux(b, 32)));
      expect(cpu.getX(9), what).toBe(b === 0n ? 0n : a / b);
      const sa = sx(a, 64);
      const sb = sx(b, 64);
      expect(cpu.getX(11), what).toBe(sb === 0n ? 0n : u64(sa / sb));
      expect(cpu.getX(12), what).toBe(ux(b, 32) === 0n ? 0n : ux(a, 32) / ux(b, 32));
      const s32a = sx(a, 32);
      const s32b = sx(b, 32);
      expect(cpu.getX(13), what).toBe(s32b === 0n ? 0n : ux(s32a / s32b, 32));
      expect(cpu.getX(14), what).toBe(u64(c - sx(a, 32) * sx(b, 32)));
      expect(cpu.getX(15), what).toBe(ux(a, 32) * ux(b, 32));
    }
  });

  it("clz, cls, rbit, rev", () => {
    const clz = (v: bigint, w: number) => { let n = 0; for (let i = w - 1; i >= 0 && !((v >> BigInt(i)) & 1n); i--) n++; return BigInt(n); };
    const rbit = (v: bigint, w: number) => { let r = 0n; for (let i = 0; i < w; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(w - 1 - i); return r; };
    const bytes = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(8 * i)) & 0xffn);
    const fromBytes = (b: bigint[]) => b.reduce((acc, x, i) => acc | (x << BigInt(8 * i)), 0n);
    for (let i = 0; i < 100; i++) {
      const a = rng.edgy64();
      const cpu = runner.run((p) => {
        p.clz("x0", "x1").clz("w2", "w1").cls("x3", "x1").cls("w4", "w1").rbit("x5", "x1").rbit("w6", "w1");
        p.rev("x7", "x1").rev("w8", "w1").rev16("x9", "x1").rev32("x10", "x1").rev16("w11", "w1");
      }, { 1: a });
      const a32 = ux(a, 32);
      expect(cpu.getX(0)).toBe(clz(a, 64));
      expect(cpu.getX(2)).toBe(clz(a32, 32));
      expect(cpu.getX(3)).toBe(clz(u64(a ^ u64(sx(a, 64) >> 1n)) & mask(63), 63));
      expect(cpu.getX(4)).toBe(clz((a32 ^ ux(sx(a32, 32) >> 1n, 32)) & mask(31), 31));
      expect(cpu.getX(5)).toBe(rbit(a, 64));
      expect(cpu.getX(6)).toBe(rbit(a32, 32));
      expect(cpu.getX(7)).toBe(fromBytes(bytes(a, 8).reverse()));
      expect(cpu.getX(8)).toBe(fromBytes(bytes(a32, 4).reverse()));
      const b = bytes(a, 8);
      expect(cpu.getX(9)).toBe(fromBytes([b[1]!, b[0]!, b[3]!, b[2]!, b[5]!, b[4]!, b[7]!, b[6]!]));
      expect(cpu.getX(10)).toBe(fromBytes([b[3]!, b[2]!, b[1]!, b[0]!, b[7]!, b[6]!, b[5]!, b[4]!]));
      expect(cpu.getX(11)).toBe(fromBytes([b[1]!, b[0]!, b[3]!, b[2]!]));
    }
  });
});

describe("conditional select and compare", () => {
  const runner = new Runner();
  const conds: Cond[] = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"];
  const holds = (c: Cond, nzcv: number) => {
    const [n, z, cf, v] = [(nzcv >> 3) & 1, (nzcv >> 2) & 1, (nzcv >> 1) & 1, nzcv & 1];
    const t: Record<string, boolean> = {
      eq: z === 1, ne: z === 0, hs: cf === 1, lo: cf === 0, mi: n === 1, pl: n === 0, vs: v === 1, vc: v === 0,
      hi: cf === 1 && z === 0, ls: !(cf === 1 && z === 0), ge: n === v, lt: n !== v, gt: z === 0 && n === v, le: !(z === 0 && n === v), al: true,
    };
    return t[c]!;
  };
  it("every condition against every NZCV", () => {
    for (let nzcv = 0; nzcv < 16; nzcv++) {
      for (const c of conds) {
        const cpu = runner.run((p) => {
          p.li("x9", nzcv << 28).msr("nzcv", "x9");
          p.csel("x0", "x1", "x2", c).csinc("x3", "x1", "x2", c).csinv("x4", "x1", "x2", c).csneg("x5", "x1", "x2", c).cset("w6", c === "al" ? "eq" : c);
        }, { 1: 10, 2: 20 });
        const h = holds(c, nzcv);
        const what = `${c} nzcv=${nzcv}`;
        expect(cpu.getX(0), what).toBe(h ? 10n : 20n);
        expect(cpu.getX(3), what).toBe(h ? 10n : 21n);
        expect(cpu.getX(4), what).toBe(h ? 10n : u64(~20n));
        expect(cpu.getX(5), what).toBe(h ? 10n : u64(-20n));
        expect(cpu.getX(6), what).toBe(holds(c === "al" ? "eq" : c, nzcv) ? 1n : 0n);
      }
    }
  });
  it("ccmp/ccmn", () => {
    const cpu = runner.run((p) => {
      p.cmp("x1", 5).ccmp("x2", 7, 0b0100, "eq").cset("x10", "eq"); // x1 == 5 and x2 == 7
      p.cmp("x1", 6).ccmp("x2", 7, 0b0010, "eq").mrs("x11", "nzcv"); // not taken: nzcv = 0010
      p.cmp("x1", 5).ccmn("x3", 1, 0, "eq").cset("x12", "eq"); // x3 == -1
      p.cmp("x1", 5).ccmp("x2", "x1", 0, "ne").mrs("x13", "nzcv"); // not taken
    }, { 1: 5, 2: 7, 3: -1 });
    expect(cpu.getX(10)).toBe(1n);
    expect(cpu.getX(11)).toBe(0x2000_0000n);
    expect(cpu.getX(12)).toBe(1n);
    expect(cpu.getX(13)).toBe(0n);
  });
});
