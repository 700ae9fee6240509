/**
 * The riscv64 hart as QEMU 7.2 migrates it: the `cpu` section
 * (target/riscv/machine.c vmstate_riscv_cpu, version 5, minimum 5), with
 * every subsection in QEMU's order. Keys are QEMU's vmdesc field names, so a
 * typed state reads like the vmdesc-driven one (`state["env.pc"]`).
 *
 * QEMU's target_ulong fields are uint64 on riscv64; they are written as such.
 * QEMU's post_load recomputes the effective XLEN and the pointer-masking
 * masks, which are derived, unmigrated state: there is no hook here.
 */
import {
  array,
  defineVMState,
  field,
  struct,
  subsection,
  uint8,
  uint32,
  uint64,
  type Description,
  type FieldsState,
  type StateOf,
  type Subsection,
} from "@vmstate/core";
import { IPRIO_COUNT, RV_MAX_MHPMCOUNTERS, RV_MAX_MHPMEVENTS } from "./constants.js";
import { debugDescription, debugNeeded } from "./debug.js";
import { envcfgDescription, envcfgNeeded } from "./envcfg.js";
import { fpFlagsDescription, fpFlagsNeeded, type FpFlagsState } from "./fp-flags.js";
import { hyperDescription, hyperNeeded } from "./hyper.js";
import { kvmTimerDescription, kvmTimerNeeded } from "./kvm-timer.js";
import { pmpDescription, pmpNeeded } from "./pmp.js";
import { PMU_COUNTER_MEM_SIZE, pmuCounterDescription } from "./pmu.js";
import { pointerMaskingDescription, pointerMaskingNeeded } from "./pointer-masking.js";
import { rv128Description, rv128Needed } from "./rv128.js";
import { vectorDescription, vectorNeeded } from "./vector.js";

/** The main section's fields, in QEMU's order. */
const cpuFields = {
  "env.gpr": array(uint64, 32),
  "env.fpr": array(uint64, 32),
  "env.miprio": array(uint8, IPRIO_COUNT),
  "env.siprio": array(uint8, IPRIO_COUNT),
  "env.pc": uint64,
  "env.load_res": uint64,
  "env.load_val": uint64,
  "env.frm": uint64,
  "env.badaddr": uint64,
  "env.guest_phys_fault_addr": uint64,
  "env.priv_ver": uint64,
  "env.vext_ver": uint64,
  "env.misa_mxl": uint32,
  "env.misa_ext": uint32,
  "env.misa_mxl_max": uint32,
  "env.misa_ext_mask": uint32,
  "env.features": uint32,
  "env.priv": uint64,
  "env.virt": uint64,
  "env.resetvec": uint64,
  "env.mhartid": uint64,
  "env.mstatus": uint64,
  "env.mip": uint64,
  "env.miclaim": uint64,
  "env.mie": uint64,
  "env.mideleg": uint64,
  "env.satp": uint64,
  "env.stval": uint64,
  "env.medeleg": uint64,
  "env.stvec": uint64,
  "env.sepc": uint64,
  "env.scause": uint64,
  "env.mtvec": uint64,
  "env.mepc": uint64,
  "env.mcause": uint64,
  "env.mtval": uint64,
  "env.miselect": uint64,
  "env.siselect": uint64,
  "env.scounteren": uint64,
  "env.mcounteren": uint64,
  "env.mcountinhibit": uint64,
  "env.pmu_ctrs": field(array(struct(pmuCounterDescription), RV_MAX_MHPMCOUNTERS), { memSize: PMU_COUNTER_MEM_SIZE }),
  "env.mhpmevent_val": array(uint64, RV_MAX_MHPMEVENTS),
  "env.mhpmeventh_val": array(uint64, RV_MAX_MHPMEVENTS),
  "env.sscratch": uint64,
  "env.mscratch": uint64,
  "env.mfromhost": uint64,
  "env.mtohost": uint64,
  "env.stimecmp": uint64,
} as const;

/**
 * Read by a needed() but not migrated: `accel.kvm` (nonzero when the hart
 * runs under KVM) decides cpu/kvmtimer, as kvm_enabled() does in QEMU.
 */
const cpuLocals = ["accel.kvm"] as const;

/** What a subsection's needed() may read besides its own fields: the main section's fields and the locals. */
export type RiscvCpuMainState = FieldsState<typeof cpuFields> & { [K in (typeof cpuLocals)[number]]: number };

/** A subsection whose needed() is checked against the state it shares with the main section. */
function cpuSubsection<S>(desc: Description<S>, needed: (state: S & RiscvCpuMainState) => boolean): Subsection<S> {
  return subsection<S, S & RiscvCpuMainState>(desc, needed);
}

export const riscvCpuDescription = defineVMState({
  name: "cpu",
  version: 5,
  minimumVersion: 5,
  locals: cpuLocals,
  fields: cpuFields,
  // QEMU's order. Each needed() is checked against the subsection's own state
  // and the main section's (RiscvCpuMainState); all read migrated fields, except kvmtimer's.
  subsections: [
    cpuSubsection(pmpDescription, pmpNeeded),
    cpuSubsection(hyperDescription, hyperNeeded),
    cpuSubsection(vectorDescription, vectorNeeded),
    cpuSubsection(pointerMaskingDescription, pointerMaskingNeeded),
    cpuSubsection(rv128Description, rv128Needed),
    cpuSubsection(kvmTimerDescription, kvmTimerNeeded),
    cpuSubsection(envcfgDescription, envcfgNeeded),
    cpuSubsection(debugDescription, debugNeeded),
    // Not QEMU's: see fp-flags.ts.
    subsection<FpFlagsState, FpFlagsState & RiscvCpuMainState>(fpFlagsDescription, fpFlagsNeeded, { extension: true }),
  ],
});

/** A hart's whole state: the main fields, every subsection's fields, and the `accel.kvm` local. */
export type RiscvCpuState = StateOf<typeof riscvCpuDescription>;
