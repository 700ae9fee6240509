import { createCpuCommonState, createState } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { readCpreg, Sysreg } from "../cpu/cpreg.js";
import { armCpuDescription } from "../cpu/description.js";
import { createArmCpuState } from "../cpu/reset.js";
import { emptyArchState, type ArmArchState } from "../interp/arch-state.js";
import { archToCommonState, archToCpuState, commonStateToArch, cpuStateToArch } from "./cpu-state.js";

/** A state with every field set to something distinct (xorshift values). */
function busyState(seed: bigint): ArmArchState {
  let x = seed;
  const next = () => {
    x ^= (x << 13n) & 0xffff_ffff_ffff_ffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffff_ffff_ffff_ffffn;
    return x;
  };
  const a = emptyArchState();
  for (let i = 0; i < 31; i++) a.xregs[i] = next();
  for (let i = 0; i < 64; i++) a.vregs[i] = next();
  Object.assign(a, {
    sp_el0: next(), sp_el1: next(), pc: next() & ~3n, elr_el1: next(), spsr_el1: next() & 0xf000_03c5n, esr_el1: next() & 0xffff_ffffn,
    far_el1: next(), vbar_el1: next() & ~0x7ffn, sctlr_el1: next() & 0xffff_ffffn, cpacr_el1: 3n << 20n, tpidr_el0: next(), tpidr_el1: next(),
    tpidrro_el0: next(), contextidr_el1: next() & 0xffff_ffffn, par_el1: next(), mair_el1: next(), tcr_el1: next(), ttbr0_el1: next(),
    ttbr1_el1: next(), cntkctl_el1: next() & 0x3ffn, cntv_ctl: 1, cntv_cval: 5000n, fpcr: 0x0340_0000, fpsr: 0x8000_0011,
    exclusive_addr: 0x4030_0040n, exclusive_val: next(), exclusive_high: next(), irq_line: true,
    illegal: true, powered_off: true, cntfrq_el0: 1_000_000n,
  });
  a.pstate = { nzcv: 0b1010, daif: 0b0101, el: 1, spsel: 0 };
  return a;
}

describe("the interpreter's state in QEMU's cpu section", () => {
  it.each([
    ["EL1t", { el: 1, spsel: 0 }],
    ["EL1h", { el: 1, spsel: 1 }],
    ["EL0t", { el: 0, spsel: 0 }],
  ] as const)("goes there and back unchanged at %s", (_name, level) => {
    const a = busyState(0x1234_5678_9abc_def1n);
    a.pstate = { ...a.pstate, ...level };
    const s = createArmCpuState();
    const lengthBefore = s.cpreg_vmstate_array_len;
    archToCpuState(a, s, 1000n);
    // The cpreg list is the model's: QEMU refuses a stream with registers its CPU lacks.
    expect(s.cpreg_vmstate_array_len).toBe(lengthBefore);
    const back = emptyArchState();
    back.mpidr_el1 = a.mpidr_el1;
    cpuStateToArch(s, back);
    back.wfi = a.wfi;
    expect(back).toEqual(a);
  });

  it("puts values where QEMU keeps them", () => {
    const a = busyState(99n);
    a.pstate = { nzcv: 0b0100, daif: 0xf, el: 1, spsel: 1 };
    const s = createArmCpuState();
    archToCpuState(a, s, 1000n);
    expect(s["env.xregs"][31]).toBe(a.sp_el1); // the current SP
    expect(s.cpsr).toBe(0x4010_03c5); // Z, DAIF, EL1h, and IL (bit 20)
    expect(s["env.banked_spsr"][1]).toBe(a.spsr_el1);
    expect(s.fpscr).toBe((0x0340_0000 | 0x8000_0011) >>> 0);
    expect(readCpreg(s, Sysreg.VBAR_EL1)).toBe(a.vbar_el1);
    // Enabled, compare value 5000 not reached at count 1000: armed for 5000 ticks of 16 ns, ISTATUS clear.
    expect(readCpreg(s, Sysreg.CNTV_CTL_EL0)).toBe(1n);
    expect(s["gt_timer[1]"]).toBe(80_000n);
    // Reached: ISTATUS set, and QEMU leaves the timer armed for the end of time.
    archToCpuState(a, s, 6000n);
    expect(readCpreg(s, Sysreg.CNTV_CTL_EL0)).toBe(5n);
    expect(s["gt_timer[1]"]).toBe((1n << 63n) - 1n);
    // Disabled: deleted.
    archToCpuState({ ...a, cntv_ctl: 0 }, s, 6000n);
    expect(s["gt_timer[1]"]).toBe(-1n);
    archToCpuState({ ...a, illegal: false }, s, 6000n);
    expect(s.cpsr).toBe(0x4000_03c5);
    expect(s["env.irq_line_state"]).toBe(2);
  });

  it("takes the current SP from xregs[31] of a QEMU stream, whose banked copy may be stale", () => {
    const s = createState(armCpuDescription);
    s.cpsr = 0x3c5; // EL1h
    s["env.sp_el"][1] = 0x1111n;
    s["env.xregs"][31] = 0x4070_0000n;
    const a = emptyArchState();
    cpuStateToArch(s, a);
    expect(a.sp_el1).toBe(0x4070_0000n);
  });

  it.each([
    ["AArch32 state", 0x1d3, /AArch32/],
    ["EL2", 0x3c9, /EL2/],
    ["EL3", 0x3cd, /EL3/],
  ])("refuses a CPU saved in %s, which the interpreter cannot run", (_name, cpsr, message) => {
    const s = createState(armCpuDescription);
    s.cpsr = cpsr;
    expect(() => cpuStateToArch(s, emptyArchState())).toThrow(message);
  });

  it("carries WFI and power-off in cpu_common's halted", () => {
    const c = createCpuCommonState();
    const a = emptyArchState();
    a.wfi = true;
    archToCommonState(a, c);
    expect(c.halted).toBe(1);
    const back = emptyArchState();
    commonStateToArch(c, back);
    expect(back.wfi).toBe(true);
    back.powered_off = true;
    commonStateToArch(c, back);
    expect(back.wfi).toBe(false);
    // A CPU that PSCI powered off is halted too (QEMU's arm_set_cpu_off).
    archToCommonState({ ...emptyArchState(), powered_off: true }, c);
    expect(c.halted).toBe(1);
    archToCommonState(emptyArchState(), c);
    expect(c.halted).toBe(0);
  });
});
