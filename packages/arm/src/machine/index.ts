/** The aarch64 virt board and its plugin. */
export { ArmVirt, virtCpuAffinity } from "./virt.js";
export { createArmVirtMachine, recogniseArmVirt, armPlugin } from "./plugin.js";
export { archToCpuState, cpuStateToArch, archToCommonState, commonStateToArch } from "./cpu-state.js";
export * as armVirtLayout from "./layout.js";
