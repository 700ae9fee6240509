import { describe, expect, it } from "vitest";
import { DATA, RAM_BASE, RecordingDevice, runProgram, Runner } from "./test-util.js";

const D = BigInt(DATA);
const view = (r: { ram: { data: Uint8Array } }) => new DataView(r.ram.data.buffer);
const off = (a: number) => a - RAM_BASE;

describe("loads and stores", () => {
  it("every size, sign extension, and the addressing modes", () => {
    const r = runProgram((p) => {
      p.li("x1", D).li("x2", 0x8899_aabb_ccdd_eeffn);
      p.str("x2", ["x1"]).str("w2", ["x1", 8]).strh("w2", ["x1", 12]).strb("w2", ["x1", 14]);
      p.ldr("x3", ["x1"]).ldr("w4", ["x1"]).ldrh("w5", ["x1", 2]).ldrb("w6", ["x1", 7]);
      p.ldrsb("x7", ["x1", 7]).ldrsh("w8", ["x1", 6]).ldrsw("x9", ["x1", 4]).ldrsb("w10", ["x1"]);
      p.ldur("x11", ["x1", 3]).ldr("x12", ["x1", 16], "!").ldr("x13", ["x1"], -16); // x1 += 16 then back
      p.mov("x14", 1).ldr("x15", ["x1", "x14", "lsl #3"]).mov("w16", -1).ldrb("w17", ["x1", "w16", "sxtw"]);
    });
    const c = r.cpu;
    expect(c.getX(3)).toBe(0x8899_aabb_ccdd_eeffn);
    expect(c.getX(4)).toBe(0xccdd_eeffn);
    expect(c.getX(5)).toBe(0xccddn);
    expect(c.getX(6)).toBe(0x88n);
    expect(c.getX(7)).toBe(0xffff_ffff_ffff_ff88n);
    expect(c.getX(8)).toBe(0xffff_8899n);
    expect(c.getX(9)).toBe(0xffff_ffff_8899_aabbn);
    expect(c.getX(10)).toBe(0xffff_ffffn); // ldrsb w: sign-extended to 32 bits only
    expect(c.getX(11)).toBe(0xddee_ff88_99aa_bbccn); // bytes 3..10
    expect(c.getX(1)).toBe(D);
    expect(c.getX(12)).toBe(0n); // D + 16 was never written
    expect(c.getX(13)).toBe(0n);
    expect(c.getX(15)).toBe(0xccdd_eeffn | (0xeeffn << 32n) | (0xffn << 48n)); // the word, halfword and byte at D+8..14
    expect(c.getX(17)).toBe(0n); // D - 1
    const dv = view(r);
    expect(dv.getBigUint64(off(DATA), true)).toBe(0x8899_aabb_ccdd_eeffn);
    expect(dv.getUint32(off(DATA) + 8, true)).toBe(0xccdd_eeff);
    expect(dv.getUint16(off(DATA) + 12, true)).toBe(0xeeff);
    expect(dv.getUint8(off(DATA) + 14)).toBe(0xff);
  });

  it("unaligned loads and stores work (SCTLR_EL1.A clear), and fault with SCTLR_EL1.A set", () => {
    const r = runProgram((p) => p.li("x1", D + 1n).li("x2", 0x0102_0304_0506_0708n).str("x2", ["x1"]).ldr("x3", ["x1"]).ldur("w4", ["x1", 2]));
    expect(r.cpu.getX(3)).toBe(0x0102_0304_0506_0708n);
    expect(r.cpu.getX(4)).toBe(0x0304_0506n);
    const f = runProgram((p) => {
      p.adr("x9", "vec").msr("vbar_el1", "x9").mov("x9", 2).msr("sctlr_el1", "x9").li("x1", D + 4n).ldr("x3", ["x1"]).brk(1);
      p.align(2048, "nop").label("vec").zero(0x200).mrs("x20", "esr_el1").mrs("x21", "far_el1").brk(0);
    });
    expect(f.cpu.getX(20)).toBe(0x9600_0021n); // data abort, same EL, alignment fault
    expect(f.cpu.getX(21)).toBe(D + 4n);
  });

  it("pairs: offsets, pre/post-index, ldpsw, FP pairs", () => {
    const r = runProgram((p) => {
      p.li("x0", D).li("x1", 0x1111n).li("x2", -2n);
      p.stp("x1", "x2", ["x0", 16], "!").stp("w1", "w2", ["x0"], 16).ldp("x3", "x4", ["x0", -16]).ldpsw("x5", "x6", ["x0", -16]);
      p.fmov("d1", "x1").fmov("d2", "x2").stp("d1", "d2", ["x0"]).ldp("x7", "x8", ["x0"]).stp("q1", "q2", ["x0", 32]).ldp("q3", "q4", ["x0", 32]);
      p.fmov("x9", "d4");
    });
    const c = r.cpu;
    expect(c.getX(0)).toBe(D + 32n);
    expect(c.getX(3)).toBe(0xffff_fffe_0000_1111n);
    expect(c.getX(4)).toBe(0xffff_ffff_ffff_fffen); // the second dword of the first stp
    expect(c.getX(5)).toBe(0x1111n);
    expect(c.getX(6)).toBe(0xffff_ffff_ffff_fffen);
    expect(c.getX(7)).toBe(0x1111n);
    expect(c.getX(8)).toBe(0xffff_ffff_ffff_fffen);
    expect(c.getX(9)).toBe(0xffff_ffff_ffff_fffen);
    expect(c.getV(3)).toEqual([0x1111n, 0n]);
  });

  it("literal loads", () => {
    const r = runProgram((p) => {
      p.ldr("x1", "lit").ldr("w2", "lit").ldrsw("x3", "lit4").ldr("d4", "lit").ldr("q5", "lit").b("over");
      p.align(16).label("lit").quad(0x1234_5678_9abc_def0n).quad(7n).label("lit4").word(0x8000_0000).label("over");
    });
    expect(r.cpu.getX(1)).toBe(0x1234_5678_9abc_def0n);
    expect(r.cpu.getX(2)).toBe(0x9abc_def0n);
    expect(r.cpu.getX(3)).toBe(0xffff_ffff_8000_0000n);
    expect(r.cpu.getV(4)).toEqual([0x1234_5678_9abc_def0n, 0n]);
    expect(r.cpu.getV(5)).toEqual([0x1234_5678_9abc_def0n, 7n]);
  });

  it("marks every page a store touches, and only those", () => {
    const r = runProgram((p) => p.li("x1", D + 4092n).mov("x2", -1).str("x2", ["x1"]).li("x3", D + 0x3000n).strb("w2", ["x3"]));
    const page = off(DATA) >> 12;
    const w = (pg: number) => (r.ram.written[pg >> 3]! >> (pg & 7)) & 1;
    expect([w(page), w(page + 1), w(page + 2), w(page + 3)]).toEqual([1, 1, 0, 1]);
  });

  it("MMIO: sizes and values go to the device; an unmapped address is a data abort with FAR", () => {
    const dev = new RecordingDevice();
    dev.regs.set(8, 0x1234_5678_9abc_def0n);
    const r = runProgram(
      (p) => {
        p.li("x1", 0x0900_0000).mov("w2", 0x41).strb("w2", ["x1"]).ldr("x3", ["x1", 8]).ldrsh("x4", ["x1", 8]).str("x3", ["x1", 16]);
        p.adr("x9", "vec").msr("vbar_el1", "x9").li("x5", 0x0a00_0000).str("x2", ["x5", 8]).brk(1);
        p.align(2048, "nop").label("vec").zero(0x200).mrs("x20", "esr_el1").mrs("x21", "far_el1").mrs("x22", "elr_el1").brk(0);
      },
      (rig) => rig.bus.mapMmio("dev", 0x0900_0000, 0x1000, dev),
    );
    expect(dev.log).toEqual(["w1@0=41", "r8@8", "r2@8", "w8@16=123456789abcdef0"]);
    expect(r.cpu.getX(3)).toBe(0x1234_5678_9abc_def0n);
    expect(r.cpu.getX(4)).toBe(0xffff_ffff_ffff_def0n);
    expect(r.cpu.getX(20)).toBe(0x9600_0050n); // data abort, same EL, WnR, synchronous external abort (QEMU: unassigned)
    expect(r.cpu.getX(21)).toBe(0x0a00_0008n);
    expect(r.cpu.getX(22) % 4n).toBe(0n);
  });
});

describe("exclusives, acquire/release, atomics", () => {
  const runner = new Runner();
  it("ldxr/stxr succeed on an unchanged location and fail after clrex or on another address", () => {
    const c = runner.run((p) => {
      p.li("x1", D).mov("x2", 5).str("x2", ["x1"]);
      p.ldxr("x3", ["x1"]).add("x3", "x3", 1).stxr("w4", "x3", ["x1"]); // ok
      p.ldxr("x5", ["x1"]).clrex().stxr("w6", "x5", ["x1"]); // fails: monitor cleared
      p.ldxr("x7", ["x1"]).stxr("w8", "x7", ["x1", 0]).stxr("w9", "x7", ["x1"]); // second fails: monitor used up
      p.ldaxr("w10", ["x1"]).add("x11", "x1", 8).stlxr("w12", "w10", ["x11"]); // other address
      p.ldxp("x13", "x14", ["x1"]).stxp("w15", "x14", "x13", ["x1"]).ldr("x16", ["x1", 8]);
      p.ldr("x17", ["x1"]);
    });
    expect([c.getX(4), c.getX(6), c.getX(8), c.getX(9), c.getX(12), c.getX(15)]).toEqual([0n, 1n, 0n, 1n, 1n, 0n]);
    expect(c.getX(3)).toBe(6n);
    expect(c.getX(16)).toBe(6n); // the pair swapped
    expect(c.getX(17)).toBe(0n);
  });

  it("a store by another agent between ldxr and stxr makes it fail (the value changed)", () => {
    const c = runner.rig.cpu;
    const ram = runner.rig.ram;
    const rig = runner;
    rig.run((p) => p.li("x1", D).str("xzr", ["x1"]).ldxr("x2", ["x1"]).brk(5).stxr("w3", "x2", ["x1"]));
    // stopped at the first brk: change memory behind the monitor, then resume
    new DataView(ram.data.buffer).setBigUint64(off(DATA), 99n, true);
    c.setPc(c.getPc() + 4n);
    c.run(100);
    expect(c.getX(3)).toBe(1n);
  });

  it("exclusives need alignment", () => {
    const r = runProgram((p) => {
      p.adr("x9", "vec").msr("vbar_el1", "x9").li("x1", D + 4n).ldxr("x2", ["x1"]).brk(1);
      p.align(2048, "nop").label("vec").zero(0x200).mrs("x20", "esr_el1").brk(0);
    });
    expect(r.cpu.getX(20)).toBe(0x9600_0021n);
  });

  it("ldar/stlr and the LSE atomics (Armv8.1, beyond Cortex-A57)", () => {
    const c = runner.run((p) => {
      p.li("x1", D).mov("x2", 10).stlr("x2", ["x1"]).ldar("x3", ["x1"]);
      p.mov("x4", 5).ldadd("x4", "x5", ["x1"]).ldr("x6", ["x1"]); // 10 -> 15
      p.mov("x7", 1).swp("x7", "x8", ["x1"], "al"); // 15 -> 1
      p.mov("x9", 1).mov("x10", 42).cas("x9", "x10", ["x1"]); // 1 == 1: store 42
      p.mov("x11", 7).cas("x11", "x10", ["x1"], "al"); // 42 != 7: x11 = 42
      p.mov("w12", 0xff).atomic("ldset", "", "w12", "w13", ["x1"]).ldr("x14", ["x1"]);
      p.mov("x15", -1).atomic("ldsmax", "", "x15", "x16", ["x1"]).atomic("ldumax", "", "x15", "x17", ["x1"]).ldr("x18", ["x1"]);
    });
    expect(c.getX(3)).toBe(10n);
    expect(c.getX(5)).toBe(10n);
    expect(c.getX(6)).toBe(15n);
    expect(c.getX(8)).toBe(15n);
    expect(c.getX(9)).toBe(1n);
    expect(c.getX(11)).toBe(42n);
    expect(c.getX(13)).toBe(42n);
    expect(c.getX(14)).toBe(0xffn);
    expect(c.getX(16)).toBe(0xffn); // ldsmax: 0xff > -1, memory keeps 0xff
    expect(c.getX(17)).toBe(0xffn);
    expect(c.getX(18)).toBe(0xffff_ffff_ffff_ffffn); // ldumax: all ones wins
  });
});
