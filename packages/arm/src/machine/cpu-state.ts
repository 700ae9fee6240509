/**
 * Between the interpreter's CPU (ArmArchState, ../interp/arch-state.ts) and
 * QEMU 7.2's `cpu` / `cpu_common` sections: copies the registers into the
 * migrated form before a save and back after a load. QEMU keeps the current
 * stack pointer in xregs[31] and the banked copy of the current level may be
 * stale, so a load takes the current SP from xregs[31].
 */
import { UnsupportedError, type CpuCommonState } from "@vmstate/core";
import { aa32CpregIndex, findCpreg, readCpreg, Sysreg, writeCpreg, type SysregName } from "../cpu/cpreg.js";
import type { ArmCpuState } from "../cpu/description.js";
import { IrqLine } from "../cpu/interrupts.js";
import { qRegKey } from "../cpu/vfp.js";
import { pstateFromValue, pstateValue, type ArmArchState } from "../interp/arch-state.js";
import { NS_PER_COUNTER_TICK } from "./layout.js";

/** Bits of FPSCR that are FPSR's and FPCR's (QEMU's FPSR_MASK, FPCR_MASK). */
const FPSR_MASK = 0xf800_009f;
const FPCR_MASK = 0x07ff_9f00;
/** CNTV_CTL_EL0.ISTATUS, which QEMU stores in the register. */
const CNT_CTL_ISTATUS = 4n;
/** The banked SPSR slot of EL1 (aarch64_banked_spsr_index(1)). */
const SPSR_EL1_BANK = 1;
/** QEMU's "not armed" timer expiry. */
const TIMER_UNARMED = -1n;
/** PSTATE.IL, PSTATE.nRW (AArch32) and PSTATE.EL as QEMU's cpsr field holds them. */
const PSTATE_IL = 1 << 20;
const PSTATE_NRW = 0x10;
const pstateEl = (cpsr: number) => (cpsr >>> 2) & 3;
const INT64_MAX = (1n << 63n) - 1n;

/**
 * PAR_EL1 is an alias in QEMU: it travels as the AArch32 64-bit PAR (NS
 * bank), after the 32-bit PAR view of its low half.
 */
const PAR64 = aa32CpregIndex({ cp: 15, opc1: 0, crn: 0, crm: 7, opc2: 0, is64: true, ns: true });
const PAR32 = aa32CpregIndex({ cp: 15, opc1: 0, crn: 7, crm: 4, opc2: 0, ns: true });

/** Arch-state system registers that travel in the cpreg list (which never grows: QEMU refuses a longer one). */
const CPREGS: readonly (readonly [SysregName, keyof ArmArchState])[] = [
  ["SCTLR_EL1", "sctlr_el1"],
  ["CPACR_EL1", "cpacr_el1"],
  ["TTBR0_EL1", "ttbr0_el1"],
  ["TTBR1_EL1", "ttbr1_el1"],
  ["TCR_EL1", "tcr_el1"],
  ["ESR_EL1", "esr_el1"],
  ["FAR_EL1", "far_el1"],
  ["MAIR_EL1", "mair_el1"],
  ["VBAR_EL1", "vbar_el1"],
  ["CONTEXTIDR_EL1", "contextidr_el1"],
  ["TPIDR_EL1", "tpidr_el1"],
  ["CNTKCTL_EL1", "cntkctl_el1"],
  ["CNTFRQ_EL0", "cntfrq_el0"],
  ["TPIDR_EL0", "tpidr_el0"],
  ["TPIDRRO_EL0", "tpidrro_el0"],
  ["CNTV_CVAL_EL0", "cntv_cval"],
];

/** The current SP's bank: SP_EL1 at EL1 with SPSel set, else SP_EL0. */
const currentSpIsEl1 = (a: ArmArchState) => a.pstate.el === 1 && a.pstate.spsel === 1;

/** `counter` is CNTVCT now: it decides ISTATUS and when QEMU's timer would fire. */
export function archToCpuState(a: ArmArchState, s: ArmCpuState, counter: bigint): void {
  s["env.xregs"].set(a.xregs);
  s["env.xregs"][31] = currentSpIsEl1(a) ? a.sp_el1 : a.sp_el0;
  s["env.pc"] = a.pc;
  s.cpsr = (pstateValue(a.pstate) | (a.illegal ? PSTATE_IL : 0)) >>> 0;
  s["env.sp_el"][0] = a.sp_el0;
  s["env.sp_el"][1] = a.sp_el1;
  s["env.elr_el"][1] = a.elr_el1;
  s["env.banked_spsr"][SPSR_EL1_BANK] = a.spsr_el1;
  for (const [reg, key] of CPREGS) writeCpreg(s, reg, a[key] as bigint, { insert: false });
  if (findCpreg(s, PAR32) >= 0) writeCpreg(s, PAR32, a.par_el1 & 0xffff_ffffn);
  if (findCpreg(s, PAR64) >= 0) writeCpreg(s, PAR64, a.par_el1);
  const enabled = (a.cntv_ctl & 1) !== 0;
  const fired = enabled && counter >= a.cntv_cval;
  writeCpreg(s, "CNTV_CTL_EL0", BigInt(a.cntv_ctl & 3) | (fired ? CNT_CTL_ISTATUS : 0n), { insert: false });
  // QEMU's gt_recalc_timer: while enabled the timer stays armed, for the compare value or,
  // once that is reached, for the end of time; a disabled timer is deleted.
  s["gt_timer[1]"] = !enabled ? TIMER_UNARMED : fired ? INT64_MAX : minBig(a.cntv_cval * NS_PER_COUNTER_TICK, INT64_MAX);
  s["gt_timer[0]"] = TIMER_UNARMED;
  for (let i = 0; i < 32; i++) {
    const q = s[qRegKey(i)];
    q[0] = a.vregs[2 * i]!;
    q[1] = a.vregs[2 * i + 1]!;
  }
  s.fpscr = ((a.fpsr & FPSR_MASK) | (a.fpcr & FPCR_MASK)) >>> 0;
  s["env.exclusive_addr"] = a.exclusive_addr;
  s["env.exclusive_val"] = a.exclusive_val;
  s["env.exclusive_high"] = a.exclusive_high;
  s.power_state = a.powered_off ? 1 : 0;
  s["env.irq_line_state"] = a.irq_line ? IrqLine.IRQ : 0;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * Fills `a` from a loaded state; what the stream does not carry (MPIDR, ...)
 * is left as it is. The interpreter runs AArch64 at EL0 and EL1 only: a CPU
 * saved in AArch32 state or at EL2/EL3 is refused.
 */
export function cpuStateToArch(s: ArmCpuState, a: ArmArchState): void {
  if (s.cpsr & PSTATE_NRW) throw new UnsupportedError(`the CPU was saved in AArch32 state (cpsr 0x${s.cpsr.toString(16)}); this interpreter runs AArch64 only`, { fieldPath: "cpsr" });
  if (pstateEl(s.cpsr) > 1) throw new UnsupportedError(`the CPU was saved at EL${pstateEl(s.cpsr)}; this interpreter runs EL0 and EL1 only`, { fieldPath: "cpsr" });
  a.xregs.set(s["env.xregs"].subarray(0, 31));
  a.pc = s["env.pc"];
  a.pstate = pstateFromValue(s.cpsr);
  a.illegal = (s.cpsr & PSTATE_IL) !== 0;
  a.sp_el0 = s["env.sp_el"][0]!;
  a.sp_el1 = s["env.sp_el"][1]!;
  if (currentSpIsEl1(a)) a.sp_el1 = s["env.xregs"][31]!;
  else a.sp_el0 = s["env.xregs"][31]!;
  a.elr_el1 = s["env.elr_el"][1]!;
  a.spsr_el1 = s["env.banked_spsr"][SPSR_EL1_BANK]!;
  for (const [reg, key] of CPREGS) {
    const v = readCpreg(s, Sysreg[reg]);
    if (v !== undefined) (a[key] as bigint) = v;
  }
  a.par_el1 = readCpreg(s, PAR64) ?? a.par_el1;
  a.cntv_ctl = Number((readCpreg(s, Sysreg.CNTV_CTL_EL0) ?? BigInt(a.cntv_ctl)) & 3n);
  for (let i = 0; i < 32; i++) {
    const q = s[qRegKey(i)];
    a.vregs[2 * i] = q[0]!;
    a.vregs[2 * i + 1] = q[1]!;
  }
  a.fpsr = (s.fpscr & FPSR_MASK) >>> 0;
  a.fpcr = (s.fpscr & FPCR_MASK) >>> 0;
  a.exclusive_addr = s["env.exclusive_addr"];
  a.exclusive_val = s["env.exclusive_val"];
  a.exclusive_high = s["env.exclusive_high"];
  a.powered_off = s.power_state !== 0;
  a.irq_line = (s["env.irq_line_state"] & IrqLine.IRQ) !== 0;
}

/** cpu_common: QEMU's halted covers WFI and a CPU that PSCI powered off. */
export function archToCommonState(a: ArmArchState, c: CpuCommonState): void {
  c.halted = a.wfi || a.powered_off ? 1 : 0;
  c.interrupt_request = a.irq_line ? IrqLine.IRQ : 0;
}

export function commonStateToArch(c: CpuCommonState, a: ArmArchState): void {
  a.wfi = c.halted !== 0 && !a.powered_off;
}
