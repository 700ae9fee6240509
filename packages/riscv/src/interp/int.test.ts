import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { Runner, Rng, s64, sext32, u64 } from "./test-util.js";

const M64 = (1n << 64n) - 1n;
const r = new Runner();
const rng = new Rng(12345n);

type Ref = (a: bigint, b: bigint) => bigint;

const divS = (a: bigint, b: bigint, bits: number, rem: boolean): bigint => {
  const sa = BigInt.asIntN(bits, a);
  const sb = BigInt.asIntN(bits, b);
  if (sb === 0n) return rem ? sa : -1n;
  if (sb === -1n && sa === -(1n << BigInt(bits - 1))) return rem ? 0n : sa;
  return rem ? sa % sb : sa / sb;
};
const divU = (a: bigint, b: bigint, bits: number, rem: boolean): bigint => {
  const ua = BigInt.asUintN(bits, a);
  const ub = BigInt.asUintN(bits, b);
  if (ub === 0n) return rem ? ua : (1n << BigInt(bits)) - 1n;
  return rem ? ua % ub : ua / ub;
};

const rOps: [string, (rd: number, rs1: number, rs2: number) => number, Ref][] = [
  ["add", A.add, (a, b) => u64(a + b)],
  ["sub", A.sub, (a, b) => u64(a - b)],
  ["sll", A.sll, (a, b) => u64(a << (b & 63n))],
  ["slt", A.slt, (a, b) => (s64(a) < s64(b) ? 1n : 0n)],
  ["sltu", A.sltu, (a, b) => (a < b ? 1n : 0n)],
  ["xor", A.xor, (a, b) => a ^ b],
  ["srl", A.srl, (a, b) => a >> (b & 63n)],
  ["sra", A.sra, (a, b) => u64(s64(a) >> (b & 63n))],
  ["or", A.or, (a, b) => a | b],
  ["and", A.and, (a, b) => a & b],
  ["addw", A.addw, (a, b) => sext32(a + b)],
  ["subw", A.subw, (a, b) => sext32(a - b)],
  ["sllw", A.sllw, (a, b) => sext32(a << (b & 31n))],
  ["srlw", A.srlw, (a, b) => sext32((a & 0xffffffffn) >> (b & 31n))],
  ["sraw", A.sraw, (a, b) => sext32(u64(BigInt.asIntN(32, a) >> (b & 31n)))],
  ["mul", A.mul, (a, b) => u64(a * b)],
  ["mulh", A.mulh, (a, b) => u64((s64(a) * s64(b)) >> 64n)],
  ["mulhsu", A.mulhsu, (a, b) => u64((s64(a) * b) >> 64n)],
  ["mulhu", A.mulhu, (a, b) => u64((a * b) >> 64n)],
  ["div", A.div, (a, b) => u64(divS(a, b, 64, false))],
  ["divu", A.divu, (a, b) => u64(divU(a, b, 64, false))],
  ["rem", A.rem, (a, b) => u64(divS(a, b, 64, true))],
  ["remu", A.remu, (a, b) => u64(divU(a, b, 64, true))],
  ["mulw", A.mulw, (a, b) => sext32(a * b)],
  ["divw", A.divw, (a, b) => sext32(divS(a, b, 32, false))],
  ["divuw", A.divuw, (a, b) => sext32(divU(a, b, 32, false))],
  ["remw", A.remw, (a, b) => sext32(divS(a, b, 32, true))],
  ["remuw", A.remuw, (a, b) => sext32(divU(a, b, 32, true))],
];

describe("RV64IM register-register ops against a BigInt model", () => {
  for (const [name, enc, ref] of rOps) {
    it(name, () => {
      for (let i = 0; i < 300; i++) {
        const a = rng.edgy64();
        const b = rng.edgy64();
        const h = r.run([enc(3, 1, 2), enc(4, 1, 1), enc(0, 1, 2)], { 1: a, 2: b });
        expect({ a, b, v: h.getX(3) }).toEqual({ a, b, v: ref(a, b) });
        expect(h.getX(4)).toBe(ref(a, a));
        expect(h.getX(0)).toBe(0n);
      }
    });
  }
});

describe("M edge cases (known answers)", () => {
  const cases: [string, (rd: number, rs1: number, rs2: number) => number, bigint, bigint, bigint][] = [
    ["div by zero", A.div, 42n, 0n, M64],
    ["divu by zero", A.divu, 42n, 0n, M64],
    ["rem by zero", A.rem, u64(-42n), 0n, u64(-42n)],
    ["remu by zero", A.remu, 42n, 0n, 42n],
    ["div overflow", A.div, 1n << 63n, M64, 1n << 63n],
    ["rem overflow", A.rem, 1n << 63n, M64, 0n],
    ["divw by zero", A.divw, 42n, 0n, M64],
    ["divuw by zero", A.divuw, 42n, 0n, M64],
    ["remw by zero", A.remw, 0x80000001n, 0n, sext32(0x80000001n)],
    ["remuw by zero", A.remuw, 0x123456789n, 0n, 0x23456789n],
    ["divw overflow", A.divw, 0x80000000n, M64, sext32(0x80000000n)],
    ["remw overflow", A.remw, 0x80000000n, M64, 0n],
    ["div -7/2", A.div, u64(-7n), 2n, u64(-3n)],
    ["rem -7%2", A.rem, u64(-7n), 2n, u64(-1n)],
    ["mulh -1*-1", A.mulh, M64, M64, 0n],
    ["mulhu max*max", A.mulhu, M64, M64, M64 - 1n],
    ["mulhsu -1*max", A.mulhsu, M64, M64, M64],
    ["mulw overflow", A.mulw, 0x10000n, 0x10000n, 0n],
    ["divuw uses low words", A.divuw, 0xffffffff_00000010n, 0x2n, 8n],
  ];
  for (const [name, enc, a, b, want] of cases) {
    it(name, () => expect(r.run([enc(3, 1, 2)], { 1: a, 2: b }).getX(3)).toBe(want));
  }
});

describe("immediate ops against a BigInt model", () => {
  const immOps: [string, (rd: number, rs1: number, imm: number) => number, (a: bigint, i: bigint) => bigint, number][] = [
    ["addi", A.addi, (a, i) => u64(a + i), 12],
    ["slti", A.slti, (a, i) => (s64(a) < i ? 1n : 0n), 12],
    ["sltiu", A.sltiu, (a, i) => (a < u64(i) ? 1n : 0n), 12],
    ["xori", A.xori, (a, i) => a ^ u64(i), 12],
    ["ori", A.ori, (a, i) => a | u64(i), 12],
    ["andi", A.andi, (a, i) => a & u64(i), 12],
    ["addiw", A.addiw, (a, i) => sext32(a + i), 12],
  ];
  for (const [name, enc, ref] of immOps) {
    it(name, () => {
      for (let k = 0; k < 300; k++) {
        const a = rng.edgy64();
        const imm = Number(BigInt.asIntN(12, rng.next64()));
        expect(r.run([enc(3, 1, imm)], { 1: a }).getX(3)).toBe(ref(a, BigInt(imm)));
      }
    });
  }
  const shifts: [string, (rd: number, rs1: number, s: number) => number, (a: bigint, s: bigint) => bigint, number][] = [
    ["slli", A.slli, (a, s) => u64(a << s), 64],
    ["srli", A.srli, (a, s) => a >> s, 64],
    ["srai", A.srai, (a, s) => u64(s64(a) >> s), 64],
    ["slliw", A.slliw, (a, s) => sext32(a << s), 32],
    ["srliw", A.srliw, (a, s) => sext32((a & 0xffffffffn) >> s), 32],
    ["sraiw", A.sraiw, (a, s) => sext32(u64(BigInt.asIntN(32, a) >> s)), 32],
  ];
  for (const [name, enc, ref, max] of shifts) {
    it(name, () => {
      for (let s = 0; s < max; s++) {
        const a = rng.edgy64();
        expect(r.run([enc(3, 1, s)], { 1: a }).getX(3)).toBe(ref(a, BigInt(s)));
      }
    });
  }
  it("lui and auipc sign-extend", () => {
    const h = r.run([A.lui(1, 0x80000), A.lui(2, 0x7ffff), A.auipc(3, 0xfffff), A.auipc(4, 1)]);
    expect(h.getX(1)).toBe(0xffffffff80000000n);
    expect(h.getX(2)).toBe(0x7ffff000n);
    expect(h.getX(3)).toBe(0x80000008n - 0x1000n);
    expect(h.getX(4)).toBe(0x8000000cn + 0x1000n);
  });
  it("Asm.li materialises arbitrary constants", () => {
    for (let k = 0; k < 200; k++) {
      const v = rng.edgy64();
      const a = new A.Asm();
      a.li(5, v);
      const words: number[] = [];
      const bytes = a.bytes();
      for (let i = 0; i < bytes.length; i += 4) words.push(new DataView(bytes.buffer).getUint32(i, true));
      expect(r.run(words).getX(5)).toBe(v);
    }
  });
});

describe("branches and jumps", () => {
  const br: [string, (a: number, b: number, o: number) => number, (a: bigint, b: bigint) => boolean][] = [
    ["beq", A.beq, (a, b) => a === b],
    ["bne", A.bne, (a, b) => a !== b],
    ["blt", A.blt, (a, b) => s64(a) < s64(b)],
    ["bge", A.bge, (a, b) => s64(a) >= s64(b)],
    ["bltu", A.bltu, (a, b) => a < b],
    ["bgeu", A.bgeu, (a, b) => a >= b],
  ];
  for (const [name, enc, ref] of br) {
    it(name, () => {
      for (let k = 0; k < 100; k++) {
        const a = rng.edgy64();
        const b = k % 5 === 0 ? a : rng.edgy64();
        // taken: skip the "addi x3, x0, 1"
        const h = r.run([enc(1, 2, 8), A.addi(3, 0, 1)], { 1: a, 2: b });
        expect(h.getX(3)).toBe(ref(a, b) ? 0n : 1n);
      }
    });
  }
  it("backward branch and jal/jalr links", () => {
    const h = r.run([
      A.jal(1, 12), // 0: -> 12
      A.addi(5, 0, 1), // 4 (skipped)
      A.jal(0, 16), // 8: -> 24
      A.auipc(6, 0), // 12
      A.jalr(7, 6, -4), // 16: -> 8, x7 = 20
      A.addi(5, 0, 2), // 20 (skipped)
    ]);
    expect(h.getX(1)).toBe(0x80000004n);
    expect(h.getX(7)).toBe(0x80000014n);
    expect(h.getX(5)).toBe(0n);
    expect(h.getPc()).toBe(0x80000018n);
  });
  it("jalr clears bit 0 and reads rs1 before writing rd", () => {
    const h = r.run([A.auipc(1, 0), A.addi(1, 1, 13), A.jalr(1, 1, 0), A.addi(5, 0, 1)]);
    // target = base + 13 with bit 0 cleared = base + 12, the "addi x5"
    expect(h.getX(5)).toBe(1n);
    expect(h.getX(1)).toBe(0x8000000cn);
  });
});
