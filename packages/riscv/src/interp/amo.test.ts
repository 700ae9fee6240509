import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { CSR, EXC } from "./csr-defs.js";
import { RAM_BASE, Runner, runProgram, sext32, u64 } from "./test-util.js";

const r = new Runner();
const DATA = RAM_BASE + 0x9000;
const mem64 = (off: number) => new DataView(r.rig.ram.data.buffer).getBigUint64(off - RAM_BASE, true);

describe("LR/SC", () => {
  it("lr.d/sc.d succeed with a reservation, and sc fails without one", () => {
    const h = r.run([A.sd(2, 1, 0), A.lr_d(3, 1), A.addi(3, 3, 1), A.sc_d(4, 1, 3), A.sc_d(5, 1, 3), A.ld(6, 1, 0)], { 1: DATA, 2: 41n });
    expect([h.getX(3), h.getX(4), h.getX(5), h.getX(6)]).toEqual([42n, 0n, 1n, 42n]);
    expect(h.loadRes).toBe(u64(-1n));
  });
  it("lr.w sign-extends; sc.w stores 32 bits; reservation is per address", () => {
    const h = r.run([A.sw(2, 1, 0), A.lr_w(3, 1), A.addi(7, 1, 8), A.sc_w(4, 7, 2), A.lr_w(3, 1), A.sc_w(5, 1, 0), A.ld(6, 1, 0)], { 1: DATA, 2: 0x80000001n });
    expect(h.getX(3)).toBe(sext32(0x80000001n));
    expect(h.getX(4)).toBe(1n); // other address
    expect(h.getX(5)).toBe(0n);
    expect(h.getX(6) & 0xffffffffn).toBe(0n);
  });
  it("sc fails if memory changed since the lr (QEMU cmpxchg semantics)", () => {
    const h = r.run([A.sd(0, 1, 0), A.lr_d(3, 1), A.sd(2, 1, 0), A.sc_d(4, 1, 2)], { 1: DATA, 2: 5n });
    expect(h.getX(4)).toBe(1n);
  });
  it("a trap clears the reservation", () => {
    const t = runProgram((a) => {
      a.emit(A.auipc(5, 0)).ref("h", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
      a.li(1, DATA).emit(A.lr_d(3, 1)).emit(A.ecall());
      a.emit(A.ebreak());
      a.label("h").emit(A.csrr(6, CSR.mepc)).emit(A.addi(6, 6, 4)).emit(A.csrw(CSR.mepc, 6)).emit(A.mret());
    });
    expect(t.hart.loadRes).toBe(u64(-1n));
  });
  it("misaligned lr raises a load misaligned exception, sc/amo a store/AMO misaligned exception", () => {
    for (const [inst, cause] of [
      [A.lr_w(3, 1), EXC.LOAD_MISALIGNED],
      [A.sc_d(3, 1, 2), EXC.STORE_MISALIGNED],
      [A.amo("add", "w", 3, 1, 2), EXC.STORE_MISALIGNED],
    ] as const) {
      const t = runProgram((a) => {
        a.emit(A.auipc(5, 0)).ref("h", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
        a.li(1, DATA + 2).emit(inst);
        a.label("h").emit(A.ebreak());
      });
      expect(t.hart.mcause).toBe(BigInt(cause));
      expect(t.hart.mtval).toBe(BigInt(DATA + 2));
    }
  });
  it("amo on unmapped memory is a store/AMO access fault", () => {
    const t = runProgram((a) => {
      a.emit(A.auipc(5, 0)).ref("h", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
      a.li(1, 0x100).emit(A.amo("or", "d", 3, 1, 2));
      a.label("h").emit(A.ebreak());
    });
    expect(t.hart.mcause).toBe(BigInt(EXC.STORE_ACCESS));
  });
});

describe("AMOs", () => {
  const mem0 = 0x8000_0000_0000_0005n;
  const src = 0xffff_ffff_ffff_fff0n; // -16
  const cases: [keyof typeof A.AMO, bigint][] = [
    ["swap", src],
    ["add", u64(mem0 + src)],
    ["xor", mem0 ^ src],
    ["and", mem0 & src],
    ["or", mem0 | src],
    ["min", mem0], // most negative
    ["max", src],
    ["minu", mem0],
    ["maxu", src],
  ];
  for (const [op, want] of cases) {
    it(`amo${op}.d`, () => {
      const h = r.run([A.sd(2, 1, 0), A.amo(op, "d", 4, 1, 3, true, true)], { 1: DATA, 2: mem0, 3: src });
      expect(h.getX(4)).toBe(mem0);
      expect(mem64(DATA)).toBe(want);
    });
  }
  const m32 = 0x8000_0005n; // negative as i32
  const s32 = 0x7fff_fff0n;
  const cases32: [keyof typeof A.AMO, bigint][] = [
    ["swap", s32],
    ["add", (m32 + s32) & 0xffffffffn],
    ["min", m32],
    ["max", s32],
    ["minu", s32],
    ["maxu", m32],
  ];
  for (const [op, want] of cases32) {
    it(`amo${op}.w (32-bit, sign-extended result, upper word untouched)`, () => {
      const h = r.run([A.sd(2, 1, 0), A.amo(op, "w", 4, 1, 3)], { 1: DATA, 2: 0xaaaa_aaaa_0000_0000n | m32, 3: 0x1234_5678_0000_0000n | s32 });
      expect(h.getX(4)).toBe(sext32(m32));
      expect(mem64(DATA)).toBe(0xaaaa_aaaa_0000_0000n | want);
    });
  }
});
