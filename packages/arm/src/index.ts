export * from "./cpu/index.js";
export * from "./interp/index.js";
export * from "./workload/index.js";
