/** Run state, change-state handlers, events and stop/start: QEMU 7.2's softmmu/runstate.c and the run-state half of softmmu/cpus.c. */
export {
  RUN_STATES,
  type RunState,
  INITIAL_RUN_STATE,
  isRunState,
  runStateIndex,
  SHUTDOWN_CAUSES,
  type ShutdownCause,
  shutdownCausedByGuest,
  MIGRATION_STATUSES,
  type MigrationStatus,
  type StatusInfo,
} from "./run-state.js";
export { RUNSTATE_TRANSITIONS, type RunStateTransition, isTransitionAllowed, allowedTargets } from "./transitions.js";
export { RunStateMachine, type RunStateMachineOptions, type TransitionObserver, invalidTransition } from "./run-state-machine.js";
export {
  ChangeStateHandlers,
  ChangeStateEntry,
  type ChangeStateHandler,
  type ChangeStateOptions,
  type NotifyTrace,
  type NotifyObserver,
} from "./change-state.js";
export { deviceTreeDepth, addDeviceChangeStateHandler, type QdevDevice, type QdevBus, type DeviceChangeStateOptions } from "./qdev-handler.js";
export { HookFailedError, type HookFailure } from "./hook-failure.js";
export {
  RunStateEventBus,
  type RunStateEventBusOptions,
  type RunStateEvent,
  type RunStateEventOf,
  type RunStateEventName,
  type RunStateEventData,
  type RunStateEventListener,
  type EventDataArgs,
  type EventTimestamp,
  type EventClock,
  defaultEventClock,
  qmpTimestamp,
} from "./events.js";
export { VmControl, type VmControlOptions, type VcpuControl, type VmHooks, type VmStep, type StepObserver } from "./vm.js";
export { MainLoop, type MainLoopOptions, type MainLoopHooks, type ShutdownAction } from "./main-loop.js";
export { TimelineRecorder, type TimelineEntry, type TimedTimelineEntry, type TimelineSources, formatTimelineEntry } from "./timeline.js";
