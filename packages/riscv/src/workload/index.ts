// The guest-program toolkit: the assembler DSL, the built-in workload and its QEMU reference.
export { Program, AsmError, type Assembled, type ProgramOptions, type Target } from "./asm.js";
export { liSteps, evalLiSteps, type LiStep } from "./li.js";
export { XREG_ABI, FREG_ABI, CSRS, ROUNDING, xnum, fnum, csrnum, type XReg, type FReg, type XAbi, type FAbi, type Csr, type CsrName, type RoundingMode, type AmoOrder } from "./regs.js";
export * from "./layout.js";
export { buildWorkload, resolveOptions, FINAL_REGISTER_ROLES, type Workload, type WorkloadOptions, type ResolvedWorkloadOptions } from "./workload.js";
export { REFERENCE_RUNS, optionsToJson, optionsFromJson, type ReferenceFile, type ReferenceRun, type HartRegisters, type WorkloadOptionsJson } from "./reference.js";
export { compareFinalRegisters, formatMismatches, type CompareOptions, type HartState, type Mismatch, type RegFile, type RegValue } from "./compare.js";
