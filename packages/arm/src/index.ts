export * from "./cpu/index.js";
