/**
 * The QAPI enums of the run-state area, as QEMU 7.2 defines them
 * (qapi/run-state.json, plus MigrationStatus from qapi/migration.json).
 * Each list is in C enum order, so a value's index is its C enum value.
 */

/** RunState wire names in C order (RUN_STATE_DEBUG = 0 … RUN_STATE_COLO = 15). */
export const RUN_STATES = Object.freeze([
  "debug",
  "inmigrate",
  "internal-error",
  "io-error",
  "paused",
  "postmigrate",
  "prelaunch",
  "finish-migrate",
  "restore-vm",
  "running",
  "save-vm",
  "shutdown",
  "suspended",
  "watchdog",
  "guest-panicked",
  "colo",
] as const);

export type RunState = (typeof RUN_STATES)[number];

/** QEMU's initial `current_run_state`. */
export const INITIAL_RUN_STATE: RunState = "prelaunch";

const RUN_STATE_SET: ReadonlySet<string> = new Set(RUN_STATES);

export function isRunState(value: unknown): value is RunState {
  return typeof value === "string" && RUN_STATE_SET.has(value);
}

/** The C enum value of a run state (what `RunState` is inside QEMU). */
export function runStateIndex(state: RunState): number {
  return RUN_STATES.indexOf(state);
}

/** ShutdownCause wire names in C order (SHUTDOWN_CAUSE_NONE = 0 …). */
export const SHUTDOWN_CAUSES = Object.freeze([
  "none",
  "host-error",
  "host-qmp-quit",
  "host-qmp-system-reset",
  "host-signal",
  "host-ui",
  "guest-shutdown",
  "guest-reset",
  "guest-panic",
  "subsystem-reset",
  "snapshot-load",
] as const);

export type ShutdownCause = (typeof SHUTDOWN_CAUSES)[number];

/**
 * The `guest` flag of SHUTDOWN and RESET events. QEMU's
 * shutdown_caused_by_guest() compares enum values: everything from
 * guest-shutdown on counts as the guest's doing, which includes
 * subsystem-reset and snapshot-load (their RESET events are suppressed anyway).
 */
export function shutdownCausedByGuest(cause: ShutdownCause): boolean {
  return SHUTDOWN_CAUSES.indexOf(cause) >= SHUTDOWN_CAUSES.indexOf("guest-shutdown");
}

/** MigrationStatus wire names of 7.2, in C order (14 values). */
export const MIGRATION_STATUSES = Object.freeze([
  "none",
  "setup",
  "cancelling",
  "cancelled",
  "active",
  "postcopy-active",
  "postcopy-paused",
  "postcopy-recover",
  "completed",
  "failed",
  "colo",
  "pre-switchover",
  "device",
  "wait-unplug",
] as const);

export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** What `query-status` returns (StatusInfo). `singlestep` is the gdbstub's single-step mode, not modelled: always false. */
export interface StatusInfo {
  readonly running: boolean;
  readonly singlestep: boolean;
  readonly status: RunState;
}
