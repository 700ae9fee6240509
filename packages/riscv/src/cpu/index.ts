/** The riscv64 hart's migration state (QEMU 7.2's `cpu` and `cpu_common` sections). */
export { riscvCpuDescription, type RiscvCpuState, type RiscvCpuMainState } from "./description.js";
export { createRiscvCpuState, defaultInterruptPriority, DEFAULT_EXTENSIONS, type RiscvCpuConfig } from "./reset.js";
export { pmpDescription, pmpEntryDescription, pmpNeeded, type PmpState, type PmpEntryState } from "./pmp.js";
export { pmuCounterDescription, type PmuCounterState } from "./pmu.js";
export { hyperDescription, hyperNeeded, type HyperState } from "./hyper.js";
export { vectorDescription, vectorNeeded, type VectorState } from "./vector.js";
export { pointerMaskingDescription, pointerMaskingNeeded, type PointerMaskingState } from "./pointer-masking.js";
export { rv128Description, rv128Needed, type Rv128State } from "./rv128.js";
export { kvmTimerDescription, kvmTimerNeeded, type KvmTimerState } from "./kvm-timer.js";
export { envcfgDescription, envcfgNeeded, type EnvcfgState } from "./envcfg.js";
export { debugDescription, debugNeeded, type DebugState } from "./debug.js";
export * from "./constants.js";
