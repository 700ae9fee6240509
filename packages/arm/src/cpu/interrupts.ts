/**
 * Pending asynchronous exceptions: QEMU 7.2's `cpu/serror` (a pending SError
 * injected by KVM or an external abort) and `cpu/irq-line-state` (the levels
 * of the IRQ/FIQ/VIRQ/VFIQ inputs), target/arm/machine.c.
 */
import { defineVMState, uint8, uint32, uint64, type StateOf } from "@vmstate/core";

export const serrorDescription = defineVMState({
  name: "cpu/serror",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.serror.pending": uint8,
    "env.serror.has_esr": uint8,
    "env.serror.esr": uint64,
  },
});
export type SerrorState = StateOf<typeof serrorDescription>;

/** Sent while an SError is pending (serror_needed). */
export function serrorNeeded(s: { readonly "env.serror.pending": number }): boolean {
  return !!s["env.serror.pending"];
}

export const irqLineStateDescription = defineVMState({
  name: "cpu/irq-line-state",
  version: 1,
  minimumVersion: 1,
  fields: { "env.irq_line_state": uint32 },
});
export type IrqLineState = StateOf<typeof irqLineStateDescription>;

/** Always sent by 7.2 (it is a subsection only so that older QEMUs can do without it). */
export function irqLineStateNeeded(): boolean {
  return true;
}

/**
 * Bits of `env.irq_line_state` (QEMU's CPU_INTERRUPT_HARD, _FIQ, _VIRQ,
 * _VFIQ), also the bits of cpu_common's interrupt_request that QEMU uses for
 * the line state when a stream lacks the subsection.
 */
export const IrqLine = Object.freeze({
  IRQ: 0x0002,
  FIQ: 0x0010,
  VIRQ: 0x0040,
  VFIQ: 0x0200,
});
/** What QEMU's cpu_pre_load puts in irq_line_state to see whether the subsection arrived. */
export const IRQ_LINE_STATE_UNSET = 0xffff_ffff;
