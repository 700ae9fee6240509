import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { EXC } from "./csr-defs.js";
import { RVC_TABLE } from "./rvc.js";
import { RAM_BASE, RecordingDevice, Runner, makeRig, runProgram } from "./test-util.js";

const r = new Runner();
const DATA = RAM_BASE + 0x8000;

describe("loads and stores", () => {
  it("loads every width with sign/zero extension", () => {
    const h = r.run(
      [
        A.sd(2, 1, 0), // mem = 0x8899aabbccddeeff
        A.lb(3, 1, 0),
        A.lbu(4, 1, 0),
        A.lh(5, 1, 0),
        A.lhu(6, 1, 0),
        A.lw(7, 1, 0),
        A.lwu(8, 1, 0),
        A.ld(9, 1, 0),
        A.lb(10, 1, 3),
        A.lw(11, 1, 4),
      ],
      { 1: DATA, 2: 0x8899aabbccddeeffn },
    );
    expect(h.getX(3)).toBe(0xffffffffffffffffn);
    expect(h.getX(4)).toBe(0xffn);
    expect(h.getX(5)).toBe(0xffffffffffffeeffn);
    expect(h.getX(6)).toBe(0xeeffn);
    expect(h.getX(7)).toBe(0xffffffffccddeeffn);
    expect(h.getX(8)).toBe(0xccddeeffn);
    expect(h.getX(9)).toBe(0x8899aabbccddeeffn);
    expect(h.getX(10)).toBe(0xffffffffffffffccn);
    expect(h.getX(11)).toBe(0xffffffff8899aabbn);
  });

  it("stores every width (little-endian) and marks pages dirty", () => {
    const { ram } = r.rig;
    ram.dirty.fill(0);
    r.run([A.sd(0, 1, 0), A.sb(2, 1, 0), A.sh(2, 1, 2), A.sw(2, 1, 4), A.sd(2, 1, 8), A.sw(2, 3, 0)], { 1: DATA, 2: 0x0102030405060708n, 3: DATA + 4096 });
    const bytes = [...ram.data.subarray(0x8000, 0x8010)];
    expect(bytes).toEqual([0x08, 0, 0x08, 0x07, 0x08, 0x07, 0x06, 0x05, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01]);
    const page = (off: number) => (ram.dirty[off >> 15]! >> ((off >> 12) & 7)) & 1;
    expect(page(0x8000)).toBe(1);
    expect(page(0x9000)).toBe(1);
    expect(page(0xa000)).toBe(0);
  });

  it("allows misaligned loads and stores in RAM", () => {
    const h = r.run([A.sd(2, 1, 3), A.ld(3, 1, 3), A.lw(4, 1, 5), A.lh(5, 1, 7)], { 1: DATA, 2: 0x1122334455667788n });
    expect(h.getX(3)).toBe(0x1122334455667788n);
    expect(h.getX(4)).toBe(0x33445566n);
    expect(h.getX(5)).toBe(0x3344n);
  });

  it("routes MMIO accesses to the device with the access size", () => {
    const rig = makeRig();
    const dev = new RecordingDevice();
    rig.bus.mapMmio("dev", 0x1000_0000, 0x100, dev);
    dev.regs.set(8, 0xfedcba9876543210n);
    dev.regs.set(0, 0x80n);
    const a = new A.Asm(RAM_BASE);
    a.li(1, 0x1000_0000).emitAll(A.ld(2, 1, 8), A.lb(3, 1, 0), A.lbu(4, 1, 0), A.sw(2, 1, 16), A.sh(2, 1, 20), A.sb(2, 1, 24), A.sd(2, 1, 32), A.ebreak());
    rig.ram.write(0, a.bytes());
    expect(rig.hart.run(100).reason).toBe("ebreak");
    expect(rig.hart.getX(2)).toBe(0xfedcba9876543210n);
    expect(rig.hart.getX(3)).toBe(0xffffffffffffff80n);
    expect(rig.hart.getX(4)).toBe(0x80n);
    expect(dev.log).toEqual(["r8@8", "r1@0", "r1@0", "w4@16=76543210", "w2@20=3210", "w1@24=10", "w8@32=fedcba9876543210"]);
  });
});

/** Runs code in M-mode with mtvec pointing at an EBREAK; returns the hart after the trap. */
function trapOf(build: (a: A.Asm) => void) {
  return runProgram((a) => {
    a.emit(A.auipc(31, 0));
    a.ref("handler", (o) => A.addi(31, 31, o + 4));
    a.emit(A.csrw(0x305, 31));
    build(a);
    a.emit(A.ebreak()); // not reached if the code traps
    a.label("handler");
    a.emit(A.addi(30, 0, 1)); // marks that the handler ran
  });
}

describe("synchronous exceptions (M-mode)", () => {
  it("load access fault on unmapped memory, with tval", () => {
    const t = trapOf((a) => a.li(1, 0x4000_0000).emit(A.ld(2, 1, 8)));
    expect(t.hart.getX(30)).toBe(1n);
    expect(t.hart.mcause).toBe(BigInt(EXC.LOAD_ACCESS));
    expect(t.hart.mtval).toBe(0x4000_0008n);
  });
  it("store access fault, with tval; high addresses too", () => {
    const t = trapOf((a) => a.li(1, 0xdead_0000_0000_0000n).emit(A.sw(2, 1, -1)));
    expect(t.hart.mcause).toBe(BigInt(EXC.STORE_ACCESS));
    expect(t.hart.mtval).toBe(0xdeac_ffff_ffff_ffffn);
  });
  it("instruction access fault at the jump target; mepc = tval = target", () => {
    const t = trapOf((a) => a.li(1, 0x2000).emit(A.jalr(0, 1, 0)));
    expect(t.hart.mcause).toBe(BigInt(EXC.INST_ACCESS));
    expect(t.hart.mtval).toBe(0x2000n);
    expect(t.hart.mepc).toBe(0x2000n);
  });
  it("instruction access fault at a far (non-double-exact) target", () => {
    const t = trapOf((a) => a.li(1, 0x1234_5678_9abc_def0n).emit(A.jalr(0, 1, 0)));
    expect(t.hart.mcause).toBe(BigInt(EXC.INST_ACCESS));
    expect(t.hart.mtval).toBe(0x1234_5678_9abc_def0n);
    expect(t.hart.mepc).toBe(0x1234_5678_9abc_def0n);
  });
  it("illegal instruction: tval holds the instruction bits (32-bit and compressed)", () => {
    let t = trapOf((a) => a.emit(0xffffffff));
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
    expect(t.hart.mtval).toBe(0xffffffffn);
    t = trapOf((a) => a.emit16(0x0000).emit16(0x0001));
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
    expect(t.hart.mtval).toBe(0n);
    t = trapOf((a) => a.emit16(0x6081).emit16(0x0001)); // c.lui x1, 0 is reserved
    expect(t.hart.mtval).toBe(0x6081n);
    expect(t.hart.mepc).toBe(BigInt(RAM_BASE + 12));
  });
  it("illegal encodings in every major opcode", () => {
    for (const bad of [
      A.rType(0x40, 0, 0, 0, 1, 0x33), // bad funct7 OP
      A.rType(0x20, 0, 0, 1, 1, 0x33), // sub-like sll
      A.iType(0, 0, 7, 1, 0x03), // load funct3 7
      A.sType(0, 0, 0, 4, 0x23), // store funct3 4
      A.iType(0, 0, 2, 1, 0x63), // branch funct3 2
      A.iType(0, 0, 1, 1, 0x67), // jalr funct3 1
      A.iType(0x400, 1, 1, 1, 0x1b), // slliw with funct7 bit set
      A.iType(0, 0, 4, 0, 0x73), // system funct3 4
      A.rType(0x7f, 0, 0, 2, 1, 0x2f), // unknown AMO
      A.iType(0, 0, 2, 1, 0x0f), // misc-mem funct3 2
    ]) {
      const t = trapOf((a) => a.emit(bad));
      expect({ bad, cause: t.hart.mcause }).toEqual({ bad, cause: BigInt(EXC.ILLEGAL) });
      expect(t.hart.mtval).toBe(BigInt(bad >>> 0));
    }
  });
  it("ebreak raises a breakpoint exception when ebreakStops is off", () => {
    const rig = makeRig({ ebreakStops: false });
    const a = new A.Asm(RAM_BASE);
    a.li(1, RAM_BASE + 0x100).emit(A.csrw(0x305, 1)).emit(A.ebreak());
    rig.ram.write(0, a.bytes());
    rig.ram.write(0x100, new Uint8Array([0x6f, 0, 0, 0])); // j .
    rig.hart.run(20);
    expect(rig.hart.mcause).toBe(BigInt(EXC.BREAKPOINT));
    expect(rig.hart.getPc()).toBe(BigInt(RAM_BASE + 0x100));
  });
});

describe("RV64C", () => {
  const pairs: [string, number, number][] = [
    ["c.addi4spn", A.c_addi4spn(8, 1020), A.addi(8, 2, 1020)],
    ["c.fld", A.c_fld(9, 10, 248), A.fld(9, 10, 248)],
    ["c.lw", A.c_lw(15, 8, 124), A.lw(15, 8, 124)],
    ["c.ld", A.c_ld(8, 9, 8), A.ld(8, 9, 8)],
    ["c.fsd", A.c_fsd(9, 10, 16), A.fsd(9, 10, 16)],
    ["c.sw", A.c_sw(15, 8, 64), A.sw(15, 8, 64)],
    ["c.sd", A.c_sd(8, 9, 248), A.sd(8, 9, 248)],
    ["c.nop", A.c_nop(), A.addi(0, 0, 0)],
    ["c.addi", A.c_addi(5, -32), A.addi(5, 5, -32)],
    ["c.addiw", A.c_addiw(5, 31), A.addiw(5, 5, 31)],
    ["c.li", A.c_li(31, -1), A.addi(31, 0, -1)],
    ["c.addi16sp", A.c_addi16sp(-512), A.addi(2, 2, -512)],
    ["c.addi16sp+", A.c_addi16sp(496), A.addi(2, 2, 496)],
    ["c.lui", A.c_lui(3, -1), A.lui(3, 0xfffff)],
    ["c.lui+", A.c_lui(3, 31), A.lui(3, 31)],
    ["c.srli", A.c_srli(8, 63), A.srli(8, 8, 63)],
    ["c.srai", A.c_srai(9, 32), A.srai(9, 9, 32)],
    ["c.andi", A.c_andi(10, -7), A.andi(10, 10, -7)],
    ["c.sub", A.c_sub(8, 9), A.sub(8, 8, 9)],
    ["c.xor", A.c_xor(8, 9), A.xor(8, 8, 9)],
    ["c.or", A.c_or(8, 9), A.or(8, 8, 9)],
    ["c.and", A.c_and(8, 9), A.and(8, 8, 9)],
    ["c.subw", A.c_subw(14, 15), A.subw(14, 14, 15)],
    ["c.addw", A.c_addw(14, 15), A.addw(14, 14, 15)],
    ["c.j", A.c_j(-2048), A.jal(0, -2048)],
    ["c.j+", A.c_j(2046), A.jal(0, 2046)],
    ["c.beqz", A.c_beqz(8, -256), A.beq(8, 0, -256)],
    ["c.bnez", A.c_bnez(15, 254), A.bne(15, 0, 254)],
    ["c.slli", A.c_slli(7, 63), A.slli(7, 7, 63)],
    ["c.fldsp", A.c_fldsp(7, 504), A.fld(7, 2, 504)],
    ["c.lwsp", A.c_lwsp(7, 252), A.lw(7, 2, 252)],
    ["c.ldsp", A.c_ldsp(7, 504), A.ld(7, 2, 504)],
    ["c.jr", A.c_jr(1), A.jalr(0, 1, 0)],
    ["c.mv", A.c_mv(5, 6), A.add(5, 0, 6)],
    ["c.ebreak", A.c_ebreak(), A.ebreak()],
    ["c.jalr", A.c_jalr(5), A.jalr(1, 5, 0)],
    ["c.add", A.c_add(5, 6), A.add(5, 5, 6)],
    ["c.fsdsp", A.c_fsdsp(31, 504), A.fsd(31, 2, 504)],
    ["c.swsp", A.c_swsp(31, 252), A.sw(31, 2, 252)],
    ["c.sdsp", A.c_sdsp(31, 504), A.sd(31, 2, 504)],
  ];
  for (const [name, c, full] of pairs) it(`${name} expands`, () => expect(RVC_TABLE[c]! >>> 0).toBe(full));

  it("reserved encodings are illegal", () => {
    for (const c of [0x0000, 0x8000 /* q0 f3=4 */, 0x2001 /* c.addiw x0 */, 0x6101 /* c.addi16sp 0 */, 0x6081 /* c.lui 0 */, 0x4002 /* c.lwsp x0 */, 0x6002 /* c.ldsp x0 */, 0x8002 /* c.jr x0 */, 0x9c41 /* c.subw-space reserved */])
      expect({ c, v: RVC_TABLE[c] }).toEqual({ c, v: 0 });
    for (let c = 3; c < 65536; c += 4) if (RVC_TABLE[c] !== 0) throw new Error(`32-bit encoding ${c} mapped`);
  });

  it("executes a compressed program; c.jalr links pc+2", () => {
    const t = runProgram((a) => {
      a.emit16(A.c_li(8, 5)); // 0
      a.emit16(A.c_li(9, 0)); // 2
      a.label("loop");
      a.emit16(A.c_add(9, 8)); // 4
      a.emit16(A.c_addi(8, -1)); // 6
      a.ref("loop", (o) => A.c_bnez(8, o), 2); // 8
      a.emit(A.auipc(5, 0)); // 10
      a.emit16(A.c_addi(5, 8)); // 14: x5 = 18 -> target "after"
      a.emit16(A.c_jalr(5)); // 16: x1 = 18
      a.label("after");
      a.emit16(A.c_mv(10, 1)); // 18
      a.emit16(A.c_slli(9, 4)); // 20
    });
    expect(t.hart.getX(9)).toBe(15n * 16n);
    expect(t.hart.getX(10)).toBe(BigInt(RAM_BASE + 18));
  });
});

describe("self-modifying code", () => {
  it("a store followed by FENCE.I executes the new instruction", () => {
    const t = runProgram((a) => {
      a.emit(A.auipc(1, 0)).ref("patch", (o) => A.addi(1, 1, o + 4));
      a.li(2, A.addi(10, 0, 77)).emit(A.sw(2, 1, 0)).emit(A.fence_i());
      a.label("patch").emit(A.addi(10, 0, 1));
      // and a compressed patch in the same loop body
      a.emit(A.auipc(1, 0)).ref("patch2", (o) => A.addi(1, 1, o + 4));
      a.li(2, A.c_li(11, 9)).emit(A.sh(2, 1, 0)).emit(A.fence_i());
      a.label("patch2").emit16(A.c_li(11, 1)).emit16(A.c_nop());
    });
    expect(t.hart.getX(10)).toBe(77n);
    expect(t.hart.getX(11)).toBe(9n);
  });
});

describe("instruction fetch across windows", () => {
  it("runs code in two RAM windows, jumping between them, and code in the last bytes of a window", async () => {
    const { RamBlock } = await import("@vmstate/core");
    const rig = makeRig();
    const rom = new RamBlock("rom", 4096, 4096, 0x1000);
    rig.bus.mapRam(0x1000, rom);
    // ROM: x5 += 1, jump to RAM_BASE+0x100 (jalr through x6), ...; ROM's last 2 bytes: c.addi x5, 16 then falls off -> fetch fault
    const r1 = new A.Asm(0x1000);
    r1.emit(A.addi(5, 5, 1)).li(6, RAM_BASE + 0x100).emit(A.jalr(1, 6, 0));
    rom.write(0, r1.bytes());
    const tail = new A.Asm(0x1ffc);
    tail.emit16(A.c_addi(5, 4)).emit16(A.c_addi(5, 16));
    rom.write(0xffc, tail.bytes());
    // RAM code at +0x100: x5 += 2, return to ROM via x1; at +0x200: jump to ROM tail (0x1ffc)
    const r2 = new A.Asm(RAM_BASE + 0x100);
    r2.emit(A.addi(5, 5, 2)).li(7, 0x1ffc).emit(A.jalr(0, 7, 0));
    rig.ram.write(0x100, r2.bytes());
    // mtvec -> RAM+0x300 (ebreak)
    rig.ram.write(0x300, new Uint8Array(new Uint32Array([A.ebreak()]).buffer));
    rig.hart.setPc(0x1000n);
    rig.hart.mtvec = BigInt(RAM_BASE + 0x300);
    const res = rig.hart.run(1000);
    expect(res.reason).toBe("ebreak");
    expect(rig.hart.getX(5)).toBe(1n + 2n + 4n + 16n);
    expect(rig.hart.mcause).toBe(BigInt(EXC.INST_ACCESS));
    expect(rig.hart.mtval).toBe(0x2000n);
    expect(rig.hart.mepc).toBe(0x2000n);
  });
  it("a 32-bit instruction straddling the end of a window faults on the second half", () => {
    const rig = makeRig();
    // place "addi x5,x0,1" halves at the last 2 bytes of RAM
    const dv = new DataView(rig.ram.data.buffer);
    dv.setUint16(rig.ram.length - 2, A.addi(5, 0, 1) & 0xffff, true);
    rig.hart.setPc(BigInt(RAM_BASE + rig.ram.length - 2));
    rig.hart.mtvec = BigInt(RAM_BASE);
    dv.setUint32(0, A.ebreak(), true);
    rig.hart.run(10);
    expect(rig.hart.mcause).toBe(BigInt(EXC.INST_ACCESS));
    expect(rig.hart.mepc).toBe(BigInt(RAM_BASE + rig.ram.length - 2));
    expect(rig.hart.mtval).toBe(BigInt(RAM_BASE + rig.ram.length));
  });
  it("branches out of the window into unmapped space fault with tval = target", () => {
    const t = runProgram((a) => {
      a.emit(A.auipc(31, 0)).ref("h", (o) => A.addi(31, 31, o + 4)).emit(A.csrw(0x305, 31));
      a.emit(A.beq(0, 0, -2048));
      a.label("h").emit(A.addi(30, 0, 1));
    });
    expect(t.hart.getX(30)).toBe(1n);
    expect(t.hart.mcause).toBe(BigInt(EXC.INST_ACCESS));
    expect(t.hart.mtval).toBe(BigInt(RAM_BASE + 12 - 2048));
  });
  it("executed counts and pc are exact across many window transitions", () => {
    const rig = makeRig();
    const a = new A.Asm(RAM_BASE);
    a.emit(A.addi(10, 0, 100));
    a.label("loop");
    a.li(6, RAM_BASE + 0x80000).emit(A.jalr(1, 6, 0)); // call far function, returns
    a.emit(A.addi(10, 10, -1)).ref("loop", (o) => A.bne(10, 0, o)).emit(A.ebreak());
    rig.ram.write(0, a.bytes());
    const f = new A.Asm(RAM_BASE + 0x80000);
    f.emit16(A.c_addi(11, 3)).emit16(A.c_jr(1));
    rig.ram.write(0x80000, f.bytes());
    const res = rig.hart.run(100_000);
    expect(res.reason).toBe("ebreak");
    expect(rig.hart.getX(11)).toBe(300n);
    const liLen = new A.Asm().li(6, RAM_BASE + 0x80000).here / 4;
    expect(res.executed).toBe(1 + 100 * (liLen + 1 + 2 + 1 + 1));
    expect(rig.hart.minstret).toBe(BigInt(res.executed));
  });
});
