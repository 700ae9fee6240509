/**
 * Subsections of older AArch32 cores: Intel/Marvell iWMMXt (`cpu/iwmmxt`) and
 * ThumbEE (`cpu/thumb2ee`), target/arm/machine.c. An AArch64 `virt` CPU sends
 * neither.
 */
import { array, defineVMState, uint32, uint64, type StateOf } from "@vmstate/core";

export const iwmmxtDescription = defineVMState({
  name: "cpu/iwmmxt",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.iwmmxt.regs": array(uint64, 16),
    "env.iwmmxt.cregs": array(uint32, 16),
  },
});
export type IwmmxtState = StateOf<typeof iwmmxtDescription>;

/** Sent for cores with iWMMXt (ARM_FEATURE_IWMMXT, not migrated). */
export function iwmmxtNeeded(s: { readonly "features.iwmmxt": number }): boolean {
  return !!s["features.iwmmxt"];
}

export const thumb2eeDescription = defineVMState({
  name: "cpu/thumb2ee",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.teecr": uint32,
    "env.teehbr": uint32,
  },
});
export type Thumb2eeState = StateOf<typeof thumb2eeDescription>;

/** Sent for cores with ThumbEE (ARM_FEATURE_THUMB2EE, not migrated). */
export function thumb2eeNeeded(s: { readonly "features.thumb2ee": number }): boolean {
  return !!s["features.thumb2ee"];
}
