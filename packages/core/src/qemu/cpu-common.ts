/**
 * The target-independent part of every CPU: QEMU 7.2's `cpu_common` section
 * (cpu.c vmstate_cpu_common, version 1), registered per hart with the hart's
 * cpu_index as instance id, and written just before the hart's `cpu` section.
 */
import { defineVMState, subsection, type Description, type StateOf, type Subsection } from "../vmstate/description.js";
import { createState } from "../vmstate/initial-state.js";
import { bool, int32, uint32 } from "../vmstate/kinds.js";

/** Only written by TCG, and only while an exception is pending. */
export const cpuCommonExceptionIndexDescription = defineVMState({
  name: "cpu_common/exception_index",
  version: 1,
  minimumVersion: 1,
  fields: { exception_index: int32 },
});

/** Written once a guest has reported a crash (guest panic). */
export const cpuCommonCrashOccurredDescription = defineVMState({
  name: "cpu_common/crash_occurred",
  version: 1,
  minimumVersion: 1,
  fields: { crash_occurred: bool },
});

/** `exception_index` when no exception is pending. */
export const NO_EXCEPTION = -1;

/**
 * Sent under TCG when an exception is pending (QEMU: tcg_enabled() &&
 * exception_index != -1). The accelerator is not migrated, so the state
 * carries the local `accel.tcg` (nonzero: TCG). A state loaded from a stream
 * without it counts as not TCG; load into createCpuCommonState() to keep the
 * subsection when rewriting a TCG stream that has it.
 */
export function exceptionIndexNeeded(s: { readonly "accel.tcg": number; readonly exception_index: number }): boolean {
  return !!s["accel.tcg"] && s.exception_index !== NO_EXCEPTION;
}

/** Sent once a crash was reported (cpu_common_crash_occurred_needed). */
export function crashOccurredNeeded(s: { readonly crash_occurred: boolean }): boolean {
  return s.crash_occurred;
}

/** What a subsection's needed() may read besides its own fields. */
type CpuCommonMainState = { halted: number; interrupt_request: number; "accel.tcg": number };

function commonSubsection<S>(desc: Description<S>, needed: (state: S & CpuCommonMainState) => boolean): Subsection<S> {
  return subsection<S, S & CpuCommonMainState>(desc, needed);
}

export const cpuCommonDescription = defineVMState({
  name: "cpu_common",
  version: 1,
  minimumVersion: 1,
  locals: ["accel.tcg"],
  fields: {
    halted: uint32,
    interrupt_request: uint32,
  },
  subsections: [
    commonSubsection(cpuCommonExceptionIndexDescription, exceptionIndexNeeded),
    commonSubsection(cpuCommonCrashOccurredDescription, crashOccurredNeeded),
  ],
  // An absent exception_index subsection means "none pending" (cpu_common_pre_load).
  preLoad: (s) => {
    s.exception_index = NO_EXCEPTION;
  },
  // Bit 0 of interrupt_request once meant "exit the CPU loop"; QEMU drops it on load
  // (cpu_common_post_load; the TLB and TB flushes there have no counterpart here).
  postLoad: (s) => {
    s.interrupt_request = (s.interrupt_request & ~0x01) >>> 0;
  },
});
export type CpuCommonState = StateOf<typeof cpuCommonDescription>;

export interface CpuCommonConfig {
  /** Whether the CPU runs under TCG (QEMU's default without KVM). Default true. */
  readonly tcg?: boolean;
  /** Whether the CPU starts powered off (cpu_common_reset sets halted from start-powered-off). Default false. */
  readonly startPoweredOff?: boolean;
}

/** A reset CPUState (cpu_common_reset): running, nothing pending, no crash. */
export function createCpuCommonState(config: CpuCommonConfig = {}): CpuCommonState {
  const s = createState(cpuCommonDescription);
  s["accel.tcg"] = (config.tcg ?? true) ? 1 : 0;
  s.halted = config.startPoweredOff ? 1 : 0;
  s.exception_index = NO_EXCEPTION;
  return s;
}
