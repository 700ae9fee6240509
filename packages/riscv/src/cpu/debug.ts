/**
 * The Sdtrig debug triggers: QEMU 7.2's `cpu/debug` subsection
 * (target/riscv/machine.c vmstate_debug), the trigger selected by tselect and
 * the tdata1..3 of each of the RV_MAX_TRIGGERS triggers. QEMU's breakpoint
 * and watchpoint objects for them are rebuilt, not migrated.
 */
import { array, defineVMState, uint64, type StateOf } from "@vmstate/core";
import { Feature, hasFeature, RV_MAX_TRIGGERS } from "./constants.js";

export const debugDescription = defineVMState({
  name: "cpu/debug",
  version: 2,
  minimumVersion: 2,
  fields: {
    "env.trigger_cur": uint64,
    "env.tdata1": array(uint64, RV_MAX_TRIGGERS),
    "env.tdata2": array(uint64, RV_MAX_TRIGGERS),
    "env.tdata3": array(uint64, RV_MAX_TRIGGERS),
  },
});
export type DebugState = StateOf<typeof debugDescription>;

/** Sent when the hart has debug triggers (debug_needed: RISCV_FEATURE_DEBUG in the migrated `env.features`). */
export function debugNeeded(s: { readonly "env.features": number }): boolean {
  return hasFeature(s["env.features"], Feature.DEBUG);
}
