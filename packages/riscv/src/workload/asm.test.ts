import { describe, expect, it } from "vitest";
import { AsmError, Program } from "./asm.js";
import { corpus } from "./asm-corpus.test-helper.js";
import { emitText, firstDifference, gnuAssemble, gnuEncodings, haveBinutils, splitInstructions } from "./asm.test-helper.js";
import { evalLiSteps, liSteps } from "./li.js";

function encodings(lines: readonly string[], compressed: boolean): string[] {
  return lines.map((line) => {
    const p = new Program({ compressed });
    emitText(p, line);
    return splitInstructions(p.assemble().bytes).join(" ");
  });
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// Encodings recorded from riscv64-linux-gnu-as 2.40 (-march=rv64g, objdump -M no-aliases),
// so these checks run everywhere, binutils or not.
const KNOWN_RV64G: Array<[string, string]> = [
  ["lui a0, 0x12345", "12345537"],
  ["auipc t0, 0xfffff", "fffff297"],
  ["jalr ra, -8(t0)", "ff8280e7"],
  ["addi sp, sp, -2048", "80010113"],
  ["slti a0, a1, -1", "fff5a513"],
  ["sltiu a0, a1, 2047", "7ff5b513"],
  ["xori a0, a1, -1", "fff5c513"],
  ["ori t6, t5, 0x555", "555f6f93"],
  ["andi s11, s10, -256", "f00d7d93"],
  ["slli a0, a1, 63", "03f59513"],
  ["srli a0, a1, 32", "0205d513"],
  ["srai a0, a1, 1", "4015d513"],
  ["add t0, t1, t2", "007302b3"],
  ["sub s2, s3, s4", "41498933"],
  ["sll a0, a1, a2", "00c59533"],
  ["slt a0, a1, a2", "00c5a533"],
  ["sltu a0, a1, a2", "00c5b533"],
  ["xor a0, a1, a2", "00c5c533"],
  ["srl a0, a1, a2", "00c5d533"],
  ["sra a0, a1, a2", "40c5d533"],
  ["or a0, a1, a2", "00c5e533"],
  ["and a0, a1, a2", "00c5f533"],
  ["addiw a0, a1, -5", "ffb5851b"],
  ["slliw a0, a1, 31", "01f5951b"],
  ["srliw a0, a1, 7", "0075d51b"],
  ["sraiw a0, a1, 31", "41f5d51b"],
  ["addw a0, a1, a2", "00c5853b"],
  ["subw a0, a1, a2", "40c5853b"],
  ["sllw a0, a1, a2", "00c5953b"],
  ["srlw a0, a1, a2", "00c5d53b"],
  ["sraw a0, a1, a2", "40c5d53b"],
  ["lb a0, -1(a1)", "fff58503"],
  ["lh a0, 2(a1)", "00259503"],
  ["lw a0, 4(sp)", "00412503"],
  ["ld a0, 2040(a1)", "7f85b503"],
  ["lbu a0, 0(a1)", "0005c503"],
  ["lhu a0, 6(a1)", "0065d503"],
  ["lwu a0, -4(a1)", "ffc5e503"],
  ["sb a0, -1(a1)", "fea58fa3"],
  ["sh a0, 2(a1)", "00a59123"],
  ["sw a0, 4(sp)", "00a12223"],
  ["sd ra, -2048(sp)", "80113023"],
  ["mul a0, a1, a2", "02c58533"],
  ["mulh a0, a1, a2", "02c59533"],
  ["mulhsu a0, a1, a2", "02c5a533"],
  ["mulhu a0, a1, a2", "02c5b533"],
  ["div a0, a1, a2", "02c5c533"],
  ["divu a0, a1, a2", "02c5d533"],
  ["rem a0, a1, a2", "02c5e533"],
  ["remu a0, a1, a2", "02c5f533"],
  ["mulw a0, a1, a2", "02c5853b"],
  ["divw a0, a1, a2", "02c5c53b"],
  ["divuw a0, a1, a2", "02c5d53b"],
  ["remw a0, a1, a2", "02c5e53b"],
  ["remuw a0, a1, a2", "02c5f53b"],
  ["lr.d.aq a0, (a1)", "1405b52f"],
  ["sc.d.rl a2, a0, (a1)", "1aa5b62f"],
  ["amoadd.w.aqrl a0, a1, (a2)", "06b6252f"],
  ["amoswap.d a0, a1, (a2)", "08b6352f"],
  ["amomaxu.d t0, t1, (t2)", "e063b2af"],
  ["csrrw a0, mscratch, a1", "34059573"],
  ["csrrs a0, mhartid, zero", "f1402573"],
  ["csrrc zero, mstatus, t0", "3002b073"],
  ["csrrwi zero, mscratch, 31", "340fd073"],
  ["csrrsi a0, fflags, 1", "0010e573"],
  ["csrrci a0, fcsr, 17", "0038f573"],
  ["fence", "0ff0000f"],
  ["fence rw, w", "0310000f"],
  ["fence.i", "0000100f"],
  ["ecall", "00000073"],
  ["ebreak", "00100073"],
  ["mret", "30200073"],
  ["wfi", "10500073"],
  ["sfence.vma", "12000073"],
  ["flw fa0, 8(a0)", "00852507"],
  ["fld fs0, -8(sp)", "ff813407"],
  ["fsw fa0, 12(a0)", "00a52627"],
  ["fsd fs11, 2040(sp)", "7fb13c27"],
  ["fadd.d fa0, fa1, fa2", "02c5f553"],
  ["fsub.s fa0, fa1, fa2, rtz", "08c59553"],
  ["fmul.d ft0, ft1, ft2, rne", "12208053"],
  ["fdiv.d fa0, fa1, fa2", "1ac5f553"],
  ["fsqrt.d fa0, fa1", "5a05f553"],
  ["fmadd.d fa0, fa1, fa2, fa3", "6ac5f543"],
  ["fnmsub.s ft0, ft1, ft2, ft3, rmm", "1820c04b"],
  ["fsgnjn.d fa0, fa1, fa1", "22b59553"],
  ["fmin.d fa0, fa1, fa2", "2ac58553"],
  ["fmax.s fa0, fa1, fa2", "28c59553"],
  ["fcvt.w.d a0, fa0, rtz", "c2051553"],
  ["fcvt.lu.d a0, fa0", "c2357553"],
  ["fcvt.d.l fa0, a0", "d2257553"],
  ["fcvt.d.w fa0, a0", "d2050553"],
  ["fcvt.s.d fa0, fa1", "4015f553"],
  ["fcvt.d.s fa0, fa1", "42058553"],
  ["fmv.x.d a0, fa0", "e2050553"],
  ["fmv.d.x fa0, a0", "f2050553"],
  ["fmv.x.w a0, fa0", "e0050553"],
  ["fmv.w.x fa0, a0", "f0050553"],
  ["feq.d a0, fa0, fa1", "a2b52553"],
  ["flt.s a0, fa0, fa1", "a0b51553"],
  ["fle.d a0, fa0, fa1", "a2b50553"],
  ["fclass.d a0, fa0", "e2051553"],
];

// Same, with -march=rv64gc: the RVC form GNU as picks.
const KNOWN_RVC: Array<[string, string]> = [
  ["addi a0, a0, 1", "0505"],
  ["addi a0, a0, -32", "1501"],
  ["li a5, 31", "47fd"],
  ["addi s0, sp, 1020", "1fe0"],
  ["addi sp, sp, -512", "7101"],
  ["addi sp, sp, 496", "617d"],
  ["addiw a0, a0, -1", "357d"],
  ["sext.w a0, a0", "2501"],
  ["lui a0, 0xfffff", "757d"],
  ["lui t0, 31", "62fd"],
  ["slli a0, a0, 63", "157e"],
  ["srli s1, s1, 1", "8085"],
  ["srai a5, a5, 32", "9781"],
  ["andi a0, a0, -32", "9901"],
  ["mv a0, a1", "852e"],
  ["add a0, a0, a1", "952e"],
  ["add a0, a1, a0", "952e"],
  ["sub a0, a0, a1", "8d0d"],
  ["xor s0, s0, a5", "8c3d"],
  ["or a5, a5, s0", "8fc1"],
  ["and s1, a0, s1", "8ce9"],
  ["addw a0, a0, a1", "9d2d"],
  ["subw a0, a0, a1", "9d0d"],
  ["lw a0, 124(a1)", "5de8"],
  ["ld s0, 248(a5)", "7fe0"],
  ["sw a0, 4(s1)", "c0c8"],
  ["sd a5, 0(a0)", "e11c"],
  ["fld fa0, 248(a1)", "3de8"],
  ["fsd fa5, 8(s0)", "a41c"],
  ["lw ra, 252(sp)", "50fe"],
  ["ld ra, 504(sp)", "70fe"],
  ["fld ft0, 8(sp)", "2022"],
  ["sw t6, 252(sp)", "dffe"],
  ["sd ra, 504(sp)", "ff86"],
  ["fsd fs0, 0(sp)", "a022"],
  ["jr a0", "8502"],
  ["jalr t0", "9282"],
  ["ret", "8082"],
  ["ebreak", "9002"],
  ["nop", "0001"],
];

describe("known encodings", () => {
  it.each(KNOWN_RV64G)("%s -> %s", (line, expected) => {
    expect(encodings([line], false)[0]).toBe(expected);
  });
  it.each(KNOWN_RVC)("compressed: %s -> %s", (line, expected) => {
    expect(encodings([line], true)[0]).toBe(expected);
  });
});

describe("GNU as agreement (when riscv64-linux-gnu-as is installed)", () => {
  const lines = corpus();

  it.runIf(haveBinutils)(`all ${lines.length} corpus instructions encode as GNU as encodes them (rv64g)`, () => {
    const gnu = gnuEncodings(lines, "rv64g");
    expect(gnu.length).toBe(lines.length);
    const mine = encodings(lines, false);
    const bad = lines.flatMap((l, i) => (mine[i] === gnu[i] ? [] : [`${l}: ours ${mine[i]}, GNU as ${gnu[i]}`]));
    expect(bad).toEqual([]);
  });

  it.runIf(haveBinutils)("with compression on, the same RVC choices as GNU as (rv64gc)", () => {
    const gnu = gnuEncodings(lines, "rv64gc");
    expect(gnu.length).toBe(lines.length);
    const mine = encodings(lines, true);
    const bad = lines.flatMap((l, i) => (mine[i] === gnu[i] ? [] : [`${l}: ours ${mine[i]}, GNU as ${gnu[i]}`]));
    expect(bad).toEqual([]);
    expect(mine.filter((e) => e.length === 4).length).toBeGreaterThan(80); // the corpus does exercise RVC
  });

  it.runIf(haveBinutils)("labels: forward and backward branches, jal, lla, data with addresses", () => {
    const gnu = gnuAssemble(
      [
        "start: lla a0, data",
        "  beq a0, a1, fwd",
        "  bne a0, zero, start",
        "  blt a0, a1, fwd",
        "  bge a0, a1, start",
        "  bltu a0, a1, fwd",
        "  bgeu a0, a1, start",
        "  jal ra, fwd",
        "  jal zero, start",
        "  .zero 3000",
        "fwd: lla t0, start",
        "  jal ra, far",
        "  .zero 600000",
        "far: jal zero, start",
        "  .balign 8",
        "data: .dword 0x1122334455667788",
        "  .word 0xdeadbeef",
        "  .asciz \"hi!\"",
        "  .balign 16, 0", // GNU pads code sections with nops unless told otherwise
        "  .byte 1, 2",
        "  .half 0x1234",
        "  .zero 12", // and pads the section's end to its alignment
        "  .dword start, fwd, far, data", // 32 bytes: the section end stays 16-aligned

      ].join("\n"),
      "rv64g",
    );
    const p = new Program();
    p.label("start").la("a0", "data");
    p.beq("a0", "a1", "fwd").bne("a0", "zero", "start").blt("a0", "a1", "fwd").bge("a0", "a1", "start");
    p.bltu("a0", "a1", "fwd").bgeu("a0", "a1", "start").jal("ra", "fwd").jal("zero", "start");
    p.zero(3000);
    p.label("fwd").la("t0", "start").call("far");
    p.zero(600000);
    p.label("far").j("start");
    p.align(8).label("data").dword(0x1122334455667788n).word(0xdeadbeef).asciz("hi!");
    p.align(16).byte(1, 2).half(0x1234).zero(12).dword("start", "fwd", "far", "data");
    expect(firstDifference(p.assemble().bytes, gnu)).toBe("");
  });

  it.runIf(haveBinutils)("compressed: backward branches and jumps shrink exactly where GNU as shrinks them", () => {
    const gnu = gnuAssemble(
      ["top: addi a0, a0, -1", "  bnez a0, top", "  beqz s1, top", "  beq a0, zero, top", "  bne t0, zero, top", "  j top", "  .zero 300", "  bnez a0, top", "  j top", "  .zero 2000", "  j top"].join("\n"),
      "rv64gc",
    );
    const p = new Program({ compressed: true });
    p.label("top").addi("a0", "a0", -1).bnez("a0", "top").beqz("s1", "top").beq("a0", "zero", "top").bnez("t0", "top").j("top");
    p.zero(300).bnez("a0", "top").j("top").zero(2000).j("top");
    expect(firstDifference(p.assemble().bytes, gnu)).toBe("");
  });
});

describe("li", () => {
  const edge = [0n, 1n, -1n, 2047n, -2048n, 2048n, -2049n, 0x7ffn, 0x800n, 0xfffn, 0x1000n, 0x7ffff7ffn, 0x7ffff800n, 0x7fffffffn, -0x80000000n,
    0x80000000n, 0xffffffffn, 0x100000000n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, 0x123456789abcdef0n,
    0xfedcba9876543210n, 0x8000_0000_0000_0800n, 0x0000_7fff_ffff_f800n, 0x2000000n, 0x80400000n, 0xc000000n];
  it("every edge constant round-trips through its instruction sequence", () => {
    for (const v of edge) expect(evalLiSteps(liSteps(v))).toBe(BigInt.asUintN(64, v));
  });
  it("10 000 pseudo-random constants round-trip, in at most 8 instructions", () => {
    let s = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 10_000; i++) {
      s ^= BigInt.asUintN(64, s << 13n);
      s ^= s >> 7n;
      s ^= BigInt.asUintN(64, s << 17n);
      // also constants with long runs of zeros or ones, as real addresses and masks have
      const v = i % 3 === 0 ? s : i % 3 === 1 ? s >> BigInt(i % 61) : BigInt.asUintN(64, ~(s >> BigInt(i % 61)));
      const steps = liSteps(v);
      expect(evalLiSteps(steps)).toBe(v);
      expect(steps.length).toBeLessThanOrEqual(8);
    }
  });
  it("uses the short forms for small constants", () => {
    expect(hex(new Program().li("a0", 5).assemble().bytes)).toBe("13055000");
    expect(new Program().li("a0", 0x12345678).size).toBe(8);
    expect(new Program({ compressed: true }).li("a0", 5).size).toBe(2);
  });
  it("refuses numbers that are not exact", () => {
    expect(() => new Program().li("a0", 2 ** 60)).toThrow(AsmError);
  });
});

describe("errors", () => {
  it("out-of-range immediates and offsets", () => {
    expect(() => new Program().addi("a0", "a0", 2048)).toThrow(/outside/);
    expect(() => new Program().slli("a0", "a0", 64)).toThrow(/outside/);
    expect(() => new Program().slliw("a0", "a0", 32)).toThrow(/outside/);
    expect(() => new Program().csrrwi("a0", "mscratch", 32)).toThrow(/outside/);
    expect(() => new Program().beq("a0", "a1", 3)).toThrow(/multiple of 2/);
  });
  it("undefined and duplicate labels, branches out of reach", () => {
    expect(() => new Program().j("nowhere").assemble()).toThrow(/undefined label nowhere/);
    expect(() => new Program().label("a").label("a")).toThrow(/twice/);
    const p = new Program().beqz("a0", "far").zero(5000).label("far");
    expect(() => p.assemble()).toThrow(/reference to far .*branch offset/);
  });
  it("unknown registers and CSRs", () => {
    expect(() => emitText(new Program(), "addi x32, a0, 1")).toThrow(/not an integer register/);
    expect(() => emitText(new Program(), "csrr a0, nosuchcsr")).toThrow(/unknown CSR/);
  });
});

describe("layout", () => {
  it("symbols are absolute addresses from the base", () => {
    const p = new Program({ base: 0x1000n }).nop().label("x").nop();
    const a = p.assemble();
    expect(a.symbols["x"]).toBe(0x1004n);
    expect(a.base).toBe(0x1000n);
  });
  it("align pads code with c.nop and nop", () => {
    const p = new Program({ compressed: true }).addi("a0", "a0", 1).align(8, "nop");
    expect(hex(p.assemble().bytes)).toBe("0505" + "0100" + "13000000");
  });
});
