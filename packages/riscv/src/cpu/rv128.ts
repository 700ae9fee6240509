/**
 * The upper halves of RV128's registers: QEMU 7.2's `cpu/rv128` subsection
 * (target/riscv/machine.c vmstate_rv128).
 */
import { array, defineVMState, uint64, type StateOf } from "@vmstate/core";
import { Mxl } from "./constants.js";

export const rv128Description = defineVMState({
  name: "cpu/rv128",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.gprh": array(uint64, 32),
    "env.mscratchh": uint64,
    "env.sscratchh": uint64,
  },
});
export type Rv128State = StateOf<typeof rv128Description>;

/** Sent when the hart's widest XLEN is 128 (rv128_needed: misa_mxl_max == MXL_RV128). */
export function rv128Needed(s: { readonly "env.misa_mxl_max": number }): boolean {
  return s["env.misa_mxl_max"] === Mxl.RV128;
}
