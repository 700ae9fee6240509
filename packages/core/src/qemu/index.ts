/** Descriptions of QEMU's target-independent state: the timer section and every CPU's cpu_common. */
export * from "./cpu-common.js";
export * from "./timers.js";
