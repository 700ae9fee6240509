/**
 * The run-state side of QEMU 7.2's main loop (main_loop_should_exit and the
 * qemu_system_*_request functions in softmmu/runstate.c): requests are posted
 * (by devices, the guest or the monitor) and carried out on the next
 * iteration, in QEMU's order: debug, suspend, shutdown, reset, wakeup, then a
 * pending vm_stop request.
 *
 * Paths that do not go through vm_stop, and so never call change-state
 * handlers, are the point of modelling this:
 *  - suspend (ACPI S3): pause vCPUs → state suspended → SUSPEND;
 *  - wakeup: the request sets running at once; the loop then pauses vCPUs,
 *    runs the machine's wakeup, resumes vCPUs and sends WAKEUP;
 *  - reset: pause vCPUs → reset devices → RESET (unless the cause is none,
 *    subsystem-reset or snapshot-load) → resume vCPUs (only acts if running)
 *    → prelaunch, unless running, inmigrate or finish-migrate.
 * A shutdown sends SHUTDOWN and then, with the pause action, vm_stop(shutdown);
 * with poweroff the loop should exit and the caller runs vm.vmShutdown() as
 * qemu_cleanup does.
 *
 * Not modelled: reboot-action=shutdown (turns resets into shutdowns),
 * non-resettable CPUs, wakeup reasons and their mask, powerdown, the
 * suspend/wakeup/shutdown notifier lists, and the vCPU that posts a request
 * stopping itself (cpu_stop_current).
 *
 * A handler or listener failure (HOOK_FAILED) does not end an iteration: the
 * remaining requests are still carried out and the failures thrown at the
 * end. Any other error (an invalid transition, a failing hook) ends it at once.
 */

import { VmstateError } from "../errors.js";
import { FailureCollector, HookFailedError } from "./hook-failure.js";
import { shutdownCausedByGuest, type RunState, type ShutdownCause } from "./run-state.js";
import { invalidTransition } from "./run-state-machine.js";
import type { VmControl } from "./vm.js";

/** ShutdownAction of 7.2 (`-action shutdown=`). */
export type ShutdownAction = "poweroff" | "pause";

export interface MainLoopHooks {
  /** The machine's reset method, or qemu_devices_reset. */
  resetDevices?(cause: ShutdownCause): void;
  /** The machine's wakeup method. */
  machineWakeup?(): void;
}

export interface MainLoopOptions {
  shutdownAction?: ShutdownAction;
  hooks?: MainLoopHooks;
}

export class MainLoop {
  shutdownAction: ShutdownAction;
  private readonly hooks: MainLoopHooks;
  private debugRequested = false;
  private suspendRequested = false;
  private shutdownRequested: ShutdownCause = "none";
  private resetRequested: ShutdownCause = "none";
  private wakeupRequested = false;

  constructor(
    readonly vm: VmControl,
    options: MainLoopOptions = {},
  ) {
    this.shutdownAction = options.shutdownAction ?? "poweroff";
    this.hooks = options.hooks ?? {};
  }

  /** qemu_system_debug_request (gdbstub). */
  requestDebug(): void {
    this.debugRequested = true;
  }

  /** qemu_system_suspend_request: ignored when already suspended. */
  requestSuspend(): void {
    if (this.vm.machine.check("suspended")) return;
    this.suspendRequested = true;
  }

  /** qemu_system_shutdown_request. "none" withdraws a pending request. */
  requestShutdown(cause: ShutdownCause): void {
    this.shutdownRequested = cause;
  }

  /** qemu_system_reset_request. "none" withdraws a pending request. */
  requestReset(cause: ShutdownCause): void {
    this.resetRequested = cause;
  }

  /** qemu_system_wakeup_request: only from suspended; sets running now, the rest happens in the loop. */
  requestWakeup(): void {
    if (!this.vm.machine.check("suspended")) {
      throw new VmstateError("INVALID_RUNSTATE_TRANSITION", "Unable to wake up: guest is not in suspended state");
    }
    this.vm.machine.set("running");
    this.wakeupRequested = true;
  }

  /** qemu_system_vmstop_request (what vm_stop does on a vCPU thread). */
  requestVmStop(state: RunState): void {
    this.vm.requestVmStop(state);
  }

  /** One pass of main_loop_should_exit. Returns true when the loop should exit (shutdown with poweroff). */
  iterate(): boolean {
    const failures = new FailureCollector();
    const step = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        if (!(error instanceof HookFailedError)) throw error;
        failures.add("main loop", error);
      }
    };
    const vm = this.vm;

    if (this.debugRequested) {
      this.debugRequested = false;
      step(() => void vm.vmStop("debug"));
    }
    if (this.suspendRequested) {
      this.suspendRequested = false;
      step(() => this.systemSuspend());
    }
    const shutdown = this.shutdownRequested;
    if (shutdown !== "none") {
      this.shutdownRequested = "none";
      step(() => void vm.events.emit("SHUTDOWN", { guest: shutdownCausedByGuest(shutdown), reason: shutdown }));
      if (this.shutdownAction === "poweroff") {
        failures.throwIfAny();
        return true;
      }
      step(() => void vm.vmStop("shutdown"));
    }
    const reset = this.resetRequested;
    if (reset !== "none") {
      this.resetRequested = "none";
      step(() => this.systemReset(reset));
    }
    if (this.wakeupRequested) {
      this.wakeupRequested = false;
      step(() => this.systemWakeup());
    }
    const stop = vm.takeVmStopRequest();
    if (stop !== undefined) step(() => void vm.vmStop(stop));
    failures.throwIfAny();
    return false;
  }

  private systemSuspend(): void {
    const machine = this.vm.machine;
    if (!machine.canSet("suspended")) throw invalidTransition(machine.state, "suspended");
    this.vm.pauseAllVcpus();
    machine.set("suspended");
    this.vm.events.emit("SUSPEND");
  }

  private systemReset(cause: ShutdownCause): void {
    const machine = this.vm.machine;
    const backToPrelaunch = () => !machine.check("running") && !machine.check("inmigrate") && !machine.check("finish-migrate");
    if (backToPrelaunch() && !machine.canSet("prelaunch")) throw invalidTransition(machine.state, "prelaunch");
    const failures = new FailureCollector();
    this.vm.pauseAllVcpus();
    this.vm.runStep("reset-devices", () => this.hooks.resetDevices?.(cause));
    if (cause !== "none" && cause !== "subsystem-reset" && cause !== "snapshot-load") {
      failures.run("RESET event", () => void this.vm.events.emit("RESET", { guest: shutdownCausedByGuest(cause), reason: cause }));
    }
    this.vm.resumeAllVcpus();
    if (backToPrelaunch()) machine.set("prelaunch");
    failures.throwIfAny();
  }

  private systemWakeup(): void {
    const failures = new FailureCollector();
    this.vm.pauseAllVcpus();
    this.vm.runStep("machine-wakeup", () => this.hooks.machineWakeup?.());
    this.vm.resumeAllVcpus();
    failures.run("WAKEUP event", () => void this.vm.events.emit("WAKEUP"));
    failures.throwIfAny();
  }
}
