import { describe, expect, it } from "vitest";
import { VmstateError } from "../errors.js";
import { HookFailedError } from "./hook-failure.js";
import { MainLoop } from "./main-loop.js";
import type { RunState } from "./run-state.js";
import { setup } from "./test-kit.test-helper.js";

function withLoop(initial: RunState, shutdownAction: "poweroff" | "pause" = "poweroff") {
  const s = setup(initial);
  const resets: string[] = [];
  const loop = new MainLoop(s.vm, { shutdownAction, hooks: { resetDevices: (c) => resets.push(c), machineWakeup: () => resets.push("wakeup") } });
  s.vm.handlers.add(() => {}, { name: "h" });
  return { ...s, loop, resets };
}

describe("main loop: suspend and wakeup", () => {
  it("suspends without vm_stop: pause vCPUs, set suspended, SUSPEND; no handlers, no STOP", () => {
    const { loop, vm, timeline } = withLoop("running");
    loop.requestSuspend();
    expect(loop.iterate()).toBe(false);
    expect(timeline.lines()).toEqual(["step cpus-pause", "transition running -> suspended", "event SUSPEND"]);
    expect(vm.machine.state).toBe("suspended");
  });

  it("ignores a suspend request while suspended", () => {
    const { loop, timeline } = withLoop("suspended");
    loop.requestSuspend();
    loop.iterate();
    expect(timeline.entries).toEqual([]);
  });

  it("wakes up: running at request time, then pause, machine wakeup, resume, WAKEUP; no handlers, no RESUME", () => {
    const { loop, vm, timeline, resets, cpus } = withLoop("suspended");
    loop.requestWakeup();
    expect(vm.machine.state).toBe("running");
    expect(timeline.lines()).toEqual(["transition suspended -> running"]);
    loop.iterate();
    expect(timeline.lines()).toEqual([
      "transition suspended -> running",
      "step cpus-pause",
      "step machine-wakeup",
      "step cpus-resume",
      "event WAKEUP",
    ]);
    expect(resets).toEqual(["wakeup"]);
    expect(cpus.paused).toBe(false);
  });

  it("refuses a wakeup unless suspended, with QEMU's message", () => {
    const { loop } = withLoop("paused");
    expect(() => loop.requestWakeup()).toThrow("Unable to wake up: guest is not in suspended state");
  });

  it("throws on a suspend from a state 7.2 cannot suspend from, before pausing", () => {
    const { loop, timeline } = withLoop("paused");
    loop.requestSuspend();
    expect(() => loop.iterate()).toThrow("invalid runstate transition: 'paused' -> 'suspended'");
    expect(timeline.entries).toEqual([]);
  });
});

describe("main loop: reset", () => {
  it("resets a running VM: pause, reset devices, RESET, resume; stays running", () => {
    const { loop, vm, timeline, resets } = withLoop("running");
    loop.requestReset("guest-reset");
    loop.iterate();
    expect(timeline.lines()).toEqual([
      "step cpus-pause",
      "step reset-devices",
      'event RESET {"guest":true,"reason":"guest-reset"}',
      "step cpus-resume",
    ]);
    expect(resets).toEqual(["guest-reset"]);
    expect(vm.machine.state).toBe("running");
  });

  it("moves a stopped VM to prelaunch and does not resume its vCPUs", () => {
    for (const from of ["shutdown", "internal-error", "paused", "guest-panicked"] as const) {
      const { loop, vm, timeline } = withLoop(from);
      loop.requestReset("host-qmp-system-reset");
      loop.iterate();
      expect(timeline.lines()).toEqual([
        "step cpus-pause",
        "step reset-devices",
        'event RESET {"guest":false,"reason":"host-qmp-system-reset"}',
        `transition ${from} -> prelaunch`,
      ]);
      expect(vm.machine.needsReset()).toBe(false);
    }
  });

  it("keeps inmigrate and finish-migrate", () => {
    for (const from of ["inmigrate", "finish-migrate"] as const) {
      const { loop, vm } = withLoop(from);
      loop.requestReset("guest-reset");
      loop.iterate();
      expect(vm.machine.state).toBe(from);
    }
  });

  it("sends no RESET for subsystem-reset and snapshot-load", () => {
    for (const cause of ["subsystem-reset", "snapshot-load"] as const) {
      const { loop, timeline } = withLoop("running");
      loop.requestReset(cause);
      loop.iterate();
      expect(timeline.lines()).toEqual(["step cpus-pause", "step reset-devices", "step cpus-resume"]);
    }
  });

  it("throws before doing anything if prelaunch cannot be reached (save-vm)", () => {
    const { loop, timeline } = withLoop("save-vm");
    loop.requestReset("guest-reset");
    expect(() => loop.iterate()).toThrow(VmstateError);
    expect(timeline.entries).toEqual([]);
  });
});

describe("main loop: shutdown", () => {
  it("with poweroff: sends SHUTDOWN and asks to exit; the caller's vm_shutdown then stops without STOP", () => {
    const { loop, vm, timeline } = withLoop("running", "poweroff");
    loop.requestShutdown("host-signal");
    loop.requestReset("guest-reset"); // not reached: the loop exits first
    expect(loop.iterate()).toBe(true);
    expect(timeline.lines()).toEqual(['event SHUTDOWN {"guest":false,"reason":"host-signal"}']);
    vm.vmShutdown();
    expect(timeline.lines()).toEqual([
      'event SHUTDOWN {"guest":false,"reason":"host-signal"}',
      "transition running -> shutdown",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop shutdown",
      "handler h main prio 0",
      "step drain",
      "step flush",
    ]);
  });

  it("with pause: sends SHUTDOWN, then vm_stop(shutdown) with STOP, and keeps looping", () => {
    const { loop, vm, timeline } = withLoop("running", "pause");
    loop.requestShutdown("guest-shutdown");
    expect(loop.iterate()).toBe(false);
    expect(timeline.lines()).toEqual([
      'event SHUTDOWN {"guest":true,"reason":"guest-shutdown"}',
      "transition running -> shutdown",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop shutdown",
      "handler h main prio 0",
      "event STOP",
      "step drain",
      "step flush",
    ]);
    expect(vm.machine.needsReset()).toBe(true);
    expect(loop.iterate()).toBe(false);
  });

  it("runs requests in QEMU's order within one iteration: debug, suspend, shutdown, reset, wakeup, vm_stop", () => {
    const { loop, vm, timeline } = withLoop("running", "pause");
    loop.requestVmStop("io-error");
    loop.requestReset("guest-reset");
    loop.requestDebug();
    loop.iterate();
    expect(timeline.lines().filter((l) => l.startsWith("transition") || l.startsWith("event"))).toEqual([
      "transition running -> debug",
      "event STOP",
      'event RESET {"guest":true,"reason":"guest-reset"}',
      "transition debug -> prelaunch",
    ]);
    // The vm_stop(io-error) request found the VM stopped: drain and flush only.
    expect(timeline.lines().slice(-2)).toEqual(["step drain", "step flush"]);
    expect(vm.machine.state).toBe("prelaunch");
  });

  it("carries out the other requests when a handler fails, then throws HOOK_FAILED", () => {
    const { loop, vm } = withLoop("running");
    vm.handlers.add(
      () => {
        throw new Error("device unhappy");
      },
      { name: "bad" },
    );
    loop.requestDebug();
    loop.requestReset("guest-reset");
    expect(() => loop.iterate()).toThrow(HookFailedError);
    expect(vm.machine.state).toBe("prelaunch");
  });
});
