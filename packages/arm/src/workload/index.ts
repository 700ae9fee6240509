// The AArch64 guest-program toolkit: the assembler DSL, the built-in workload and its QEMU reference.
export { Program, AsmError, type Assembled, type ProgramOptions, type Target, type Mem, type Writeback, type LoadStoreOp, type AtomicOp, type AtomicOrder } from "./asm.js";
export { encodeBitmask, encodeFpImm8, expandFpImm8 } from "./encode.js";
export {
  CONDITIONS, SYSREGS, PSTATE_FIELDS, BARRIERS, XREG_NAMES, sysreg,
  type XReg, type WReg, type GpReg, type SReg, type DReg, type QReg, type FpReg, type VecReg, type Cond, type Modifier, type SysregMnemonic, type PstateField, type BarrierOption,
} from "./regs.js";
export { buildElf, elfSegments } from "./elf.js";
export * from "./layout.js";
export { buildWorkload, resolveOptions, expectedLpiResults, FINAL_REGISTER_ROLES, type Workload, type WorkloadOptions, type ResolvedWorkloadOptions } from "./workload.js";
export {
  REFERENCE_RUNS, GPR_NAMES, VREG_NAMES, optionsToJson, optionsFromJson,
  type ReferenceFile, type ReferenceRun, type CpuRegisters, type WorkloadOptionsJson,
} from "./reference.js";
export { compareFinalRegisters, formatMismatches, cpuStateForCompare, type CompareOptions, type CpuState, type Mismatch, type RegFile, type RegValue } from "./compare.js";
