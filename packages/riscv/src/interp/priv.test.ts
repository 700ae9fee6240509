import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { CSR, EXC, IRQ, MSTATUS } from "./csr-defs.js";
import { RiscvHart } from "./hart.js";
import { RAM_BASE, Runner, makeRig, runProgram, type TestRig } from "./test-util.js";

const INT = 1n << 63n;

/** auipc+addi of a label's address into rd (`ref` gives label - addi address, hence + 4). */
function laFix(a: A.Asm, rd: number, label: string): A.Asm {
  a.emit(A.auipc(rd, 0));
  a.ref(label, (o) => A.addi(rd, rd, o + 4));
  return a;
}

/** mtvec -> "mtrap", stvec -> "strap"; both handlers record x30 = 1 / 2 and stop (EBREAK). */
function withHandlers(a: A.Asm): void {
  laFix(a, 5, "mtrap").emit(A.csrw(CSR.mtvec, 5));
  laFix(a, 5, "strap").emit(A.csrw(CSR.stvec, 5));
}
function handlers(a: A.Asm): void {
  a.label("mtrap").emit(A.addi(30, 0, 1)).emit(A.ebreak());
  a.label("strap").emit(A.addi(30, 0, 2)).emit(A.ebreak());
}
/** Sets MPP and jumps (MRET) to `label` in privilege `priv`. */
function enter(a: A.Asm, priv: 0 | 1, label: string): void {
  a.li(5, MSTATUS.MPP).emit(A.csrrc(0, CSR.mstatus, 5));
  if (priv === 1) a.li(5, 1 << 11).emit(A.csrrs(0, CSR.mstatus, 5));
  laFix(a, 5, label).emit(A.csrw(CSR.mepc, 5)).emit(A.mret());
}

const r = new Runner();
const csr = (h: RiscvHart, n: number) => h.csrRead(n)!;

describe("Zicsr semantics", () => {
  it("csrrw/csrrs/csrrc/immediate forms return the old value and update", () => {
    const h = r.run(
      [
        A.csrrw(3, CSR.mscratch, 1), // old 0, new 0xf0
        A.csrrs(4, CSR.mscratch, 2), // old 0xf0, |= 0x0f
        A.csrrc(5, CSR.mscratch, 1), // old 0xff, &= ~0xf0
        A.csrrwi(6, CSR.sscratch, 31),
        A.csrrsi(7, CSR.sscratch, 0), // no write
        A.csrrci(8, CSR.sscratch, 5),
        A.csrr(9, CSR.sscratch),
      ],
      { 1: 0xf0n, 2: 0x0fn },
    );
    expect([h.getX(3), h.getX(4), h.getX(5), csr(h, CSR.mscratch)]).toEqual([0n, 0xf0n, 0xffn, 0x0fn]);
    expect([h.getX(6), h.getX(7), h.getX(8), h.getX(9)]).toEqual([0n, 31n, 31n, 26n]);
  });
  it("read-only CSRs: reading is fine, writing (even csrrs with rs1 != 0) is illegal", () => {
    let t = runProgram((a) => {
      withHandlers(a);
      a.emit(A.csrr(3, CSR.mhartid)).emit(A.csrr(4, CSR.marchid)).emit(A.csrrs(0, CSR.mvendorid, 0)).emit(A.ebreak());
      handlers(a);
    });
    expect(t.hart.getX(30)).toBe(0n);
    expect(t.hart.getX(4)).toBe(0x070200n);
    t = runProgram((a) => {
      withHandlers(a);
      a.emit(A.addi(1, 0, 1)).emit(A.csrrs(0, CSR.mhartid, 1));
      handlers(a);
    });
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
    expect(t.hart.mtval).toBe(BigInt(A.csrrs(0, CSR.mhartid, 1)));
  });
  it("unknown CSRs are illegal", () => {
    const t = runProgram((a) => {
      withHandlers(a);
      a.emit(A.csrr(1, 0x7c0));
      handlers(a);
    });
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
  });
  it("mstatus is WARL; SD reflects FS; sstatus is a restricted view", () => {
    const h = r.run([A.addi(1, 0, -1), A.csrw(CSR.mstatus, 1), A.csrr(2, CSR.mstatus), A.csrr(3, CSR.sstatus), A.csrw(CSR.mstatus, 0), A.csrw(CSR.sstatus, 1), A.csrr(4, CSR.mstatus)]);
    // MPP=3 written with all ones
    expect(h.getX(2)).toBe((1n << 63n) | 0xa00000000n | 0x7e79aan);
    expect(h.getX(3)).toBe((1n << 63n) | 0x200000000n | 0xc6122n);
    expect(h.getX(4)).toBe((1n << 63n) | 0xa00000000n | 0xc6122n);
  });
  it("mstatus.MPP = 2 (reserved) keeps the previous value", () => {
    const h = r.run([A.lui(1, 1), A.csrw(CSR.mstatus, 1), A.csrr(2, CSR.mstatus)]);
    expect((h.getX(2) >> 11n) & 3n).toBe(0n);
  });
  it("misa, medeleg/mideleg/mie masks, mtvec modes, satp modes", () => {
    const h = r.run([
      A.addi(1, 0, -1),
      A.csrw(CSR.medeleg, 1),
      A.csrw(CSR.mideleg, 1),
      A.csrw(CSR.mie, 1),
      A.csrw(CSR.misa, 0),
      A.addi(2, 0, 0x102),
      A.csrw(CSR.mtvec, 2), // mode 2: ignored
      A.addi(2, 0, 0x101),
      A.csrw(CSR.stvec, 2),
    ]);
    expect(csr(h, CSR.misa)).toBe((2n << 62n) | 0x14112dn);
    expect(csr(h, CSR.medeleg)).toBe(0xb3ffn);
    expect(csr(h, CSR.mideleg)).toBe(0x222n);
    expect(csr(h, CSR.mie)).toBe(0xaaan);
    expect(csr(h, CSR.mtvec)).toBe(0n);
    expect(csr(h, CSR.stvec)).toBe(0x101n);
    const s = new A.Asm();
    s.li(1, (9n << 60n) | 0x1234n).emit(A.csrw(CSR.satp, 1)); // Sv48: not implemented -> no effect
    const w = [...new Uint32Array(s.bytes().buffer)];
    expect(csr(r.run(w), CSR.satp)).toBe(0n);
    const s2 = new A.Asm();
    s2.li(1, (8n << 60n) | 0x1234n).emit(A.csrw(CSR.satp, 1)).emit(A.csrw(CSR.satp, 0));
    expect(csr(r.run([...new Uint32Array(s2.bytes().buffer)]), CSR.satp)).toBe(0n);
    const s3 = new A.Asm();
    s3.li(1, (8n << 60n) | 0x1234n).emit(A.csrw(CSR.satp, 1));
    expect(csr(r.run([...new Uint32Array(s3.bytes().buffer)]), CSR.satp)).toBe((8n << 60n) | 0x1234n);
  });
  it("sie/sip are views of mie/mip restricted by mideleg", () => {
    const h = r.run([
      A.addi(1, 0, -1),
      A.csrw(CSR.mie, 1),
      A.addi(2, 0, 0x22), // delegate SSI, STI
      A.csrw(CSR.mideleg, 2),
      A.csrr(3, CSR.sie),
      A.csrw(CSR.sie, 0), // clears SSIE, STIE only
      A.csrr(4, CSR.mie),
      A.addi(2, 0, 0x222),
      A.csrw(CSR.mip, 2), // M writes SSIP, STIP, SEIP
      A.csrr(5, CSR.sip),
      A.csrw(CSR.sip, 0), // S may clear SSIP only
      A.csrr(6, CSR.mip),
    ]);
    expect(h.getX(3)).toBe(0x22n);
    expect(h.getX(4)).toBe(0xaaan & ~0x22n);
    expect(h.getX(5)).toBe(0x22n);
    expect(h.getX(6)).toBe(0x220n);
  });
  it("mip: device-driven bits are read-only to software; SEIP is software OR external", () => {
    const rig = makeRig();
    rig.hart.setIrq(IRQ.MTI, true);
    rig.hart.setIrq(IRQ.SEI, true);
    const a = new A.Asm(RAM_BASE);
    a.emit(A.csrw(CSR.mip, 0)).emit(A.csrr(1, CSR.mip)).emit(A.ebreak());
    rig.ram.write(0, a.bytes());
    rig.hart.run(10);
    expect(rig.hart.getX(1)).toBe(0x280n);
    rig.hart.setIrq(IRQ.SEI, false);
    expect(rig.hart.mip).toBe(0x80);
  });
  it("fcsr/frm/fflags require FS != Off and set FS Dirty", () => {
    let t = runProgram((a) => {
      withHandlers(a);
      a.emit(A.csrr(1, CSR.fcsr));
      handlers(a);
    });
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
    t = runProgram((a) => {
      a.li(1, 1 << 13).emit(A.csrs(CSR.mstatus, 1)); // FS = Initial
      a.emit(A.addi(2, 0, 0xff)).emit(A.csrw(CSR.fcsr, 2)).emit(A.csrr(3, CSR.frm)).emit(A.csrr(4, CSR.fflags)).emit(A.csrrwi(5, CSR.frm, 2)).emit(A.csrr(6, CSR.fcsr));
    });
    expect([t.hart.getX(3), t.hart.getX(4), t.hart.getX(5), t.hart.getX(6)]).toEqual([7n, 31n, 7n, 0x5fn]);
    expect((t.hart.mstatusValue >> 13n) & 3n).toBe(3n);
    expect(t.hart.mstatusValue >> 63n).toBe(1n);
  });
  it("pmpcfg/pmpaddr are stored, with lock semantics", () => {
    const s = new A.Asm();
    s.li(1, 0x1f).emit(A.csrw(CSR.pmpaddr0 + 3, 1)).li(1, 0x8000_0000_1f1f_1f9fn).emit(A.csrw(CSR.pmpcfg0, 1)); // entry 0 locked, bits 5-6 dropped
    s.li(1, 0).emit(A.csrw(CSR.pmpcfg0, 1)).emit(A.csrw(CSR.pmpaddr0, 1)).li(1, -1).emit(A.csrw(CSR.pmpaddr0 + 15, 1));
    const h = r.run([...new Uint32Array(s.bytes().buffer)]);
    expect(csr(h, CSR.pmpcfg0)).toBe(0x8000_0000_0000_009fn); // entries 0 and 7 locked
    expect(csr(h, CSR.pmpaddr0 + 3)).toBe(0x1fn);
    expect(csr(h, CSR.pmpaddr0 + 15)).toBe((1n << 54n) - 1n);
    expect(csr(h, CSR.pmpcfg2)).toBe(0n);
  });
});

describe("traps, delegation and xRET", () => {
  it("ECALL from M, S and U have causes 11, 9, 8", () => {
    let t = runProgram((a) => {
      withHandlers(a);
      a.emit(A.ecall());
      handlers(a);
    });
    expect([t.hart.mcause, t.hart.getX(30)]).toEqual([11n, 1n]);
    for (const priv of [1, 0] as const) {
      t = runProgram((a) => {
        withHandlers(a);
        enter(a, priv, "code");
        a.label("code").emit(A.ecall());
        handlers(a);
      });
      expect(t.hart.mcause).toBe(priv === 1 ? 9n : 8n);
      expect(t.hart.priv).toBe(3);
      expect((t.hart.mstatusValue >> 11n) & 3n).toBe(BigInt(priv));
    }
  });

  it("ECALL from U delegated to S via medeleg; SRET returns to U", () => {
    const t = runProgram((a) => {
      withHandlers(a);
      a.emit(A.addi(1, 0, 1 << 8)).emit(A.csrw(CSR.medeleg, 1));
      // stvec -> "sh": count, advance sepc, sret
      laFix(a, 5, "sh").emit(A.csrw(CSR.stvec, 5));
      enter(a, 0, "user");
      a.label("user").emit(A.ecall()).emit(A.addi(10, 10, 7)).emit(A.ecall()).emit(A.csrr(11, CSR.mstatus)); // last: illegal in U
      a.label("sh").emit(A.addi(9, 9, 1)).emit(A.csrr(12, CSR.sepc)).emit(A.addi(12, 12, 4)).emit(A.csrw(CSR.sepc, 12)).emit(A.sret());
      handlers(a);
    });
    expect(t.hart.getX(9)).toBe(2n); // two ECALLs handled in S
    expect(t.hart.getX(10)).toBe(7n);
    expect(t.hart.scause).toBe(8n);
    // then csrr mstatus in U: illegal instruction, not delegated -> M
    expect(t.hart.mcause).toBe(BigInt(EXC.ILLEGAL));
    expect(t.hart.mtval).toBe(BigInt(A.csrr(11, CSR.mstatus)));
    expect((t.hart.mstatusValue >> 11n) & 3n).toBe(0n); // MPP = U
    expect(t.hart.getX(30)).toBe(1n);
  });

  it("trap into S sets SPP/SPIE/SIE; SRET restores them; sepc/stval", () => {
    const t = runProgram((a) => {
      withHandlers(a);
      a.li(1, 1 << EXC.LOAD_ACCESS).emit(A.csrw(CSR.medeleg, 1));
      enter(a, 1, "sup");
      a.label("sup").emit(A.csrsi(CSR.sstatus, 2)) /* SIE=1 */.li(7, 0x100).emit(A.ld(8, 7, 0));
      handlers(a);
    });
    const h = t.hart;
    expect(h.getX(30)).toBe(2n);
    expect(h.priv).toBe(1);
    expect(h.scause).toBe(BigInt(EXC.LOAD_ACCESS));
    expect(h.stval).toBe(0x100n);
    const s = h.mstatusValue;
    expect([(s >> 8n) & 1n, (s >> 5n) & 1n, (s >> 1n) & 1n]).toEqual([1n, 1n, 0n]); // SPP=S, SPIE=1, SIE=0
  });

  it("exceptions in M are never delegated", () => {
    const t = runProgram((a) => {
      withHandlers(a);
      a.li(1, -1).emit(A.csrw(CSR.medeleg, 1)).emit(A.ecall());
      handlers(a);
    });
    expect(t.hart.getX(30)).toBe(1n);
  });

  it("MRET restores MIE from MPIE, sets MPIE, MPP=U and clears MPRV when leaving M", () => {
    const t = runProgram((a) => {
      withHandlers(a);
      a.li(1, MSTATUS.MPIE | MSTATUS.MPRV).emit(A.csrs(CSR.mstatus, 1));
      enter(a, 1, "sup");
      a.label("sup").emit(A.ecall());
      handlers(a);
    });
    const s = t.hart.mstatusValue;
    // after the ECALL trap: MPIE = MIE at trap time (1, restored by MRET), MIE = 0, MPP = S, MPRV = 0
    expect([(s >> 7n) & 1n, (s >> 3n) & 1n, (s >> 11n) & 3n, (s >> 17n) & 1n]).toEqual([1n, 0n, 1n, 0n]);
  });

  it("SRET in U, SRET in S with TSR, WFI in U, SFENCE.VMA in U, satp in S with TVM are illegal; MRET in S is illegal", () => {
    const cases: [0 | 1, number, number][] = [
      [0, A.sret(), 0],
      [1, A.sret(), MSTATUS.TSR],
      [0, A.wfi(), 0],
      [1, A.wfi(), MSTATUS.TW],
      [0, A.sfence_vma(), 0],
      [1, A.sfence_vma(), MSTATUS.TVM],
      [1, A.csrr(1, CSR.satp), MSTATUS.TVM],
      [1, A.mret(), 0],
    ];
    for (const [priv, inst, bits] of cases) {
      const t = runProgram((a) => {
        withHandlers(a);
        if (bits) a.li(1, bits).emit(A.csrs(CSR.mstatus, 1));
        enter(a, priv, "code");
        a.label("code").emit(inst);
        handlers(a);
      });
      expect({ inst, cause: t.hart.mcause, tval: t.hart.mtval }).toEqual({ inst, cause: 2n, tval: BigInt(inst >>> 0) });
    }
  });

  it("counter access from S/U follows mcounteren/scounteren", () => {
    const attempt = (mc: number, sc: number, priv: 0 | 1, csrNo: number) =>
      runProgram((a) => {
        withHandlers(a);
        a.emit(A.addi(1, 0, mc)).emit(A.csrw(CSR.mcounteren, 1)).emit(A.addi(1, 0, sc)).emit(A.csrw(CSR.scounteren, 1));
        enter(a, priv, "code");
        a.label("code").emit(A.csrr(3, csrNo)).emit(A.ebreak());
        handlers(a);
      }).hart.getX(30);
    expect(attempt(0, 7, 1, CSR.cycle)).toBe(1n);
    expect(attempt(1, 0, 1, CSR.cycle)).toBe(0n);
    expect(attempt(1, 0, 0, CSR.cycle)).toBe(1n);
    expect(attempt(7, 7, 0, CSR.instret)).toBe(0n);
    expect(attempt(5, 5, 0, CSR.time)).toBe(1n);
  });
});

describe("counters", () => {
  it("minstret/instret count retired instructions exactly; mcountinhibit stops them; writes take effect", () => {
    const h = r.run([
      A.csrr(1, CSR.minstret), // reads N
      A.nop(),
      A.nop(),
      A.csrr(2, CSR.instret), // N + 3
      A.addi(3, 0, 4),
      A.csrw(CSR.mcountinhibit, 3), // stop IR
      A.nop(),
      A.csrr(4, CSR.minstret),
      A.csrw(CSR.mcountinhibit, 0),
      A.addi(5, 0, 100),
      A.csrw(CSR.minstret, 5),
      A.csrr(6, CSR.minstret), // 100: the write is what the next instruction sees
      A.csrr(7, CSR.cycle),
    ]);
    expect(h.getX(2) - h.getX(1)).toBe(3n);
    expect(h.getX(4) - h.getX(2)).toBe(2n); // csrr(2) and addi counted; the inhibiting csrw itself, the nop: not
    expect(h.getX(6)).toBe(100n);
  });
  it("run() reports executed == minstret delta", () => {
    const rig = makeRig();
    const a = new A.Asm(RAM_BASE);
    a.label("l").emit(A.addi(1, 1, 1)).ref("l", (o) => A.jal(0, o));
    rig.ram.write(0, a.bytes());
    const res = rig.hart.run(12345);
    expect(res).toEqual({ executed: 12345, traps: 0, reason: "budget" });
    expect(rig.hart.minstret).toBe(12345n);
    expect(rig.hart.mcycle).toBe(12345n);
    expect(rig.hart.getX(1)).toBe(6173n);
  });
  it("time reads the supplied time source", () => {
    let now = 5n;
    const rig = makeRig({ timeSource: () => now });
    const a = new A.Asm(RAM_BASE);
    a.emit(A.csrr(1, CSR.time)).emit(A.ebreak());
    rig.ram.write(0, a.bytes());
    now = 0x1234_5678_9n;
    rig.hart.run(10);
    expect(rig.hart.getX(1)).toBe(0x1234_5678_9n);
  });
});

/** A rig whose program enables interrupts and spins; mtvec/stvec handlers stop. */
function irqRig(build: (a: A.Asm) => void): TestRig {
  const rig = makeRig();
  const a = new A.Asm(RAM_BASE);
  withHandlers(a);
  build(a);
  a.label("spin").emit(A.addi(20, 20, 1)).ref("spin", (o) => A.jal(0, o));
  handlers(a);
  rig.ram.write(0, a.bytes());
  return rig;
}

describe("interrupts", () => {
  it("machine timer interrupt taken when MTIE and MIE are set; mepc is the interrupted instruction", () => {
    const rig = irqRig((a) => a.emit(A.addi(1, 0, 1 << 7)).emit(A.csrw(CSR.mie, 1)).emit(A.csrsi(CSR.mstatus, MSTATUS.MIE)));
    rig.hart.run(100);
    expect(rig.hart.getX(30)).toBe(0n);
    rig.hart.setIrq(IRQ.MTI, true);
    const res = rig.hart.run(100);
    expect(res.reason).toBe("ebreak");
    expect(res.traps).toBe(1);
    expect(rig.hart.mcause).toBe(INT | 7n);
    const spin = rig.hart.mepc;
    expect(spin === BigInt(RAM_BASE + 0x24) || spin === BigInt(RAM_BASE + 0x28)).toBe(true);
    expect((rig.hart.mstatusValue >> 7n) & 1n).toBe(1n); // MPIE
  });
  it("masked when MIE = 0 in M-mode, or when mie bit is clear", () => {
    let rig = irqRig((a) => a.emit(A.addi(1, 0, 1 << 7)).emit(A.csrw(CSR.mie, 1)));
    rig.hart.setIrq(IRQ.MTI, true);
    expect(rig.hart.run(200).reason).toBe("budget");
    rig = irqRig((a) => a.emit(A.csrsi(CSR.mstatus, MSTATUS.MIE)));
    rig.hart.setIrq(IRQ.MTI, true);
    expect(rig.hart.run(200).reason).toBe("budget");
  });
  it("M interrupts are taken in U-mode even with mstatus.MIE = 0", () => {
    const rig = irqRig((a) => {
      a.emit(A.addi(1, 0, 1 << 3)).emit(A.csrw(CSR.mie, 1));
      enter(a, 0, "spin");
    });
    rig.hart.setIrq(IRQ.MSI, true);
    rig.hart.run(100);
    expect(rig.hart.mcause).toBe(INT | 3n);
    expect(rig.hart.getX(30)).toBe(1n);
  });
  it("priority: MEI > MSI > MTI > SEI > SSI > STI", () => {
    const order = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI];
    for (let k = 0; k < order.length; k++) {
      const rig = irqRig((a) => {
        a.li(1, 0xaaa).emit(A.csrw(CSR.mie, 1)); // not delegated: all go to M
        enter(a, 0, "spin");
      });
      for (const b of order.slice(k)) rig.hart.setIrq(b, true);
      rig.hart.run(100);
      expect(rig.hart.mcause).toBe(INT | BigInt(order[k]!));
    }
  });
  it("delegated STI goes to S (taken in U even with SIE = 0); not taken in M; M-level wins over S-level", () => {
    let rig = irqRig((a) => {
      a.li(1, 0xaaa).emit(A.csrw(CSR.mie, 1)).li(1, 0x222).emit(A.csrw(CSR.mideleg, 1));
      enter(a, 0, "spin");
    });
    rig.hart.setIrq(IRQ.STI, true);
    rig.hart.run(100);
    expect(rig.hart.getX(30)).toBe(2n);
    expect(rig.hart.scause).toBe(INT | 5n);
    expect(rig.hart.priv).toBe(1);

    rig = irqRig((a) => a.li(1, 0xaaa).emit(A.csrw(CSR.mie, 1)).li(1, 0x222).emit(A.csrw(CSR.mideleg, 1)).emit(A.csrsi(CSR.mstatus, 10)));
    rig.hart.setIrq(IRQ.STI, true);
    expect(rig.hart.run(200).reason).toBe("budget"); // S interrupts never interrupt M

    rig = irqRig((a) => {
      a.li(1, 0xaaa).emit(A.csrw(CSR.mie, 1)).li(1, 0x222).emit(A.csrw(CSR.mideleg, 1));
      enter(a, 1, "spin");
    });
    rig.hart.setIrq(IRQ.SEI, true);
    rig.hart.setIrq(IRQ.MTI, true);
    rig.hart.run(100);
    expect(rig.hart.mcause).toBe(INT | 7n);
    expect(rig.hart.getX(30)).toBe(1n);
  });
  it("S-level interrupt in S-mode needs SIE", () => {
    const rig = irqRig((a) => {
      a.li(1, 0xaaa).emit(A.csrw(CSR.mie, 1)).li(1, 0x222).emit(A.csrw(CSR.mideleg, 1));
      enter(a, 1, "sup");
      a.label("sup").emit(A.addi(21, 0, 1)).emit(A.csrsi(CSR.sstatus, 2));
    });
    rig.hart.setIrq(IRQ.SSI, true);
    rig.hart.run(100);
    expect(rig.hart.getX(30)).toBe(2n);
    expect(rig.hart.scause).toBe(INT | 1n);
    expect(rig.hart.getX(21)).toBe(1n);
  });
  it("vectored mtvec: interrupts jump to base + 4*cause, exceptions to base", () => {
    const rig = makeRig();
    const a = new A.Asm(RAM_BASE);
    a.li(1, RAM_BASE + 0x1001).emit(A.csrw(CSR.mtvec, 1)).li(1, 1 << 7).emit(A.csrw(CSR.mie, 1)).emit(A.csrsi(CSR.mstatus, 8));
    a.label("spin").ref("spin", (o) => A.jal(0, o));
    rig.ram.write(0, a.bytes());
    const ebreakAt = (off: number) => new DataView(rig.ram.data.buffer).setUint32(off, A.ebreak(), true);
    ebreakAt(0x1000);
    ebreakAt(0x1000 + 4 * 7);
    rig.hart.run(50);
    rig.hart.setIrq(IRQ.MTI, true);
    rig.hart.run(50);
    expect(rig.hart.getPc()).toBe(BigInt(RAM_BASE + 0x1000 + 28));
  });
  it("WFI: stops run() when nothing is pending, resumes after an interrupt becomes pending", () => {
    const rig = irqRig((a) => a.emit(A.addi(1, 0, 1 << 7)).emit(A.csrw(CSR.mie, 1)).emit(A.wfi()).emit(A.addi(22, 0, 5)));
    let res = rig.hart.run(1000);
    expect(res.reason).toBe("wfi");
    expect(rig.hart.wfi).toBe(true);
    const pc = rig.hart.getPc();
    res = rig.hart.run(1000);
    expect(res).toEqual({ executed: 0, traps: 0, reason: "wfi" });
    // pending but globally disabled (MIE = 0 in M): WFI completes, execution continues after it
    rig.hart.setIrq(IRQ.MTI, true);
    res = rig.hart.run(10);
    expect(rig.hart.getX(22)).toBe(5n);
    expect(rig.hart.wfi).toBe(false);
    expect(pc).toBe(BigInt(RAM_BASE + 0x24)); // just after the WFI
  });
  it("WFI with the interrupt enabled: the trap is taken on wake-up, mepc after the WFI", () => {
    const rig = irqRig((a) => a.emit(A.addi(1, 0, 1 << 7)).emit(A.csrw(CSR.mie, 1)).emit(A.csrsi(CSR.mstatus, 8)).emit(A.wfi()));
    expect(rig.hart.run(1000).reason).toBe("wfi");
    const pc = rig.hart.getPc();
    rig.hart.setIrq(IRQ.MTI, true);
    rig.hart.run(10);
    expect(rig.hart.mcause).toBe(INT | 7n);
    expect(rig.hart.mepc).toBe(pc);
  });
  it("requestStop() makes run() return", () => {
    const rig = irqRig(() => {});
    rig.hart.requestStop();
    expect(rig.hart.run(100)).toEqual({ executed: 0, traps: 0, reason: "stop" });
  });
});

describe("state export/import", () => {
  it("round-trips and continues identically", () => {
    const prog = (a: A.Asm) => {
      a.li(1, 0x1234_5678_9abc_def0n).li(2, 7).emit(A.csrw(CSR.mscratch, 1)).emit(A.addi(3, 0, 0));
      a.label("l").emit(A.mul(1, 1, 2)).emit(A.addi(1, 1, 3)).emit(A.addi(3, 3, 1)).ref("l", (o) => A.jal(0, o));
    };
    const r1 = makeRig();
    const a = new A.Asm(RAM_BASE);
    prog(a);
    r1.ram.write(0, a.bytes());
    r1.hart.setIrq(IRQ.SEI, true);
    r1.hart.run(1000);
    const st = r1.hart.exportState();
    expect(st.pc).toBe(r1.hart.getPc());
    expect(st.mstatus).toBe(0xa00000000n);
    expect(st.mscratch).toBe(0x1234_5678_9abc_def0n);
    expect(st.mip).toBe(0x200n);
    expect(st.external_seip).toBe(true);
    const r2 = makeRig();
    r2.ram.write(0, a.bytes());
    r2.hart.importState(st);
    r1.hart.run(777);
    r2.hart.run(777);
    expect(r2.hart.exportState()).toEqual(r1.hart.exportState());
  });
});
