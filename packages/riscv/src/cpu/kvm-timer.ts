/**
 * The timer KVM keeps for a vCPU: QEMU 7.2's `cpu/kvmtimer` subsection
 * (target/riscv/machine.c vmstate_kvmtimer). Its post_load only marks QEMU's
 * copy dirty for the KVM ioctl path, which has no counterpart here.
 */
import { defineVMState, uint64, type StateOf } from "@vmstate/core";

export const kvmTimerDescription = defineVMState({
  name: "cpu/kvmtimer",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.kvm_timer_time": uint64,
    "env.kvm_timer_compare": uint64,
    "env.kvm_timer_state": uint64,
  },
});
export type KvmTimerState = StateOf<typeof kvmTimerDescription>;

/**
 * Sent when the accelerator is KVM (kvmtimer_needed: kvm_enabled()). Nothing
 * migrated says so, so the state carries the non-migrated local `accel.kvm`
 * (nonzero: KVM). A state loaded from a stream without it counts as TCG.
 */
export function kvmTimerNeeded(s: { readonly "accel.kvm": number }): boolean {
  return !!s["accel.kvm"];
}
