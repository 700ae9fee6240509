/** @vmstate/arm: AArch64 CPU state in QEMU 7.2's layout, an A64 interpreter, its workload, and the virt board. */
import { armPlugin } from "./machine/plugin.js";

export * from "./cpu/index.js";
export * from "./interp/index.js";
export * from "./workload/index.js";
export { Pl011, pl011Description, createPl011State, type Pl011State } from "./devices/pl011.js";
export * from "./machine/index.js";
export default armPlugin;
