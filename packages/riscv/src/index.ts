export { SystemBus, type MmioDevice, type MmioWindow, type RamWindow } from "./bus.js";
