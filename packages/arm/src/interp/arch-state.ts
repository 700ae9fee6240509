/**
 * The architectural state of one AArch64 CPU as the interpreter keeps it, as
 * a plain value (exportState/importState).
 *
 * Field names follow QEMU 7.2's CPUARMState so the mapping onto the `cpu`
 * migration section (../cpu/description.ts) is direct:
 *   xregs[0..30]        env.xregs[0..30] (QEMU's xregs[31] is the current SP:
 *                       sp_el1 at EL1 with SPSel = 1, else sp_el0)
 *   sp_el0, sp_el1      env.sp_el[0], env.sp_el[1]
 *   pc                  env.pc
 *   pstate              the `cpsr` field: pstateValue(pstate) (NZCV, DAIF, EL, SPSel; nRW = 0)
 *   elr_el1             env.elr_el[1]
 *   spsr_el1            env.banked_spsr[1] (aarch64_banked_spsr_index(1))
 *   vregs               the vfp subsection's zregs: v<i> = vregs[2i] (d[0]) | vregs[2i+1] (d[1])
 *   fpcr, fpsr          vfp: fpcr / fpsr
 *   exclusive_*         env.exclusive_addr / _val / _high
 *   powered_off         power_state (1 = off)
 *   the EL1 system registers, tpidr_*, cntkctl, cntv_*
 *                       the cpreg list (Sysreg.SCTLR_EL1, ...; CNTV_CTL_EL0 and
 *                       CNTV_CVAL_EL0 for the virtual timer)
 *   esr_el1, far_el1    cpreg list (ESR_EL1, FAR_EL1)
 * 64-bit values are bigints holding the unsigned value.
 */
export interface ArmPstate {
  /** N, Z, C, V as bits 3..0 (PSTATE bits 31..28). */
  nzcv: number;
  /** D, A, I, F as bits 3..0 (PSTATE bits 9..6). */
  daif: number;
  /** Exception level: 0 or 1. */
  el: 0 | 1;
  /** SP selection at EL1: 0 = SP_EL0, 1 = SP_EL1. */
  spsel: 0 | 1;
}

export interface ArmArchState {
  /** x0..x30. */
  xregs: BigUint64Array;
  sp_el0: bigint;
  sp_el1: bigint;
  pc: bigint;
  pstate: ArmPstate;
  /** PSTATE.IL after an illegal exception return (the next instruction traps). */
  illegal: boolean;

  elr_el1: bigint;
  spsr_el1: bigint;
  esr_el1: bigint;
  far_el1: bigint;
  vbar_el1: bigint;
  sctlr_el1: bigint;
  cpacr_el1: bigint;
  tpidr_el0: bigint;
  tpidr_el1: bigint;
  tpidrro_el0: bigint;
  contextidr_el1: bigint;
  par_el1: bigint;
  /** Stored only: there is no MMU (SCTLR_EL1.M is ignored; addresses are physical). */
  mair_el1: bigint;
  tcr_el1: bigint;
  ttbr0_el1: bigint;
  ttbr1_el1: bigint;
  cntkctl_el1: bigint;
  /** CNTFRQ_EL0 (writable at EL1, as in QEMU). */
  cntfrq_el0: bigint;
  /** CNTV_CTL_EL0 bits ENABLE (0) and IMASK (1); ISTATUS is computed. */
  cntv_ctl: number;
  cntv_cval: bigint;
  /** MPIDR_EL1 as the guest reads it (bit 31 set). */
  mpidr_el1: bigint;

  /** V0..V31, two 64-bit halves each: vregs[2i] bits 63:0, vregs[2i+1] bits 127:64. */
  vregs: BigUint64Array;
  fpcr: number;
  fpsr: number;

  /** Address of the last load-exclusive, all ones when the monitor is open (as QEMU). */
  exclusive_addr: bigint;
  /** The value it loaded (the first register of a pair). */
  exclusive_val: bigint;
  /** The second value of a load-exclusive pair. */
  exclusive_high: bigint;

  /** In WFI, waiting for an interrupt (QEMU: CPUState.halted). */
  wfi: boolean;
  /** Powered off by PSCI (or never powered on). */
  powered_off: boolean;
  /** State of the IRQ input line. */
  irq_line: boolean;
}

/** The 32-bit PSTATE/SPSR value of a pstate (QEMU's pstate_read in AArch64 state). */
export function pstateValue(p: ArmPstate): number {
  return ((p.nzcv << 28) | (p.daif << 6) | (p.el << 2) | p.spsel) >>> 0;
}

/** The inverse of pstateValue (other bits are dropped). */
export function pstateFromValue(v: number): ArmPstate {
  return { nzcv: (v >>> 28) & 15, daif: (v >>> 6) & 15, el: ((v >>> 2) & 3) === 0 ? 0 : 1, spsel: (v & 1) as 0 | 1 };
}

/** A zeroed state at EL1h with interrupts masked, as QEMU's reset leaves a cortex-a57 (SCTLR_EL1 = 0x00c50838). */
export function emptyArchState(): ArmArchState {
  return {
    xregs: new BigUint64Array(31),
    sp_el0: 0n,
    sp_el1: 0n,
    pc: 0n,
    pstate: { nzcv: 0, daif: 15, el: 1, spsel: 1 },
    illegal: false,
    elr_el1: 0n,
    spsr_el1: 0n,
    esr_el1: 0n,
    far_el1: 0n,
    vbar_el1: 0n,
    sctlr_el1: 0x00c5_0838n,
    cpacr_el1: 0n,
    tpidr_el0: 0n,
    tpidr_el1: 0n,
    tpidrro_el0: 0n,
    contextidr_el1: 0n,
    par_el1: 0n,
    mair_el1: 0n,
    tcr_el1: 0n,
    ttbr0_el1: 0n,
    ttbr1_el1: 0n,
    cntkctl_el1: 0n,
    cntfrq_el0: 62_500_000n,
    cntv_ctl: 0,
    cntv_cval: 0n,
    mpidr_el1: 0x8000_0000n,
    vregs: new BigUint64Array(64),
    fpcr: 0,
    fpsr: 0,
    exclusive_addr: 0xffff_ffff_ffff_ffffn,
    exclusive_val: 0n,
    exclusive_high: 0n,
    wfi: false,
    powered_off: false,
    irq_line: false,
  };
}
