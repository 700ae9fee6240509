/**
 * Pointer masking (the draft J extension): QEMU 7.2's `cpu/pointer_masking`
 * subsection (target/riscv/machine.c vmstate_pointermasking). The vmdesc
 * name has the underscore; QEMU's C identifier does not.
 */
import { defineVMState, uint64, type StateOf } from "@vmstate/core";
import { hasExtension, Misa } from "./constants.js";

export const pointerMaskingDescription = defineVMState({
  name: "cpu/pointer_masking",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.mmte": uint64,
    "env.mpmmask": uint64,
    "env.mpmbase": uint64,
    "env.spmmask": uint64,
    "env.spmbase": uint64,
    "env.upmmask": uint64,
    "env.upmbase": uint64,
  },
});
export type PointerMaskingState = StateOf<typeof pointerMaskingDescription>;

/** Sent when misa has J (pointermasking_needed). */
export function pointerMaskingNeeded(s: { readonly "env.misa_ext": number }): boolean {
  return hasExtension(s["env.misa_ext"], Misa.J);
}
