/**
 * Stopping and starting the VM: QEMU 7.2's do_vm_stop, vm_stop, vm_shutdown,
 * vm_stop_force_state, vm_prepare_start and vm_start (softmmu/cpus.c), over
 * a run-state machine, a change-state handler list and an event bus.
 *
 * Order of steps, as in 7.2:
 *   stop  (only if running): set state → disable ticks → pause vCPUs →
 *         notify(false, state), high priority first → STOP (not for
 *         vm_shutdown); then, running or not: drain → flush.
 *   start (only if not running): pre-resume hook → RESUME → enable ticks →
 *         set running → notify(true, running), low priority first → resume vCPUs.
 * So handlers see the new state and paused vCPUs on stop, and RESUME goes out
 * before any handler hears of the start.
 *
 * What QEMU does that a library must not, and what this class does instead:
 *  - an invalid transition aborts QEMU; here it throws INVALID_RUNSTATE_TRANSITION
 *    before any step has run (for a start, that includes the RESUME event,
 *    which QEMU would already have sent);
 *  - vm_stop(running) would pause the vCPUs and leave the state "running", and
 *    vm_stop_force_state(running) on a stopped VM would claim "running" with
 *    the vCPUs paused; QEMU never calls either, and here both throw;
 *  - a change-state handler or event listener that throws does not cut the
 *    sequence short: the remaining steps run (the vCPUs are resumed, STOP is
 *    sent, the disks are flushed) and the failures are thrown at the end as
 *    HOOK_FAILED. A failing vCPU, tick or block hook propagates at once.
 *
 * vCPU-thread callers of vm_stop only post a request (qemu_system_vmstop_request)
 * that the main loop turns into vm_stop later; requestVmStop/takeVmStopRequest
 * model that slot, which vm_prepare_start also consumes (main-loop.ts drives it).
 */

import { VmstateError } from "../errors.js";
import { ChangeStateHandlers } from "./change-state.js";
import { RunStateEventBus, type EventClock } from "./events.js";
import { FailureCollector } from "./hook-failure.js";
import { isRunState, type RunState } from "./run-state.js";
import { invalidTransition, RunStateMachine } from "./run-state-machine.js";

/** The vCPUs, seen from the main loop: pause_all_vcpus / resume_all_vcpus. Both must tolerate repeats. */
export interface VcpuControl {
  pause(): void;
  resume(): void;
}

/** The other steps of stop and start; each is a no-op when absent. */
export interface VmHooks {
  /** cpu_disable_ticks: freeze guest time accounting. */
  disableTicks?(): void;
  /** cpu_enable_ticks. */
  enableTicks?(): void;
  /** bdrv_drain_all. */
  drainAll?(): void;
  /** bdrv_flush_all: 0, or a negative errno that vm_stop returns. */
  flushAll?(): number;
  /** cpus_accel->synchronize_pre_resume (WHPX): whether a single step is pending. */
  preResume?(stepPending: boolean): void;
}

export type VmStep =
  | "ticks-disable"
  | "ticks-enable"
  | "cpus-pause"
  | "cpus-resume"
  | "drain"
  | "flush"
  | "pre-resume"
  | "reset-devices"
  | "machine-wakeup";

export type StepObserver = (step: VmStep) => void;

export interface VmControlOptions {
  machine?: RunStateMachine;
  handlers?: ChangeStateHandlers;
  /** Default: a new bus with `clock`. */
  events?: RunStateEventBus;
  /** Clock for the default event bus. */
  clock?: EventClock;
  cpus?: VcpuControl;
  hooks?: VmHooks;
}

const NO_CPUS: VcpuControl = Object.freeze({ pause() {}, resume() {} });

export class VmControl {
  readonly machine: RunStateMachine;
  readonly handlers: ChangeStateHandlers;
  readonly events: RunStateEventBus;
  readonly cpus: VcpuControl;
  private readonly hooks: VmHooks;
  private readonly stepObservers: StepObserver[] = [];
  private vmstopRequested: RunState | undefined;

  constructor(options: VmControlOptions = {}) {
    this.machine = options.machine ?? new RunStateMachine();
    this.handlers = options.handlers ?? new ChangeStateHandlers();
    this.events = options.events ?? new RunStateEventBus(options.clock ? { clock: options.clock } : {});
    this.cpus = options.cpus ?? NO_CPUS;
    this.hooks = options.hooks ?? {};
  }

  /** vm_stop on the main thread (do_vm_stop with STOP). Returns the flush result. */
  vmStop(state: RunState): number {
    return this.doVmStop(state, true);
  }

  /** vm_shutdown: a stop into "shutdown" that sends no STOP (what qemu_cleanup does at exit). */
  vmShutdown(): number {
    return this.doVmStop("shutdown", false);
  }

  /**
   * vm_stop_force_state: a full vm_stop if running; otherwise only the state
   * changes (no handlers, no STOP), then drain and flush, so a flush error
   * left over from an earlier stop is still reported.
   */
  vmStopForceState(state: RunState): number {
    if (this.machine.isRunning()) return this.vmStop(state);
    refuseRunning("vm_stop_force_state", state);
    this.machine.set(state);
    return this.drainAndFlush();
  }

  /**
   * vm_prepare_start: everything of a start except resuming the vCPUs.
   * Returns true if the caller should resume them (QEMU: 0), false if not (-1):
   * already running, in which case a pending stop request is discarded and
   * answered with a STOP, RESUME pair.
   */
  vmPrepareStart(stepPending = false): boolean {
    const failures = new FailureCollector();
    const resume = this.prepareStart(stepPending, failures);
    failures.throwIfAny();
    return resume;
  }

  /** vm_start. */
  vmStart(): void {
    const failures = new FailureCollector();
    if (this.prepareStart(false, failures)) this.resumeAllVcpus();
    failures.throwIfAny();
  }

  /** qemu_system_vmstop_request: a stop for the main loop to carry out; a later request replaces an earlier one. */
  requestVmStop(state: RunState): void {
    if (!isRunState(state)) throw new VmstateError("INVALID_RUNSTATE_TRANSITION", `unknown run state '${String(state)}'`);
    this.vmstopRequested = state;
  }

  /** qemu_vmstop_requested: takes the pending stop request, if any. */
  takeVmStopRequest(): RunState | undefined {
    const r = this.vmstopRequested;
    this.vmstopRequested = undefined;
    return r;
  }

  /** pause_all_vcpus. */
  pauseAllVcpus(): void {
    this.runStep("cpus-pause", () => this.cpus.pause());
  }

  /** resume_all_vcpus: does nothing unless the state is running. */
  resumeAllVcpus(): void {
    if (!this.machine.isRunning()) return;
    this.runStep("cpus-resume", () => this.cpus.resume());
  }

  /** Tells step observers, then runs the step. For collaborators such as the main loop. */
  runStep(step: VmStep, fn?: () => void): void {
    for (const o of [...this.stepObservers]) o(step);
    fn?.();
  }

  /** Watches the steps of stop and start (for the timeline). */
  observeSteps(observer: StepObserver): () => void {
    this.stepObservers.push(observer);
    return () => {
      const i = this.stepObservers.indexOf(observer);
      if (i >= 0) this.stepObservers.splice(i, 1);
    };
  }

  private doVmStop(state: RunState, sendStop: boolean): number {
    const failures = new FailureCollector();
    if (this.machine.isRunning()) {
      refuseRunning("vm_stop", state);
      this.machine.set(state);
      this.runStep("ticks-disable", () => this.hooks.disableTicks?.());
      this.pauseAllVcpus();
      failures.run("vm_state_notify", () => this.handlers.notify(false, state));
      if (sendStop) failures.run("STOP event", () => void this.events.emit("STOP"));
    }
    const ret = this.drainAndFlush();
    failures.throwIfAny();
    return ret;
  }

  private drainAndFlush(): number {
    this.runStep("drain", () => this.hooks.drainAll?.());
    let ret = 0;
    this.runStep("flush", () => {
      ret = this.hooks.flushAll?.() ?? 0;
    });
    return ret;
  }

  private prepareStart(stepPending: boolean, failures: FailureCollector): boolean {
    const requested = this.takeVmStopRequest();
    if (this.machine.isRunning()) {
      if (requested !== undefined) {
        // The stop never happens, but whoever announced it (BLOCK_IO_ERROR,
        // say) promised a STOP; send it and take it back at once.
        failures.run("STOP event", () => void this.events.emit("STOP"));
        failures.run("RESUME event", () => void this.events.emit("RESUME"));
      }
      return false;
    }
    if (!this.machine.canSet("running")) throw invalidTransition(this.machine.state, "running");
    this.runStep("pre-resume", () => this.hooks.preResume?.(stepPending));
    failures.run("RESUME event", () => void this.events.emit("RESUME"));
    this.runStep("ticks-enable", () => this.hooks.enableTicks?.());
    this.machine.set("running");
    failures.run("vm_state_notify", () => this.handlers.notify(true, "running"));
    return true;
  }
}

function refuseRunning(op: string, state: RunState): void {
  if (state === "running") throw new VmstateError("INVALID_RUNSTATE_TRANSITION", `${op}: 'running' is not a stopped state`);
}
