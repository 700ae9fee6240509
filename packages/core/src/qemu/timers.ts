/**
 * QEMU's `timer` section (softmmu/cpu-timers.c vmstate_timers), every
 * machine's first. vmstate's machines run on a virtual clock driven by
 * retired instructions; that clock, in ns, travels in cpu_clock_offset so
 * that a restored machine resumes at the same time.
 */
import { defineVMState, field, type StateOf } from "../vmstate/description.js";
import { createState } from "../vmstate/initial-state.js";
import { int64, unused } from "../vmstate/kinds.js";

export const timersDescription = defineVMState({
  name: "timer",
  version: 2,
  minimumVersion: 1,
  fields: { cpu_ticks_offset: int64, unused: unused(8), cpu_clock_offset: field(int64, { version: 2 }) },
});
export type TimersState = StateOf<typeof timersDescription>;

export function createTimersState(): TimersState {
  return createState(timersDescription);
}
