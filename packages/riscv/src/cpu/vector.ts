/**
 * The vector extension's registers: QEMU 7.2's `cpu/vector` subsection
 * (target/riscv/machine.c vmstate_vector). `env.vreg` always holds room for
 * the largest VLEN QEMU supports, whatever the hart's VLEN.
 */
import { array, bool, defineVMState, uint64, type StateOf } from "@vmstate/core";
import { hasExtension, Misa, VREG_WORDS } from "./constants.js";

export const vectorDescription = defineVMState({
  name: "cpu/vector",
  version: 2,
  minimumVersion: 2,
  fields: {
    "env.vreg": array(uint64, VREG_WORDS),
    "env.vxrm": uint64,
    "env.vxsat": uint64,
    "env.vl": uint64,
    "env.vstart": uint64,
    "env.vtype": uint64,
    "env.vill": bool,
  },
});
export type VectorState = StateOf<typeof vectorDescription>;

/** Sent when misa has V (vector_needed). */
export function vectorNeeded(s: { readonly "env.misa_ext": number }): boolean {
  return hasExtension(s["env.misa_ext"], Misa.V);
}
