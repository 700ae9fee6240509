/**
 * One hardware performance counter: QEMU 7.2's `cpu/pmu` (target/riscv/machine.c
 * vmstate_pmu_ctr_state), migrated as the `env.pmu_ctrs` struct array of the
 * main `cpu` section.
 *
 * QEMU gives this VMSD a needed() (cfg.pmu_num != 0), but it is only ever
 * used as a struct, never as a subsection, and vmstate consults needed()
 * only for subsections: all 32 counters are always sent. So there is no
 * predicate here and no PMU flag in the state.
 */
import { bool, defineVMState, uint64, type StateOf } from "@vmstate/core";

export const pmuCounterDescription = defineVMState({
  name: "cpu/pmu",
  version: 1,
  minimumVersion: 1,
  fields: {
    mhpmcounter_val: uint64,
    mhpmcounterh_val: uint64,
    mhpmcounter_prev: uint64,
    mhpmcounterh_prev: uint64,
    started: bool,
  },
});
export type PmuCounterState = StateOf<typeof pmuCounterDescription>;

/** sizeof(PMUCTRState) on a 64-bit host: what -dump-vmstate gives as the element size. */
export const PMU_COUNTER_MEM_SIZE = 48;
