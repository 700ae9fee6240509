import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { CSR, EXC, MSTATUS } from "./csr-defs.js";
import { RAM_BASE, makeRig, type TestRig } from "./test-util.js";

// PTE bits
const V = 1, R = 2, W = 4, X = 8, U = 16, AB = 64, D = 128;
const ROOT = 0x1_0000; // page-table pages at RAM offsets 0x10000, 0x11000, 0x12000
const L1 = 0x1_1000;
const L0 = 0x1_2000;

function pte(pa: number, flags: number): bigint {
  return (BigInt(pa) >> 12n << 10n) | BigInt(flags);
}
function setPte(rig: TestRig, tableOff: number, index: number, value: bigint): void {
  new DataView(rig.ram.data.buffer).setBigUint64(tableOff + index * 8, value, true);
}
function getPte(rig: TestRig, tableOff: number, index: number): bigint {
  return new DataView(rig.ram.data.buffer).getBigUint64(tableOff + index * 8, true);
}

/**
 * Maps: identity gigapage for RAM (VA 0x8000_0000, RWX, A|D, not U) at root[2];
 * VA 0x4000_0000.. via L1/L0 4K pages: page 0 -> RAM+0x20000 (flags given), page 1 -> RAM+0x21000 (RW U);
 * the top gigapage (VA 0xffff_ffff_c000_0000) -> RAM (RW, A|D).
 */
function pagedRig(page0Flags: number, sum = false): TestRig {
  const rig = makeRig();
  setPte(rig, ROOT, 2, pte(RAM_BASE, V | R | W | X | AB | D));
  setPte(rig, ROOT, 1, pte(RAM_BASE + L1, V));
  setPte(rig, L1, 0, pte(RAM_BASE + L0, V));
  setPte(rig, L0, 0, pte(RAM_BASE + 0x20000, page0Flags));
  setPte(rig, L0, 1, pte(RAM_BASE + 0x21000, V | R | W | U | AB | D));
  setPte(rig, ROOT, 511, pte(RAM_BASE, V | R | W | AB | D));
  const a = new A.Asm(RAM_BASE);
  a.emit(A.auipc(5, 0)).ref("mtrap", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
  a.li(5, (8n << 60n) | BigInt((RAM_BASE + ROOT) >>> 12)).emit(A.csrw(CSR.satp, 5));
  if (sum) a.li(5, MSTATUS.SUM).emit(A.csrs(CSR.mstatus, 5));
  a.li(5, 1 << 11).emit(A.csrs(CSR.mstatus, 5)); // MPP = S
  a.emit(A.auipc(5, 0)).ref("sup", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mepc, 5)).emit(A.mret());
  a.label("mtrap").emit(A.addi(30, 0, 1)).emit(A.ebreak());
  a.label("sup");
  rig.ram.write(0, a.bytes());
  (rig as TestRig & { code: A.Asm }).code = a;
  return rig;
}
function runS(rig: TestRig, build: (a: A.Asm) => void): void {
  const a = (rig as TestRig & { code: A.Asm }).code;
  build(a);
  a.emit(A.ebreak());
  rig.ram.write(0, a.bytes());
  const r = rig.hart.run(10_000);
  if (r.reason !== "ebreak") throw new Error(JSON.stringify(r));
}

describe("Sv39", () => {
  it("translates loads/stores through 4K pages and gigapages; sets A and D", () => {
    const rig = pagedRig(V | R | W);
    new DataView(rig.ram.data.buffer).setBigUint64(0x20008, 0x1122334455667788n, true);
    runS(rig, (a) => {
      a.li(1, 0x4000_0000).emit(A.ld(2, 1, 8)).emit(A.sd(2, 1, 16));
      a.li(3, 0xffff_ffff_c000_0000n + 0x20008n).emit(A.ld(4, 3, 0)); // via the top gigapage
    });
    expect(rig.hart.priv).toBe(1);
    expect(rig.hart.getX(30)).toBe(0n);
    expect(rig.hart.getX(2)).toBe(0x1122334455667788n);
    expect(rig.hart.getX(4)).toBe(0x1122334455667788n);
    expect(new DataView(rig.ram.data.buffer).getBigUint64(0x20010, true)).toBe(0x1122334455667788n);
    expect(getPte(rig, L0, 0) & BigInt(AB | D)).toBe(BigInt(AB | D));
  });
  it("load of a page with only A set sets only A; the store afterwards sets D", () => {
    const rig = pagedRig(V | R | W);
    runS(rig, (a) => a.li(1, 0x4000_0000).emit(A.ld(2, 1, 0)));
    expect(getPte(rig, L0, 0) & BigInt(AB | D)).toBe(BigInt(AB));
  });
  it("page faults: invalid PTE, write to read-only, non-canonical address, U page from S without SUM", () => {
    const cases: [number, (a: A.Asm) => void, number, bigint][] = [
      [0, (a) => a.li(1, 0x4000_0000).emit(A.ld(2, 1, 0)), EXC.LOAD_PAGE, 0x4000_0000n],
      [V | R, (a) => a.li(1, 0x4000_0000).emit(A.sw(2, 1, 4)), EXC.STORE_PAGE, 0x4000_0004n],
      [V | R, (a) => a.li(1, 0x0000_0040_0000_0000n).emit(A.ld(2, 1, 0)), EXC.LOAD_PAGE, 0x0000_0040_0000_0000n],
      [V | R, (a) => a.li(1, 0x4000_1000).emit(A.ld(2, 1, 0)), EXC.LOAD_PAGE, 0x4000_1000n],
      [V | W, (a) => a.li(1, 0x4000_0000).emit(A.ld(2, 1, 0)), EXC.LOAD_PAGE, 0x4000_0000n], // W without R is reserved
      [V | R, (a) => a.li(1, 0x4000_0000).emit(A.jalr(0, 1, 0)), EXC.INST_PAGE, 0x4000_0000n], // not executable
    ];
    for (const [flags, code, cause, tval] of cases) {
      const rig = pagedRig(flags);
      runS(rig, code);
      expect({ cause: rig.hart.mcause, tval: rig.hart.mtval }).toEqual({ cause: BigInt(cause), tval });
    }
  });
  it("SUM allows S-mode loads from U pages; MXR allows loads from execute-only pages", () => {
    let rig = pagedRig(V | R, true);
    runS(rig, (a) => a.li(1, 0x4000_1000).emit(A.ld(2, 1, 0)));
    expect(rig.hart.getX(30)).toBe(0n);
    rig = pagedRig(V | X);
    runS(rig, (a) => a.li(5, MSTATUS.MXR).emit(A.csrs(CSR.sstatus, 5)).li(1, 0x4000_0000).emit(A.ld(2, 1, 0)));
    expect(rig.hart.getX(30)).toBe(0n);
  });
  it("executes code from a mapped page and page-faults on fetch in unmapped space (tval = pc)", () => {
    const rig = pagedRig(V | R | X | AB);
    const code = new A.Asm(0x4000_0000);
    code.emit(A.addi(7, 0, 42)).emit(A.jalr(0, 1, 0)); // jump back to the return address in x1
    rig.ram.write(0x20000, code.bytes());
    runS(rig, (a) => a.li(1, 0x4000_0000).emit(A.jalr(1, 1, 0)).emit(A.addi(8, 7, 1)));
    expect(rig.hart.getX(8)).toBe(43n);
    const rig2 = pagedRig(V | R | X | AB);
    runS(rig2, (a) => a.li(1, 0x4000_2000).emit(A.jalr(1, 1, 0)));
    expect(rig2.hart.mcause).toBe(BigInt(EXC.INST_PAGE));
    expect(rig2.hart.mtval).toBe(0x4000_2000n);
  });
  it("a misaligned load crossing into an unmapped page faults with that page's address", () => {
    const rig = pagedRig(V | R | W | AB | D);
    setPte(rig, L0, 1, 0n);
    runS(rig, (a) => a.li(1, 0x4000_0ffc).emit(A.ld(2, 1, 0)));
    expect(rig.hart.mcause).toBe(BigInt(EXC.LOAD_PAGE));
    expect(rig.hart.mtval).toBe(0x4000_1000n);
  });
  it("M-mode with MPRV and MPP=S translates loads; misaligned superpages fault", () => {
    const rig = makeRig();
    setPte(rig, ROOT, 2, pte(RAM_BASE, V | R | W | X | AB | D));
    setPte(rig, ROOT, 1, pte(RAM_BASE + 0x40000, V | R | W | AB | D)); // VA 0x4000_0000 gigapage -> RAM+0x40000? must be 1G aligned -> fault
    setPte(rig, ROOT, 0, pte(RAM_BASE, V | R | W | AB | D)); // misaligned superpage too
    const a = new A.Asm(RAM_BASE);
    a.emit(A.auipc(5, 0)).ref("t", (o) => A.addi(5, 5, o + 4)).emit(A.csrw(CSR.mtvec, 5));
    a.li(5, (8n << 60n) | BigInt((RAM_BASE + ROOT) >>> 12)).emit(A.csrw(CSR.satp, 5));
    a.li(5, MSTATUS.MPRV | (1 << 11)).emit(A.csrs(CSR.mstatus, 5));
    a.li(1, RAM_BASE + 0x100).emit(A.ld(2, 1, 0)); // identity gigapage: fine
    a.li(1, 0x4000_0000).emit(A.ld(3, 1, 0)); // misaligned gigapage -> page fault
    a.label("t").emit(A.ebreak());
    rig.ram.write(0, a.bytes());
    rig.hart.run(1000);
    expect(rig.hart.mcause).toBe(BigInt(EXC.LOAD_PAGE));
    expect(rig.hart.mtval).toBe(0x4000_0000n);
  });
  it("the TLB keeps a stale mapping until sfence.vma", () => {
    const rig = pagedRig(V | R | W | AB | D);
    const dv = new DataView(rig.ram.data.buffer);
    dv.setBigUint64(0x20000, 111n, true);
    dv.setBigUint64(0x21000, 222n, true);
    runS(rig, (a) => {
      a.li(1, 0x4000_0000).emit(A.ld(2, 1, 0)); // 111, caches the translation
      a.li(3, RAM_BASE + L0).li(4, pte(RAM_BASE + 0x21000, V | R | W | AB | D)).emit(A.sd(4, 3, 0)); // remap page 0 -> 0x21000
      a.emit(A.ld(5, 1, 0)); // still 111 (stale TLB entry; allowed by the spec)
      a.emit(A.sfence_vma(0, 0)).emit(A.ld(6, 1, 0)); // 222
    });
    expect([rig.hart.getX(2), rig.hart.getX(5), rig.hart.getX(6)]).toEqual([111n, 111n, 222n]);
  });
});
