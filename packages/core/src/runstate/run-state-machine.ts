/**
 * The current run state and its guarded setter: QEMU's current_run_state with
 * runstate_set / runstate_check / runstate_is_running / runstate_needs_reset
 * (softmmu/runstate.c). Like runstate_set it only moves the state: it does not
 * notify change-state handlers, send events or touch vCPUs (vm.ts does that).
 */

import { VmstateError } from "../errors.js";
import { INITIAL_RUN_STATE, isRunState, type RunState, type StatusInfo } from "./run-state.js";
import { isTransitionAllowed } from "./transitions.js";

/** Called after every real state change (not for same-state no-ops). */
export type TransitionObserver = (from: RunState, to: RunState) => void;

export interface RunStateMachineOptions {
  /**
   * Where to start. QEMU always starts in prelaunch (and `-incoming` moves to
   * inmigrate through a normal transition); other starting points are a
   * convenience for tools and tests that model a VM already in some state.
   */
  initial?: RunState;
}

export function invalidTransition(from: RunState, to: RunState): VmstateError {
  return new VmstateError("INVALID_RUNSTATE_TRANSITION", `invalid runstate transition: '${from}' -> '${to}'`);
}

export class RunStateMachine {
  private current: RunState;
  private readonly observers: TransitionObserver[] = [];

  constructor(options: RunStateMachineOptions = {}) {
    const initial = options.initial ?? INITIAL_RUN_STATE;
    if (!isRunState(initial)) throw new VmstateError("INVALID_RUNSTATE_TRANSITION", `unknown run state '${String(initial)}'`);
    this.current = initial;
  }

  /** The current state (runstate_get, which 7.2 does not have yet). */
  get state(): RunState {
    return this.current;
  }

  /**
   * runstate_set: the same state is accepted silently before the table is
   * looked at; a pair the table does not list throws where QEMU aborts.
   */
  set(next: RunState): void {
    if (!isRunState(next)) throw new VmstateError("INVALID_RUNSTATE_TRANSITION", `unknown run state '${String(next)}'`);
    const from = this.current;
    if (next === from) return;
    if (!isTransitionAllowed(from, next)) throw invalidTransition(from, next);
    this.current = next;
    for (const observer of [...this.observers]) observer(from, next);
  }

  /** Whether `set(next)` would succeed now (same state counts as success). */
  canSet(next: RunState): boolean {
    return next === this.current || isTransitionAllowed(this.current, next);
  }

  /** runstate_check. */
  check(state: RunState): boolean {
    return this.current === state;
  }

  /** runstate_is_running. */
  isRunning(): boolean {
    return this.current === "running";
  }

  /** runstate_needs_reset: internal-error and shutdown can only be left through a reset. */
  needsReset(): boolean {
    return this.current === "internal-error" || this.current === "shutdown";
  }

  /** query-status. */
  queryStatus(): StatusInfo {
    return { running: this.isRunning(), singlestep: false, status: this.current };
  }

  /** Watches real transitions (for the timeline). Returns the function that stops watching. */
  observe(observer: TransitionObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }
}
