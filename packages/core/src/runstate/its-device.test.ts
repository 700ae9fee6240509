// A device that, like the KVM GICv3 ITS (hw/intc/arm_gicv3_its_kvm.c), ignores
// starts and acts on every stop: its handler returns when `running` is true
// and otherwise asks KVM to save its tables into guest RAM (SAVE_TABLES,
// which fails with EBUSY unless every vCPU is paused).
import { describe, expect, it } from "vitest";
import type { ChangeStateHandlers } from "./change-state.js";
import { MainLoop } from "./main-loop.js";
import { allowedTargets } from "./transitions.js";
import type { RunState } from "./run-state.js";
import { setup, type FakeVcpus } from "./test-kit.test-helper.js";
import type { VmControl } from "./vm.js";

class ItsLikeDevice {
  calls: [boolean, RunState][] = [];
  saves: RunState[] = [];

  constructor(handlers: ChangeStateHandlers, cpus: FakeVcpus) {
    handlers.add(
      (running, state) => {
        this.calls.push([running, state]);
        if (running) return;
        if (!cpus.paused) throw new Error("EBUSY: a vCPU is running");
        this.saves.push(state);
      },
      { name: "arm-its-kvm" },
    );
  }
}

/** Brings a stopped VM back to running: straight from states that allow it, through a reset (prelaunch) otherwise. */
function restart(vm: VmControl): void {
  if (!vm.machine.canSet("running")) vm.machine.set("prelaunch");
  vm.vmStart();
}

// Every state QEMU 7.2 lets a running VM stop into.
const STOP_STATES = allowedTargets("running");

describe("an ITS-like device that filters on `running`", () => {
  it("covers every stop state the table allows from running", () => {
    expect([...STOP_STATES].sort()).toEqual(
      ["colo", "debug", "finish-migrate", "guest-panicked", "internal-error", "io-error", "paused", "restore-vm", "save-vm", "shutdown", "suspended", "watchdog"].sort(),
    );
  });

  it("is called on every transition and acts exactly once per stop, never on start, for each way of stopping", () => {
    const { vm, cpus } = setup("prelaunch");
    const its = new ItsLikeDevice(vm.handlers, cpus);
    vm.vmStart();
    for (const state of STOP_STATES) {
      vm.vmStop(state);
      vm.vmStop(state); // a second stop of a stopped VM is not a stop
      restart(vm);
    }
    expect(its.saves).toEqual(STOP_STATES);
    const starts = its.calls.filter(([running]) => running);
    const stops = its.calls.filter(([running]) => !running);
    expect(starts).toHaveLength(STOP_STATES.length + 1);
    expect(starts.every(([, s]) => s === "running")).toBe(true);
    expect(stops.map(([, s]) => s)).toEqual(STOP_STATES);
  });

  it.each(STOP_STATES)("acts once when stopped into %s by vm_stop_force_state, and not when forced again", (state) => {
    const { vm, cpus } = setup("running");
    const its = new ItsLikeDevice(vm.handlers, cpus);
    vm.vmStopForceState(state);
    const next = allowedTargets(state).find((s) => s !== "running");
    if (next !== undefined) vm.vmStopForceState(next); // already stopped: state change only
    expect(its.saves).toEqual([state]);
    expect(its.calls).toEqual([[false, state]]);
  });

  it("acts once on vm_shutdown (no STOP event) and on a guest shutdown with the pause action", () => {
    {
      const { vm, cpus } = setup("running");
      const its = new ItsLikeDevice(vm.handlers, cpus);
      vm.vmShutdown();
      vm.vmShutdown();
      expect(its.saves).toEqual(["shutdown"]);
    }
    {
      const { vm, cpus } = setup("running");
      const its = new ItsLikeDevice(vm.handlers, cpus);
      const loop = new MainLoop(vm, { shutdownAction: "pause" });
      loop.requestShutdown("guest-shutdown");
      loop.iterate();
      expect(its.saves).toEqual(["shutdown"]);
    }
  });

  it("acts once for a stop posted from a vCPU (io-error, watchdog), carried out by the main loop", () => {
    for (const state of ["io-error", "watchdog"] as const) {
      const { vm, cpus } = setup("running");
      const its = new ItsLikeDevice(vm.handlers, cpus);
      const loop = new MainLoop(vm);
      loop.requestVmStop(state);
      expect(its.calls).toEqual([]);
      loop.iterate();
      loop.iterate();
      expect(its.saves).toEqual([state]);
    }
  });

  it("does not act when a pending stop is cancelled by a start (STOP, RESUME pair only)", () => {
    const { vm, cpus } = setup("running");
    const its = new ItsLikeDevice(vm.handlers, cpus);
    vm.requestVmStop("io-error");
    vm.vmStart();
    expect(its.calls).toEqual([]);
  });

  it("is not told about ACPI suspend, which does not go through vm_stop", () => {
    const { vm, cpus } = setup("running");
    const its = new ItsLikeDevice(vm.handlers, cpus);
    const loop = new MainLoop(vm);
    loop.requestSuspend();
    loop.iterate();
    expect(vm.machine.state).toBe("suspended");
    expect(cpus.paused).toBe(true);
    expect(its.calls).toEqual([]);
  });

  it("acts once when a suspended 7.2 source is migrated: the wakeup request sets running, then vm_stop_force_state is a full stop", () => {
    const { vm, cpus } = setup("running");
    const its = new ItsLikeDevice(vm.handlers, cpus);
    const loop = new MainLoop(vm);
    loop.requestSuspend();
    loop.iterate();
    // migration_completion: qemu_system_wakeup_request, then vm_stop_force_state(FINISH_MIGRATE).
    loop.requestWakeup();
    vm.vmStopForceState("finish-migrate");
    vm.machine.set("postmigrate");
    loop.iterate(); // the wakeup's main-loop half: resume_all_vcpus does nothing, the VM is not running
    expect(its.saves).toEqual(["finish-migrate"]);
    expect(cpus.paused).toBe(true);
    expect(vm.machine.state).toBe("postmigrate");
  });

  it("acts once across a paused-then-migrated VM: at the pause, not at finish-migrate", () => {
    const { vm, cpus } = setup("running");
    const its = new ItsLikeDevice(vm.handlers, cpus);
    vm.vmStop("paused");
    vm.vmStopForceState("finish-migrate");
    vm.machine.set("postmigrate");
    expect(its.saves).toEqual(["paused"]);
  });

  it("saves before the GICv3 handler registered earlier at the same priority", () => {
    const { vm, cpus } = setup("running");
    const order: string[] = [];
    let its: ItsLikeDevice | undefined;
    vm.handlers.add((running) => void (running || order.push(`gicv3 its-saved=${its?.saves.length}`)), { name: "kvm-arm-gicv3" });
    its = new ItsLikeDevice(vm.handlers, cpus);
    vm.vmStop("finish-migrate");
    expect(order).toEqual(["gicv3 its-saved=1"]);
  });
});
