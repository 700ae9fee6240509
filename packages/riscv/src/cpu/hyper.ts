/**
 * The hypervisor extension's CSRs and the HS-mode copies of the supervisor
 * CSRs kept while V=1: QEMU 7.2's `cpu/hyper` subsection (target/riscv/machine.c
 * vmstate_hyper). QEMU's target_ulong fields are uint64 on riscv64.
 */
import { array, defineVMState, uint8, uint64, type StateOf } from "@vmstate/core";
import { hasExtension, IPRIO_COUNT, Misa } from "./constants.js";

export const hyperDescription = defineVMState({
  name: "cpu/hyper",
  version: 2,
  minimumVersion: 2,
  fields: {
    "env.hstatus": uint64,
    "env.hedeleg": uint64,
    "env.hideleg": uint64,
    "env.hcounteren": uint64,
    "env.htval": uint64,
    "env.htinst": uint64,
    "env.hgatp": uint64,
    "env.hgeie": uint64,
    "env.hgeip": uint64,
    "env.htimedelta": uint64,
    "env.vstimecmp": uint64,
    "env.hvictl": uint64,
    "env.hviprio": array(uint8, IPRIO_COUNT),
    "env.vsstatus": uint64,
    "env.vstvec": uint64,
    "env.vsscratch": uint64,
    "env.vsepc": uint64,
    "env.vscause": uint64,
    "env.vstval": uint64,
    "env.vsatp": uint64,
    "env.vsiselect": uint64,
    "env.mtval2": uint64,
    "env.mtinst": uint64,
    "env.stvec_hs": uint64,
    "env.sscratch_hs": uint64,
    "env.sepc_hs": uint64,
    "env.scause_hs": uint64,
    "env.stval_hs": uint64,
    "env.satp_hs": uint64,
    "env.mstatus_hs": uint64,
  },
});
export type HyperState = StateOf<typeof hyperDescription>;

/** Sent when misa has H (hyper_needed). */
export function hyperNeeded(s: { readonly "env.misa_ext": number }): boolean {
  return hasExtension(s["env.misa_ext"], Misa.H);
}
