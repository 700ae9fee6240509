/**
 * The run-state transitions QEMU 7.2 allows (runstate_transitions_def in
 * softmmu/runstate.c), as data. The order follows QEMU's array so the two
 * can be compared line by line. QEMU lists prelaunch → inmigrate twice (first
 * line and again in the prelaunch block); it is one pair, kept here at its
 * first position, which leaves 71 pairs.
 *
 * There are no X → X pairs: staying in the same state is accepted by
 * RunStateMachine.set before the table is consulted, as runstate_set does.
 */

import { RUN_STATES, runStateIndex, type RunState } from "./run-state.js";

export interface RunStateTransition {
  readonly from: RunState;
  readonly to: RunState;
}

const pair = (from: RunState, to: RunState): RunStateTransition => Object.freeze({ from, to });

export const RUNSTATE_TRANSITIONS: readonly RunStateTransition[] = Object.freeze([
  pair("prelaunch", "inmigrate"),

  pair("debug", "running"),
  pair("debug", "finish-migrate"),
  pair("debug", "prelaunch"),

  pair("inmigrate", "internal-error"),
  pair("inmigrate", "io-error"),
  pair("inmigrate", "paused"),
  pair("inmigrate", "running"),
  pair("inmigrate", "shutdown"),
  pair("inmigrate", "suspended"),
  pair("inmigrate", "watchdog"),
  pair("inmigrate", "guest-panicked"),
  pair("inmigrate", "finish-migrate"),
  pair("inmigrate", "prelaunch"),
  pair("inmigrate", "postmigrate"),
  pair("inmigrate", "colo"),

  pair("internal-error", "paused"),
  pair("internal-error", "finish-migrate"),
  pair("internal-error", "prelaunch"),

  pair("io-error", "running"),
  pair("io-error", "finish-migrate"),
  pair("io-error", "prelaunch"),

  pair("paused", "running"),
  pair("paused", "finish-migrate"),
  pair("paused", "postmigrate"),
  pair("paused", "prelaunch"),
  pair("paused", "colo"),

  pair("postmigrate", "running"),
  pair("postmigrate", "finish-migrate"),
  pair("postmigrate", "prelaunch"),

  pair("prelaunch", "running"),
  pair("prelaunch", "finish-migrate"),
  // (QEMU's second prelaunch → inmigrate line stood here.)

  pair("finish-migrate", "running"),
  pair("finish-migrate", "paused"),
  pair("finish-migrate", "postmigrate"),
  pair("finish-migrate", "prelaunch"),
  pair("finish-migrate", "colo"),

  pair("restore-vm", "running"),
  pair("restore-vm", "prelaunch"),

  pair("colo", "running"),
  pair("colo", "prelaunch"),
  pair("colo", "shutdown"),

  pair("running", "debug"),
  pair("running", "internal-error"),
  pair("running", "io-error"),
  pair("running", "paused"),
  pair("running", "finish-migrate"),
  pair("running", "restore-vm"),
  pair("running", "save-vm"),
  pair("running", "shutdown"),
  pair("running", "watchdog"),
  pair("running", "guest-panicked"),
  pair("running", "colo"),

  pair("save-vm", "running"),

  pair("shutdown", "paused"),
  pair("shutdown", "finish-migrate"),
  pair("shutdown", "prelaunch"),
  pair("shutdown", "colo"),

  pair("debug", "suspended"),
  pair("running", "suspended"),
  pair("suspended", "running"),
  pair("suspended", "finish-migrate"),
  pair("suspended", "prelaunch"),
  pair("suspended", "colo"),

  pair("watchdog", "running"),
  pair("watchdog", "finish-migrate"),
  pair("watchdog", "prelaunch"),
  pair("watchdog", "colo"),

  pair("guest-panicked", "running"),
  pair("guest-panicked", "finish-migrate"),
  pair("guest-panicked", "prelaunch"),
]);

// The validity matrix runstate_init() builds, indexed by C enum values.
const N = RUN_STATES.length;
const MATRIX = new Uint8Array(N * N);
for (const { from, to } of RUNSTATE_TRANSITIONS) MATRIX[runStateIndex(from) * N + runStateIndex(to)] = 1;

/** Whether QEMU 7.2's table lists from → to. Same-state pairs are not in the table (see RunStateMachine.set). */
export function isTransitionAllowed(from: RunState, to: RunState): boolean {
  const f = runStateIndex(from);
  const t = runStateIndex(to);
  return f >= 0 && t >= 0 && MATRIX[f * N + t] === 1;
}

/** The states the table allows leaving `from` for, in C enum order. */
export function allowedTargets(from: RunState): RunState[] {
  return RUN_STATES.filter((to) => isTransitionAllowed(from, to));
}
