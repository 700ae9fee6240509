/**
 * The accrued FP exception flags (fcsr.fflags). QEMU 7.2 keeps them in its
 * softfloat status, which no section carries, so a QEMU migration loses them
 * and a guest that reads them afterwards sees zeros. vmstate keeps them, in
 * a subsection of its own sent only when some flag is set: a stream QEMU
 * must load should be saved with the flags clear (a QEMU destination refuses
 * subsections it does not know).
 */
import { defineVMState, uint32, type StateOf } from "@vmstate/core";

export const fpFlagsDescription = defineVMState({
  name: "cpu/vmstate-fflags",
  version: 1,
  minimumVersion: 1,
  fields: { "env.fflags": uint32 },
});
export type FpFlagsState = StateOf<typeof fpFlagsDescription>;

export function fpFlagsNeeded(s: { readonly "env.fflags": number }): boolean {
  // A state loaded from a stream without the subsection has no flags at all.
  return !!s["env.fflags"];
}
