/** The machine core: guest RAM, the save-state list, savevm / loadvm, migration. */
export { GuestRam, RamBlock } from "./guest-ram.js";
export { SaveStateList, type SaveStateEntry, type LiveHandlers, type RegisterOptions, type DeviceHooks } from "./save-state.js";
export { RamHandler, RAM_IDSTR, type RamHandlerOptions } from "./ram-handler.js";
export { GlobalState, globalStateDescription } from "./global-state.js";
export { VmStateWriter, type MachineConfig } from "./vmstate-writer.js";
export { loadVmState, type LoadMode, type LoadOptions, type LoadReport } from "./vmstate-loader.js";
export { Machine, type MachineOptions, type LoadInput, type SaveResult } from "./machine.js";
export {
  OutgoingMigration,
  incomingMigration,
  migrate,
  type MigrationOptions,
  type MigrationOutcome,
  type MigrationPhase,
  type MigrationProgress,
  type IncomingOptions,
  type IncomingOutcome,
} from "./migration.js";
export { MemoryPipe } from "./pipe.js";
export { cloneState, assignState } from "./state-copy.js";
export { definePlugin, defineDevicePlugin, type ArchPlugin, type DevicePlugin, type MachineFactory, type MachineOptions as RunOptions, type RunnableMachine, type RunStep, type CpuReport, type StreamInfo } from "./runnable.js";
export { firstDifference, describeDifference, type MachineDifference } from "./diff.js";
export { SystemBus, type MmioDevice, type MmioWindow, type RamWindow } from "./bus.js";
export type { InterruptController, InterruptControllerFactory, InterruptControllerRequest } from "./interrupt-controller.js";
export { ClockedBoard, type ClockedBoardOptions } from "./clocked-board.js";
