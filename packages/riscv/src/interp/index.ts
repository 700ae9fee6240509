/** The RV64GC interpreter: one hart, M/S/U, Sv39. See README.md in this folder. */
export { RiscvHart, type RiscvHartOptions, type RunResult, type RunStopReason } from "./hart.js";
export { type RiscvHartArchState, emptyArchState } from "./arch-state.js";
export { CSR, EXC, FFLAGS, IRQ, MISA_EXT, MSTATUS, QEMU_72_ARCHID } from "./csr-defs.js";
export { RVC_TABLE, expandCompressed } from "./rvc.js";
/** Instruction encoders (`add(rd, rs1, rs2)` -> u32, `c_addi(...)` -> u16, and the `Asm` program builder). */
export * as rvasm from "./asm.js";
