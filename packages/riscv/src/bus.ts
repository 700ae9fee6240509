/** The system bus is core's (shared by every architecture); re-exported for this package's modules. */
export { SystemBus, type MmioDevice, type MmioWindow, type RamWindow } from "@vmstate/core";
