// The A64 interpreter: one AArch64 CPU (EL0/EL1, no MMU) on a SystemBus, its plain state, and a small virt-like harness.
export { A64Cpu, type A64CpuOptions, type PsciHandler, type SysregHandler, type StopReason } from "./cpu.js";
export { emptyArchState, pstateValue, pstateFromValue, type ArmArchState, type ArmPstate } from "./arch-state.js";
export { sysKey, sysKeyFields, SYS, ESR_EC, PSCI } from "./sysregs.js";
export { decodeBitMask } from "./decode-imm.js";
export { MiniVirt, MINI_VIRT, type MiniVirtOptions } from "./mini-virt.js";
