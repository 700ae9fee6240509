/** @vmstate/riscv: riscv64 hart state in QEMU 7.2's layout, an RV64GC interpreter, and the virt board. */
import { riscvPlugin } from "./machine/plugin.js";

export { SystemBus, type MmioDevice, type MmioWindow, type RamWindow } from "./bus.js";
export * from "./cpu/index.js";
export * from "./interp/index.js";
export * from "./workload/index.js";
export { Ns16550, serialDescription, serialMmDescription, createSerialState, fifo8Description, type SerialState, type SerialMmState } from "./devices/ns16550.js";
export { Aclint, mtimerDescription, createMtimerState, TIMEBASE_HZ, type MtimerState } from "./devices/aclint.js";
export { Plic, plicDescription, createPlicState, type PlicState } from "./devices/plic.js";
export { RiscvVirt, type HartPort, type HartFactory, type HartRegistrar, type RiscvVirtParts } from "./machine/virt.js";
export { InterpretedHart, interpretedHarts, INTERPRETER_EXTENSIONS } from "./machine/harts.js";
export { createRiscvVirtMachine, recogniseRiscvVirt, riscvPlugin } from "./machine/plugin.js";
export * as virtLayout from "./machine/layout.js";
export default riscvPlugin;
