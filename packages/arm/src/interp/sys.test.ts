import { describe, expect, it } from "vitest";
import { Program } from "../workload/asm.js";
import { emptyArchState, pstateFromValue, pstateValue } from "./arch-state.js";
import { A64Cpu } from "./cpu.js";
import { MiniVirt } from "./mini-virt.js";
import { PSCI } from "./sysregs.js";
import { makeRig, RAM_BASE, runProgram } from "./test-util.js";

const VEC = BigInt(RAM_BASE + 0x1000);

/**
 * Runs `body` at EL1 (BRK is an ordinary exception here) with a vector table at
 * RAM_BASE + 0x1000 whose every entry records ESR, ELR, FAR, SPSR and its own offset
 * (x20..x24) and counts (x25). Entries in `resume` return with ERET (past the faulting
 * instruction for synchronous exceptions other than SVC, which already point past it);
 * the others, and the end of `body`, wait in a WFI loop (run() stops with "wfi").
 */
function runVec(body: (p: Program) => void, resume: number[] = [], setup?: (cpu: A64Cpu) => void) {
  const rig = makeRig({ stopOnBrk: false });
  const p = new Program({ base: BigInt(RAM_BASE) });
  p.li("x9", VEC).msr("vbar_el1", "x9");
  body(p);
  p.label("end").wfi().b("end");
  p.align(4096, "nop");
  for (let i = 0; i < 16; i++) {
    const offset = i * 0x80;
    p.mrs("x20", "esr_el1").mrs("x21", "elr_el1").mrs("x22", "far_el1").mrs("x23", "spsr_el1").mov("x24", offset).add("x25", "x25", 1);
    if (resume.includes(offset)) {
      if ((offset & 0x180) === 0) p.lsr("x26", "x20", 26).cmp("x26", 0x15).b_eq(8).add("x21", "x21", 4).msr("elr_el1", "x21");
      p.eret();
    } else p.wfi().b(-4);
    p.align(128, "nop");
  }
  rig.ram.write(0, p.assemble().bytes);
  setup?.(rig.cpu);
  rig.cpu.run(100_000);
  return { ...rig, cpu: rig.cpu };
}

describe("branches", () => {
  it("b, bl, ret, br, blr, cbz/cbnz, tbz/tbnz, b.cond", () => {
    const r = runProgram((p) => {
      p.mov("x1", 0).bl("sub").add("x1", "x1", 100);
      p.adr("x2", "sub2").blr("x2").adr("x3", "skip").br("x3").mov("x1", 0xdead).label("skip");
      p.mov("x4", 0).cbz("x4", "z1").mov("x1", 0xbad).label("z1").cbnz("x4", "bad").mov("x5", 1n << 40n).tbnz("x5", 40, "t1").b("bad").label("t1").tbz("w5", 3, "t2").b("bad").label("t2");
      p.cmp("x1", 111).b_eq("done").label("bad").mov("x1", 0xbad).label("done").b("end");
      p.label("sub").add("x1", "x1", 1).ret();
      p.label("sub2").add("x1", "x1", 10).mov("x6", "x30").ret();
      p.label("end");
    });
    expect(r.cpu.getX(1)).toBe(111n);
    expect(r.cpu.getX(6)).toBe(BigInt(RAM_BASE + 5 * 4)); // return address of the blr
  });

  it("a branch to a misaligned address is a PC alignment fault; to an unmapped one an instruction abort", () => {
    const r = runVec((q) => q.li("x1", RAM_BASE + 0x802).br("x1"));
    expect(r.cpu.getX(20)).toBe(0x8a00_0000n); // EC 0x22
    expect(r.cpu.getX(22)).toBe(BigInt(RAM_BASE + 0x802));
    const s = runVec((q) => q.li("x1", 0x7000_0000).blr("x1"));
    expect(s.cpu.getX(20)).toBe(0x8600_0010n); // EC 0x21, external abort
    expect(s.cpu.getX(21)).toBe(0x7000_0000n);
    expect(s.cpu.getX(22)).toBe(0x7000_0000n);
    const t = runVec((q) => q.li("x1", 0xffff_0000_0000_0000n).br("x1"));
    expect(t.cpu.getX(20)).toBe(0x8600_0000n); // address size fault
    expect(t.cpu.getX(22)).toBe(0xffff_0000_0000_0000n);
  });
});

describe("exceptions", () => {
  it("SVC, BRK, UNDEFINED: ESR, ELR, SPSR, vector offset, and ERET back", () => {
    const r = runVec((q) => {
      q.li("x9", 0x6000_0000).msr("nzcv", "x9").svc(0x1234).mov("x10", "x20").mov("x11", "x21").mov("x12", "x23");
      q.brk(0x7).mov("x16", "x21");
      q.mov("x13", "x20").inst(0x0000_0000).mov("x14", "x20").mov("x15", "x24");
    }, [0x200]);
    const c = r.cpu;
    expect(c.getX(10)).toBe(0x5600_1234n); // EC 0x15, IL
    expect(c.getX(11)).toBe(BigInt(RAM_BASE + 4 * 6)); // ELR: after the svc (li x9 and li are 2 instructions each)
    expect(c.getX(12)).toBe(0x6000_03c5n); // SPSR: Z and C, DAIF masked, EL1h
    expect(c.getX(16)).toBe(BigInt(RAM_BASE + 4 * 9 + 4)); // ELR of a BRK is the BRK itself (index 9); the handler stepped over it
    expect(c.getX(13)).toBe(0xf200_0007n); // BRK: EC 0x3c
    expect(c.getX(14)).toBe(0x0200_0000n); // UNDEFINED
    expect(c.getX(15)).toBe(0x200n);
    expect(c.getX(25)).toBe(3n);
    expect(c.nzcv).toBe(0b0110);
    expect(c.stopReason).toBe("wfi");
  });

  it("SP_EL0 with SPSel = 0 uses the first vector group; SP banking follows SPSel", () => {
    const r = runVec((q) => {
      q.li("x1", 0x4001_0000).mov("sp", "x1").msr("spsel", 0).li("x2", 0x4002_0000).mov("sp", "x2").svc(1).mov("x3", "sp").mrs("x4", "spsel");
      q.msr("spsel", 1).mov("x5", "sp").mrs("x6", "sp_el0");
    }, [0x000]);
    const c = r.cpu;
    expect(c.getX(24)).toBe(0n); // current EL with SP_EL0
    expect(c.getX(3)).toBe(0x4002_0000n);
    expect(c.getX(4)).toBe(0n);
    expect(c.getX(5)).toBe(0x4001_0000n);
    expect(c.getX(6)).toBe(0x4002_0000n);
  });

  it("EL0: ERET there, SVC through the lower-EL vector and back; privileged registers are UNDEFINED at EL0", () => {
    const r = runVec((q) => {
      q.li("x1", 0x4003_0000).msr("sp_el0", "x1").li("x1", 0x77).msr("tpidr_el0", "x1");
      q.adr("x2", "user").msr("elr_el1", "x2").msr("spsr_el1", "xzr").eret();
      q.label("user").mov("x3", "sp").mrs("x4", "tpidr_el0").mrs("x5", "nzcv").svc(0x55).mov("x6", 6);
    }, [0x400]);
    const c = r.cpu;
    expect(c.getX(3)).toBe(0x4003_0000n);
    expect(c.getX(4)).toBe(0x77n);
    expect(c.getX(6)).toBe(6n);
    expect(c.getX(20)).toBe(0x5600_0055n);
    expect(c.getX(24)).toBe(0x400n);
    expect(pstateFromValue(Number(c.getX(23)))).toEqual({ nzcv: 0, daif: 0, el: 0, spsel: 0 });
    expect(c.el).toBe(0);
    const u = runVec((q) => q.adr("x2", "user").msr("elr_el1", "x2").msr("spsr_el1", "xzr").eret().label("user").mrs("x7", "sctlr_el1"));
    expect(u.cpu.getX(20)).toBe(0x0200_0000n);
    expect(u.cpu.getX(24)).toBe(0x400n);
  });

  it("an illegal exception return sets PSTATE.IL and the next instruction takes an Illegal State exception", () => {
    const r = runVec((q) => q.adr("x2", "next").msr("elr_el1", "x2").mov("x3", 0x10).msr("spsr_el1", "x3").eret().label("next").nop());
    expect(r.cpu.getX(20)).toBe(0x3a00_0000n); // EC 0x0e
    expect((Number(r.cpu.getX(23)) >>> 20) & 1).toBe(1); // SPSR.IL
  });

  it("FP and SIMD trap while CPACR_EL1.FPEN says so, also FPCR/FPSR and FP loads", () => {
    for (const [fpen, trapped] of [[0, true], [1, false], [2, true], [3, false]] as const) {
      const r = runVec((q) => q.mov("x1", fpen << 20).msr("cpacr_el1", "x1").li("x9", RAM_BASE).mov("sp", "x9").fmov("d0", 1.0).mrs("x2", "fpcr").ldr("d1", ["sp"]), [0x200]);
      expect(r.cpu.getX(25), `FPEN ${fpen}`).toBe(trapped ? 3n : 0n);
      if (trapped) expect(r.cpu.getX(20)).toBe(0x1fe0_0000n); // EC 0x07 as QEMU 7.2 reports it
    }
  });
});

describe("interrupts", () => {
  it("are taken when the line is high and PSTATE.I is clear, at the current-EL SP_ELx vector, with ELR = next instruction", () => {
    const r = runVec((q) => q.mov("x1", 1).mov("x2", 2).msr("daifclr", 2).mov("x3", 3).msr("daifset", 2).mov("x4", 4), [0x280], (cpu) => cpu.setIrq(true));
    const cpu = r.cpu;
    // masked until daifclr; level-triggered: taken again after each ERET while the line stays high
    expect(cpu.getX(24)).toBe(0x280n);
    expect(cpu.getX(21)).toBe(BigInt(RAM_BASE + 6 * 4)); // ELR: the mov x3 after daifclr
    expect(cpu.getX(25)).toBeGreaterThan(100n);
    expect(cpu.getX(3)).toBe(0n);
    cpu.setIrq(false);
    cpu.run(100);
    expect(cpu.getX(3)).toBe(3n);
    expect(cpu.getX(4)).toBe(4n);
    expect(cpu.stopReason).toBe("wfi");
  });

  it("from EL0 go to the lower-EL IRQ vector", () => {
    const r = runVec((q) => q.adr("x2", "user").msr("elr_el1", "x2").msr("spsr_el1", "xzr").eret().label("user").mov("x5", 5).label("spin").b("spin"), [], (cpu) => cpu.setIrq(true));
    expect(r.cpu.getX(24)).toBe(0x480n);
    expect(r.cpu.getX(5)).toBe(0n); // taken before the first EL0 instruction: PSTATE.I is clear there
  });

  it("WFI stops run() until an interrupt is pending, even a masked one", () => {
    const rig = makeRig();
    const prog = new Program({ base: BigInt(RAM_BASE) });
    prog.mov("x1", 1).wfi().mov("x2", 2).brk(0);
    rig.ram.write(0, prog.assemble().bytes);
    const cpu = rig.cpu;
    expect(cpu.run(100)).toBe(2);
    expect(cpu.stopReason).toBe("wfi");
    expect(cpu.getPc()).toBe(BigInt(RAM_BASE + 8)); // after the WFI, as QEMU reports a halted CPU
    expect(cpu.run(100)).toBe(0);
    cpu.setIrq(true); // masked (DAIF.I set): wakes, not taken
    cpu.run(100);
    expect(cpu.stopReason).toBe("brk");
    expect(cpu.getX(2)).toBe(2n);
  });
});

describe("system registers and the generic timer", () => {
  it("read back what a bare-metal guest writes, with QEMU's masks", () => {
    let now = 1000n;
    const r = runProgram(
      (p) => {
        p.li("x1", 0x1234_5678_9abc_def0n);
        for (const reg of ["tpidr_el0", "tpidr_el1", "tpidrro_el0", "mair_el1", "tcr_el1", "ttbr0_el1", "elr_el1", "far_el1"] as const) p.msr(reg, "x1");
        p.msr("vbar_el1", "x1").mrs("x2", "vbar_el1").msr("cpacr_el1", "x1").mrs("x3", "cpacr_el1").mov("x9", 3 << 20).msr("cpacr_el1", "x9");
        p.mrs("x4", "tpidr_el0").mrs("x5", "mair_el1").mrs("x6", "currentel").mrs("x7", "mpidr_el1").mrs("x8", "cntfrq_el0");
        p.mrs("x10", "daif").msr("daifclr", 0b1010).mrs("x11", "daif").msr("daif", "xzr").mrs("x12", "daif").msr("daifset", 15);
        p.mrs("x13", "cntvct_el0").li("x14", 1500).msr("cntv_cval_el0", "x14").mov("x15", 1).msr("cntv_ctl_el0", "x15").mrs("x16", "cntv_ctl_el0").mrs("x17", "cntv_tval_el0");
        p.li("x18", 0x07ff_ffffn).msr("fpcr", "x18").mrs("x19", "fpcr").mov("x18", -1).msr("fpsr", "x18").mrs("x20", "fpsr").msr("fpsr", "xzr").mrs("x21", "midr_el1").mrs("x22", "id_aa64pfr0_el1");
      },
      undefined,
      { cpuIndex: 17, timeSource: () => now },
    );
    const c = r.cpu;
    expect(c.getX(2)).toBe(0x1234_5678_9abc_dee0n); // bits 4:0 masked
    expect(c.getX(3)).toBe(0x0030_0000n & 0x1234_5678_9abc_def0n); // FPEN only
    expect(c.getX(4)).toBe(0x1234_5678_9abc_def0n);
    expect(c.getX(5)).toBe(0x1234_5678_9abc_def0n);
    expect(c.getX(6)).toBe(4n);
    expect(c.getX(7)).toBe(0x8000_0101n); // cluster 1, core 1
    expect(c.getX(8)).toBe(62_500_000n);
    expect([c.getX(10), c.getX(11), c.getX(12)]).toEqual([0x3c0n, 0x140n, 0n]);
    expect(c.getX(13)).toBe(1000n);
    expect(c.getX(16)).toBe(1n); // enabled, not yet fired
    expect(c.getX(17)).toBe(500n);
    expect(c.getX(19)).toBe(0x07f7_9f00n & 0x07ff_ffffn);
    expect(c.getX(20)).toBe(0xf800_009fn);
    expect(c.getX(21)).toBe(0x411f_d070n);
    expect(c.getX(22)).toBe(0x2222n);
    expect(c.timerIrqPending()).toBe(false);
    expect(c.timerDeadline()).toBe(1500n);
    now = 1500n;
    expect(c.timerIrqPending()).toBe(true);
    c.cntvCtl |= 2; // IMASK
    expect(c.timerIrqPending()).toBe(false);
    expect(c.timerDeadline()).toBeUndefined();
  });

  it("SysregHandler takes the registers the CPU does not know", () => {
    const seen: string[] = [];
    const r = runProgram((p) => p.mov("x1", 7).msr("icc_sre_el1", "x1").mrs("x2", "icc_iar1_el1"), undefined, {
      sysregs: {
        read: (key) => (seen.push(`r${key.toString(16)}`), 27n),
        write: (key, v) => (seen.push(`w${key.toString(16)}=${v}`), true),
      },
    });
    expect(r.cpu.getX(2)).toBe(27n);
    expect(seen).toEqual(["wc665=7", "rc660"]);
  });

  it("DC ZVA zeroes 64 bytes; IC/DC maintenance and barriers are accepted", () => {
    const r = runProgram((p) => {
      p.li("x1", RAM_BASE + 0x8_0000).mov("x2", -1);
      for (let i = 0; i < 80; i += 8) p.str("x2", ["x1", i]);
      p.add("x3", "x1", 17).dc("zva", "x3").dc("civac", "x1").ic("iallu").dmb("ish").dsb("sy").isb().ldr("x4", ["x1", 56]).ldr("x5", ["x1", 64]);
    });
    expect(r.cpu.getX(4)).toBe(0n);
    expect(r.cpu.getX(5)).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe("PSCI through HVC", () => {
  it("PSCI_VERSION, FEATURES, CPU_ON of a second CPU, AFFINITY_INFO, CPU_OFF, unknown ids", () => {
    const m = new MiniVirt({ cpus: 2, ramSize: 1 << 20 });
    const prog = new Program({ base: BigInt(RAM_BASE) });
    prog.label("_start").mrs("x9", "mpidr_el1").and("x9", "x9", 0xff).cbnz("x9", "second");
    prog.li("x0", PSCI.VERSION).hvc(0).mov("x19", "x0");
    prog.li("x0", PSCI.FEATURES).li("x1", PSCI.CPU_ON64).hvc(0).mov("x20", "x0");
    prog.li("x0", PSCI.CPU_ON64).mov("x1", 1).adr("x2", "_start").li("x3", 0xc0ffee).hvc(0).mov("x21", "x0");
    prog.li("x0", PSCI.CPU_ON64).mov("x1", 1).adr("x2", "_start").mov("x3", 0).hvc(0).mov("x22", "x0"); // already on
    prog.li("x0", PSCI.CPU_ON64).mov("x1", 9).adr("x2", "_start").mov("x3", 0).hvc(0).mov("x23", "x0"); // no such CPU
    prog.li("x0", 0x8400_00ffn).hvc(0).mov("x24", "x0");
    prog.label("wait").li("x0", PSCI.AFFINITY_INFO64).mov("x1", 1).mov("x2", 0).hvc(0).cbz("x0", "wait").mov("x25", "x0").wfi().b("wait");
    prog.label("second").mov("x19", "x0").li("x0", PSCI.CPU_OFF).hvc(0).b("second");
    const a = prog.assemble();
    m.load(a.bytes, BigInt(RAM_BASE), BigInt(RAM_BASE));
    m.run(() => m.cpus[0]!.getX(25) !== 0n, 1000);
    const [c0, c1] = m.cpus as [A64Cpu, A64Cpu];
    expect(c0.getX(19)).toBe(0x10001n);
    expect(c0.getX(20)).toBe(0n);
    expect(c0.getX(21)).toBe(0n);
    expect(c0.getX(22)).toBe(BigInt.asUintN(64, -4n)); // ALREADY_ON
    expect(c0.getX(23)).toBe(BigInt.asUintN(64, -2n)); // INVALID_PARAMETERS
    expect(c0.getX(24)).toBe(BigInt.asUintN(64, -1n)); // NOT_SUPPORTED
    expect(c0.getX(25)).toBe(1n); // the second CPU turned itself off
    expect(c1.poweredOff).toBe(true);
    expect(c1.getX(19)).toBe(0xc0ffeen); // context id in x0 at its entry
  });

  it("SYSTEM_OFF powers the caller off and tells the machine; HVC without a PSCI handler is UNDEFINED", () => {
    const m = new MiniVirt({ cpus: 1, ramSize: 1 << 20 });
    const prog = new Program({ base: BigInt(RAM_BASE) });
    prog.li("x0", PSCI.SYSTEM_OFF).hvc(0).mov("x1", 1);
    m.load(prog.assemble().bytes, BigInt(RAM_BASE), BigInt(RAM_BASE));
    m.run(() => false, 10);
    expect(m.shutdown).toBe(true);
    expect(m.cpus[0]!.poweredOff).toBe(true);
    expect(m.cpus[0]!.getX(1)).toBe(0n);
    const r = runVec((q) => q.hvc(0));
    expect(r.cpu.getX(20)).toBe(0x0200_0000n);
  });
});

describe("exportState / importState", () => {
  it("round-trip every field, including the banked SPs and the V registers", () => {
    const r = runProgram((p) => {
      p.li("x1", 0x4001_0000).mov("sp", "x1").li("x2", 0x4002_0000).msr("sp_el0", "x2").li("x3", 0x1234_5678_9abc_def0n).fmov("d5", "x3").fmov("v5.d[1]", "x1");
      p.li("x4", 0x5000_0000).msr("nzcv", "x4").li("x6", RAM_BASE + 0x8_0000).ldxr("x7", ["x6"]).msr("tpidr_el1", "x3").mov("x8", 1).msr("cntv_ctl_el0", "x8");
    });
    const s = r.cpu.exportState();
    expect(s.sp_el1).toBe(0x4001_0000n);
    expect(s.sp_el0).toBe(0x4002_0000n);
    expect(s.pstate).toEqual({ nzcv: 5, daif: 15, el: 1, spsel: 1 });
    expect(pstateValue(s.pstate)).toBe(0x5000_03c5);
    expect(s.vregs[10]).toBe(0x1234_5678_9abc_def0n);
    expect(s.vregs[11]).toBe(0x4001_0000n);
    expect(s.exclusive_addr).toBe(BigInt(RAM_BASE + 0x8_0000));
    expect(s.tpidr_el1).toBe(0x1234_5678_9abc_def0n);
    expect(s.cntv_ctl).toBe(1);

    const other = new A64Cpu(makeRig().bus);
    other.importState(s);
    expect(other.exportState()).toEqual(s);
    // switching to SP_EL0 afterwards sees the imported bank
    other.importState({ ...s, pstate: { ...s.pstate, spsel: 0 } });
    expect(other.getSp()).toBe(0x4002_0000n);
    expect(other.exportState().sp_el1).toBe(0x4001_0000n);
    const e = emptyArchState();
    other.importState(e);
    expect(other.exportState()).toEqual({ ...e, mpidr_el1: e.mpidr_el1 });
  });
});

describe("speed", () => {
  it("runs a simple loop at a useful rate (MIPS printed)", () => {
    const rig = makeRig();
    const prog = new Program({ base: BigInt(RAM_BASE) });
    prog.mov("x1", 0).li("x9", 3_000_000).label("top").add("x1", "x1", "x9").eor("x2", "x1", "x9", "lsl #3").subs("x9", "x9", 1).b_ne("top").brk(0);
    rig.ram.write(0, prog.assemble().bytes);
    const t0 = performance.now();
    const n = rig.cpu.run(100_000_000);
    const mips = n / (performance.now() - t0) / 1000;
    console.log(`simple loop: ${n} instructions, ${mips.toFixed(1)} MIPS`);
    expect(n).toBe(3 + 4 * 3_000_000 + 1); // mov, li (2), the loop, brk
    expect(mips).toBeGreaterThan(2);
  });
});

describe("a GICv3 CPU interface", () => {
  it("shows in ID_AA64PFR0_EL1.GIC only when the machine has one, as QEMU's does", () => {
    const read = (gicSystemRegisters: boolean) => runProgram((p) => p.mrs("x0", "id_aa64pfr0_el1"), undefined, { gicSystemRegisters }).cpu.getX(0);
    expect(read(false)).toBe(0x2222n);
    expect(read(true)).toBe(0x100_2222n);
  });

  it("CNTFRQ_EL0 written at EL1 travels in the exported state", () => {
    const { cpu } = runProgram((p) => p.movz("x0", 0x1234).msr("cntfrq_el0", "x0"));
    const s = cpu.exportState();
    expect(s.cntfrq_el0).toBe(0x1234n);
    const other = makeRig().cpu;
    other.importState(s);
    expect(other.cntfrq).toBe(0x1234n);
  });
});
