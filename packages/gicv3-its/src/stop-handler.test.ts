import { allowedTargets, MainLoop, RunStateMachine, VmControl, type RunState } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { bringUp, COLLECTION_TABLE, DEVICE_TABLE, rig, type Rig } from "./test-kit.test-helper.js";
import { GITS_BASER, GITS_CTLR } from "./its.js";

// Every state QEMU 7.2 lets a running VM stop into.
const STOP_STATES = allowedTargets("running");

/** Brings a stopped VM back to running: straight from states that allow it, through a reset (prelaunch) otherwise. */
function restart(vm: VmControl): void {
  if (!vm.machine.canSet("running")) vm.machine.set("prelaunch");
  vm.vmStart();
}

function vmWith(r: Rig, initial: RunState = "prelaunch") {
  const cpus = { paused: initial !== "running", pause() {}, resume() {} };
  cpus.pause = () => void (cpus.paused = true);
  cpus.resume = () => void (cpus.paused = false);
  const vm = new VmControl({ machine: new RunStateMachine({ initial }), cpus });
  const pausedAtSave: boolean[] = [];
  vm.handlers.add((running) => void (running || pausedAtSave.push(cpus.paused)), { name: "probe", priority: -1 });
  r.redist.registerStopHandler(vm.handlers);
  const entry = r.its.registerStopHandler(vm.handlers);
  return { vm, cpus, entry, pausedAtSave };
}

describe("the ITS stop handler", () => {
  it("covers every stop state the 7.2 table allows from running", () => {
    expect([...STOP_STATES].sort()).toEqual(
      ["colo", "debug", "finish-migrate", "guest-panicked", "internal-error", "io-error", "paused", "restore-vm", "save-vm", "shutdown", "suspended", "watchdog"].sort(),
    );
  });

  it("every transition that stops the VM triggers exactly one table save; transitions into running trigger none", () => {
    const r = rig();
    const { vm } = vmWith(r);
    vm.vmStart();
    bringUp(r);
    expect(r.its.saveCount).toBe(0);
    const saved: (RunState | undefined)[] = [];
    for (const state of STOP_STATES) {
      const before = r.its.saveCount;
      vm.vmStop(state);
      expect(r.its.saveCount, state).toBe(before + 1);
      saved.push(r.its.lastSave?.state);
      expect(r.its.lastSave).toMatchObject({ ok: true, devices: 2, ites: 5, collections: 2 });
      vm.vmStop(state); // stopping a stopped VM is no stop
      const other = allowedTargets(state).find((s) => s !== "running" && s !== "prelaunch");
      if (other !== undefined) vm.vmStopForceState(other); // state change only, no handlers
      expect(r.its.saveCount, `${state}, stopped again`).toBe(before + 1);
      restart(vm);
      expect(r.its.saveCount, `${state}, restarted`).toBe(before + 1);
    }
    expect(saved).toEqual(STOP_STATES);
  });

  it("saves once on vm_shutdown, and for stops the main loop carries out", () => {
    const r = rig();
    const { vm } = vmWith(r, "running");
    vm.vmShutdown();
    vm.vmShutdown();
    expect(r.its.saveCount).toBe(1);
    vm.machine.set("prelaunch");
    vm.vmStart();
    const loop = new MainLoop(vm);
    loop.requestVmStop("io-error");
    expect(r.its.saveCount).toBe(1);
    loop.iterate();
    loop.iterate();
    expect(r.its.saveCount).toBe(2);
    expect(r.its.lastSave?.state).toBe("io-error");
  });

  it("does nothing for a stop request cancelled by a start, or for ACPI suspend", () => {
    const r = rig();
    const { vm } = vmWith(r, "running");
    vm.requestVmStop("io-error");
    vm.vmStart();
    const loop = new MainLoop(vm);
    loop.requestSuspend();
    loop.iterate();
    expect(vm.machine.state).toBe("suspended");
    expect(r.its.saveCount).toBe(0);
  });

  it("runs with the vCPUs paused, before the GIC's pending-table handler registered earlier at the same priority 0", () => {
    const r = rig();
    const { vm, entry, pausedAtSave } = vmWith(r, "running");
    expect(entry.priority).toBe(0);
    const order: string[] = [];
    vm.handlers.observe((t) => void (t.kind === "handler" && !t.running && order.push(t.name)));
    vm.vmStop("finish-migrate");
    expect(order).toEqual(["arm-its-kvm", "kvm-arm-gicv3", "probe"]);
    expect(pausedAtSave).toEqual([true]);
    expect(r.redist.lastSave?.state).toBe("finish-migrate");
  });

  it("writes the tables into guest RAM on a stop, and only then", () => {
    const r = rig();
    const { vm } = vmWith(r, "running");
    bringUp(r);
    expect(r.ram.isZero(DEVICE_TABLE, 0x10000)).toBe(true);
    const pages = r.ram.writtenPages.size;
    vm.vmStop("paused");
    expect(r.ram.isZero(DEVICE_TABLE, 0x10000)).toBe(false);
    expect(r.ram.isZero(COLLECTION_TABLE, 16)).toBe(false);
    expect(r.ram.writtenPages.size).toBeGreaterThan(pages);
  });

  it("reports a save error and lets the stop complete", () => {
    const r = rig();
    const { vm } = vmWith(r, "running");
    bringUp(r);
    // Move the device table out of RAM behind the guest's back.
    r.its.write(GITS_CTLR, 4, 0n);
    r.its.write(GITS_BASER, 8, (1n << 63n) | (2n << 8n) | 0x1000_0000n);
    r.its.write(GITS_CTLR, 4, 1n);
    expect(() => vm.vmStop("paused")).not.toThrow();
    expect(vm.machine.state).toBe("paused");
    expect(r.its.lastSave?.ok).toBe(false);
    expect(r.saveErrors).toHaveLength(1);
    expect(r.saveErrors[0]).toMatchObject({ code: "IO_ERROR", table: "device" });
    expect(r.saveErrors[0]!.message).toMatch(/not in guest RAM/);
  });

  it("once removed, saves nothing", () => {
    const r = rig();
    const { vm, entry } = vmWith(r, "running");
    vm.handlers.remove(entry);
    vm.vmStop("paused");
    expect(r.its.saveCount).toBe(0);
  });
});
