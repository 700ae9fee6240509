/**
 * Physical memory protection: QEMU 7.2's `cpu/pmp` subsection and its
 * `cpu/pmp/entry` struct (target/riscv/machine.c vmstate_pmp, vmstate_pmp_entry).
 */
import { array, defineVMState, field, struct, uint8, uint64, type StateOf } from "@vmstate/core";
import { Feature, hasFeature, MAX_RISCV_PMPS } from "./constants.js";

/** One pmpaddr/pmpcfg pair (QEMU's pmp_entry_t). */
export const pmpEntryDescription = defineVMState({
  name: "cpu/pmp/entry",
  version: 1,
  minimumVersion: 1,
  fields: {
    addr_reg: uint64,
    cfg_reg: uint8,
  },
});
export type PmpEntryState = StateOf<typeof pmpEntryDescription>;

/**
 * QEMU's post_load here only rebuilds its cached rule address ranges, which
 * are not part of the state; nothing to do on our side.
 */
export const pmpDescription = defineVMState({
  name: "cpu/pmp",
  version: 1,
  minimumVersion: 1,
  fields: {
    // memSize: sizeof(pmp_entry_t) on a 64-bit host (uint64 + uint8, padded), as -dump-vmstate shows it.
    "env.pmp_state.pmp": field(array(struct(pmpEntryDescription), MAX_RISCV_PMPS), { memSize: 16 }),
  },
});
export type PmpState = StateOf<typeof pmpDescription>;

/** Sent when the hart implements PMP (pmp_needed: RISCV_FEATURE_PMP in the migrated `env.features`). */
export function pmpNeeded(s: { readonly "env.features": number }): boolean {
  return hasFeature(s["env.features"], Feature.PMP);
}
