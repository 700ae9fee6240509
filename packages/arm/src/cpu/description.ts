/**
 * The ARM CPU as QEMU 7.2 migrates it: the `cpu` section (target/arm/machine.c
 * vmstate_arm_cpu, version 22, minimum 22) with every subsection in QEMU's
 * order, laid out as a qemu-system-aarch64 build writes it (so `cpu/sve` and
 * `cpu/sme` are there). Keys are QEMU's vmdesc field names.
 *
 * Most system registers are not fields: they travel in the cpreg list
 * (`cpreg_vmstate_indexes` / `cpreg_vmstate_values`, see cpreg.ts).
 *
 * What QEMU's needed() rules read but does not migrate (CPU features, ID
 * register fields, CLIDR, MPU region counts) is kept as locals, filled by
 * createArmCpuState. A state loaded from a stream without them sends only
 * the subsections whose rule reads migrated data (`cpu/sme`, `cpu/serror`,
 * `cpu/irq-line-state`): load into createArmCpuState(config) to rewrite a
 * stream as it came.
 */
import {
  array,
  defineVMState,
  intAs,
  int32Le,
  subsection,
  timer,
  uint8,
  uint32,
  uint64,
  unused,
  varray,
  type Description,
  type FieldsState,
  type StateOf,
  type Subsection,
} from "@vmstate/core";
import { iwmmxtDescription, iwmmxtNeeded, thumb2eeDescription, thumb2eeNeeded } from "./aarch32.js";
import { readCpreg, Sysreg } from "./cpreg.js";
import { IRQ_LINE_STATE_UNSET, irqLineStateDescription, irqLineStateNeeded, serrorDescription, serrorNeeded } from "./interrupts.js";
import { mDescription, mNeeded, mSecurityDescription, mSecurityNeeded } from "./m-profile.js";
import { pmsav7Description, pmsav7Needed, pmsav7RnrDescription, pmsav7RnrNeeded, pmsav8Description, pmsav8Needed } from "./pmsa.js";
import { sveDescription, sveNeeded, zaDescription } from "./sve.js";
import { vfpDescription, vfpNeeded } from "./vfp.js";

/** The main section's fields, in QEMU's order. */
const cpuFields = {
  /** AArch32 r0..r15 (r15 is the PC in AArch32 state). */
  "env.regs": array(uint32, 16),
  "env.xregs": array(uint64, 32),
  "env.pc": uint64,
  /**
   * PSTATE as QEMU's pstate_read gives it in AArch64 state (nRW, bit 4, clear),
   * the CPSR (cpsr_read) in AArch32 state, the xPSR without its exception
   * number on M-profile. A be32 under the VMStateInfo name "cpsr".
   */
  cpsr: intAs(uint32, "cpsr"),
  "env.spsr": uint32,
  "env.banked_spsr": array(uint64, 8),
  "env.banked_r13": array(uint32, 8),
  "env.banked_r14": array(uint32, 8),
  "env.usr_regs": array(uint32, 5),
  "env.fiq_regs": array(uint32, 5),
  "env.elr_el": array(uint64, 4),
  "env.sp_el": array(uint64, 4),
  /** Entries in the two lists below; on load no more than the local value (VMSTATE_INT32_POSITIVE_LE). */
  cpreg_vmstate_array_len: int32Le,
  cpreg_vmstate_indexes: varray(uint64, "cpreg_vmstate_array_len"),
  cpreg_vmstate_values: varray(uint64, "cpreg_vmstate_array_len"),
  "env.exclusive_addr": uint64,
  "env.exclusive_val": uint64,
  "env.exclusive_high": uint64,
  unused: unused(8),
  "env.exception.syndrome": uint32,
  "env.exception.fsr": uint32,
  "env.exception.vaddress": uint64,
  /** Expiry (ns of the virtual clock) of the EL1 physical timer, -1 when not armed. */
  "gt_timer[0]": timer,
  /** Same for the EL1 virtual timer. */
  "gt_timer[1]": timer,
  /** One byte under the VMStateInfo name "powered_off": 1 when PSCI has the CPU off. */
  power_state: intAs(uint8, "powered_off"),
} as const;

/**
 * Read by needed() rules but not migrated (0 or 1 unless said otherwise):
 * - features.*: QEMU's ARM_FEATURE_AARCH64, _M, _V7, _V8, _PMSA, _IWMMXT,
 *   _THUMB2EE, _M_SECURITY;
 * - isar.*: ID register features aa64_fp_simd, aa32_vfp_simd, aa64_sve, aa32_mve;
 * - clidr: the CLIDR value (M-profile `cpu/m/csselr`);
 * - pmsav7_dregion, sau_sregion: MPU and SAU region counts (varray lengths).
 */
export const ARM_CPU_LOCALS = [
  "features.aarch64",
  "features.m",
  "features.v7",
  "features.v8",
  "features.pmsa",
  "features.iwmmxt",
  "features.thumb2ee",
  "features.m_security",
  "isar.aa64_fp_simd",
  "isar.aa32_vfp_simd",
  "isar.aa64_sve",
  "isar.aa32_mve",
  "clidr",
  "pmsav7_dregion",
  "sau_sregion",
] as const;

/** What a subsection's needed() may read besides its own fields: the main fields and the locals. */
export type ArmCpuMainState = FieldsState<typeof cpuFields> & { [K in (typeof ARM_CPU_LOCALS)[number]]: number };

function cpuSubsection<S>(desc: Description<S>, needed: (state: S & ArmCpuMainState) => boolean): Subsection<S> {
  return subsection<S, S & ArmCpuMainState>(desc, needed);
}

/** SVCR.ZA: SME's ZA storage is in use. */
export const SVCR_ZA = 0x2n;

/**
 * QEMU's za_needed: SVCR.ZA is set. SVCR is not a field; in QEMU it is in
 * the cpreg list, which pre_save has just filled from it, so the rule reads
 * the list (a CPU without SME has no SVCR there and never sends `cpu/sme`).
 */
export function zaNeeded(s: Parameters<typeof readCpreg>[0]): boolean {
  return ((readCpreg(s, Sysreg.SVCR) ?? 0n) & SVCR_ZA) !== 0n;
}

export const armCpuDescription = defineVMState({
  name: "cpu",
  version: 22,
  minimumVersion: 22,
  locals: ARM_CPU_LOCALS,
  fields: cpuFields,
  subsections: [
    cpuSubsection(vfpDescription, vfpNeeded),
    cpuSubsection(iwmmxtDescription, iwmmxtNeeded),
    cpuSubsection(mDescription, mNeeded),
    cpuSubsection(thumb2eeDescription, thumb2eeNeeded),
    // QEMU sends the M-profile region number before the regions, which its check reads.
    cpuSubsection(pmsav7RnrDescription, pmsav7RnrNeeded),
    cpuSubsection(pmsav7Description, pmsav7Needed),
    cpuSubsection(pmsav8Description, pmsav8Needed),
    cpuSubsection(mSecurityDescription, mSecurityNeeded),
    cpuSubsection(sveDescription, sveNeeded),
    cpuSubsection(zaDescription, zaNeeded),
    cpuSubsection(serrorDescription, serrorNeeded),
    cpuSubsection(irqLineStateDescription, irqLineStateNeeded),
  ],
  // As cpu_pre_load: a value no real line state has, to tell whether cpu/irq-line-state arrived.
  preLoad: (s) => {
    s["env.irq_line_state"] = IRQ_LINE_STATE_UNSET;
  },
  // QEMU then takes the line state from cpu_common's interrupt_request,
  // which is another section: a stream without the subsection (older than
  // QEMU 2.12) leaves no line raised here. The cpreg merge, hflags and
  // breakpoint updates of QEMU's post_load concern its run-time copies.
  postLoad: (s) => {
    if (s["env.irq_line_state"] === IRQ_LINE_STATE_UNSET) s["env.irq_line_state"] = 0;
  },
});

/** A CPU's whole state: the main fields, every subsection's fields and the locals. */
export type ArmCpuState = StateOf<typeof armCpuDescription>;
