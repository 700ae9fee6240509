import { describe, expect, it } from "vitest";
import { VmstateError } from "../errors.js";
import { HookFailedError } from "./hook-failure.js";
import type { RunStateEvent } from "./events.js";
import { setup } from "./test-kit.test-helper.js";

describe("vmStop on a running VM (do_vm_stop)", () => {
  it("sets the state, disables ticks, pauses vCPUs, notifies high priority first, sends STOP, then drains and flushes", () => {
    const { vm, cpus, timeline } = setup("running");
    const seen: string[] = [];
    vm.handlers.add((running, state) => seen.push(`gic ${running} ${state} ${vm.machine.state} cpus-paused=${cpus.paused}`), { name: "gic" });
    vm.handlers.add((running, state) => seen.push(`its ${running} ${state} ${vm.machine.state} cpus-paused=${cpus.paused}`), { name: "its" });
    vm.handlers.add(() => seen.push("bus"), { name: "bus", priority: 1 });

    expect(vm.vmStop("paused")).toBe(0);

    expect(timeline.lines()).toEqual([
      "transition running -> paused",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop paused",
      "handler bus main prio 1",
      "handler its main prio 0",
      "handler gic main prio 0",
      "event STOP",
      "step drain",
      "step flush",
    ]);
    // Handlers already see the new state and paused vCPUs; equal priorities run last-registered first.
    expect(seen).toEqual(["bus", "its false paused paused cpus-paused=true", "gic false paused paused cpus-paused=true"]);
    expect(cpus.calls).toEqual(["pause"]);
    expect(vm.machine.state).toBe("paused");
  });

  it("calls the injected hooks in that order and returns the flush result", () => {
    const calls: string[] = [];
    const { vm } = setup("running", {
      disableTicks: () => calls.push("ticks off"),
      drainAll: () => calls.push("drain"),
      flushAll: () => {
        calls.push("flush");
        return -5;
      },
    });
    vm.handlers.add(() => calls.push("handler"));
    vm.events.subscribe((e) => calls.push(e.event));
    expect(vm.vmStop("io-error")).toBe(-5);
    expect(calls).toEqual(["ticks off", "handler", "STOP", "drain", "flush"]);
  });

  it("refuses a stop into a state the table forbids before doing anything", () => {
    const { vm, cpus, timeline } = setup("running");
    const e = (() => {
      try {
        vm.vmStop("prelaunch");
      } catch (err) {
        return err as VmstateError;
      }
      return undefined;
    })();
    expect(e?.code).toBe("INVALID_RUNSTATE_TRANSITION");
    expect(e?.message).toBe("invalid runstate transition: 'running' -> 'prelaunch'");
    expect(vm.machine.state).toBe("running");
    expect(cpus.calls).toEqual([]);
    expect(timeline.entries).toEqual([]);
  });

  it("refuses vm_stop(running), which would pause the vCPUs under a 'running' state", () => {
    const { vm, cpus } = setup("running");
    expect(() => vm.vmStop("running")).toThrow("vm_stop: 'running' is not a stopped state");
    expect(cpus.calls).toEqual([]);
  });
});

describe("vmStop on a stopped VM", () => {
  it("changes nothing, notifies nobody and sends no STOP, but still drains and flushes", () => {
    const { vm, cpus, timeline } = setup("paused", { flushAll: () => -28 });
    vm.handlers.add(() => {
      throw new Error("must not be called");
    });
    expect(vm.vmStop("save-vm")).toBe(-28);
    expect(vm.machine.state).toBe("paused");
    expect(cpus.calls).toEqual([]);
    expect(timeline.lines()).toEqual(["step drain", "step flush"]);
  });

  it("keeps io-error when stopped again (QMP stop in io-error)", () => {
    const { vm } = setup("io-error");
    vm.vmStop("paused");
    expect(vm.machine.state).toBe("io-error");
  });
});

describe("vmShutdown", () => {
  it("is a stop into shutdown without the STOP event", () => {
    const { vm, timeline } = setup("running");
    vm.handlers.add(() => {}, { name: "h" });
    vm.vmShutdown();
    expect(timeline.lines()).toEqual([
      "transition running -> shutdown",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop shutdown",
      "handler h main prio 0",
      "step drain",
      "step flush",
    ]);
    expect(vm.machine.needsReset()).toBe(true);
  });

  it("does nothing but drain and flush when the VM is not running", () => {
    const { vm, timeline } = setup("paused");
    vm.vmShutdown();
    expect(vm.machine.state).toBe("paused");
    expect(timeline.lines()).toEqual(["step drain", "step flush"]);
  });
});

describe("vmStopForceState", () => {
  it("is a full vm_stop when running", () => {
    const { vm, timeline } = setup("running");
    vm.handlers.add(() => {}, { name: "its" });
    vm.vmStopForceState("finish-migrate");
    expect(timeline.lines()).toEqual([
      "transition running -> finish-migrate",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop finish-migrate",
      "handler its main prio 0",
      "event STOP",
      "step drain",
      "step flush",
    ]);
  });

  it("only changes the state of a stopped VM: no handlers, no STOP, no vCPU calls, then drain and flush", () => {
    const { vm, cpus, timeline } = setup("paused", { flushAll: () => -5 });
    vm.handlers.add(() => {
      throw new Error("must not be called");
    });
    expect(vm.vmStopForceState("finish-migrate")).toBe(-5);
    expect(vm.machine.state).toBe("finish-migrate");
    expect(cpus.calls).toEqual([]);
    expect(timeline.lines()).toEqual(["transition paused -> finish-migrate", "step drain", "step flush"]);
  });

  it("accepts the state the VM is already in", () => {
    const { vm, timeline } = setup("finish-migrate");
    expect(vm.vmStopForceState("finish-migrate")).toBe(0);
    expect(timeline.lines()).toEqual(["step drain", "step flush"]);
  });

  it("throws on a transition the table forbids, before draining", () => {
    const { vm, timeline } = setup("postmigrate");
    expect(() => vm.vmStopForceState("paused")).toThrow("invalid runstate transition: 'postmigrate' -> 'paused'");
    expect(timeline.entries).toEqual([]);
  });

  it("refuses to force 'running' onto a stopped VM", () => {
    const { vm } = setup("paused");
    expect(() => vm.vmStopForceState("running")).toThrow(VmstateError);
    expect(vm.machine.state).toBe("paused");
  });
});

describe("vmStart (vm_prepare_start + resume_all_vcpus)", () => {
  it("sends RESUME, enables ticks, sets running, notifies low priority first, then resumes vCPUs", () => {
    const preResume: boolean[] = [];
    const { vm, cpus, timeline } = setup("paused", { preResume: (step) => preResume.push(step) });
    const seen: string[] = [];
    vm.handlers.add((running, state) => seen.push(`gic ${running} ${state} cpus-paused=${cpus.paused}`), { name: "gic" });
    vm.handlers.add(() => seen.push("its"), { name: "its" });
    vm.handlers.add(() => seen.push("bus"), { name: "bus", priority: 1 });
    vm.vmStart();
    expect(timeline.lines()).toEqual([
      "step pre-resume",
      "event RESUME",
      "step ticks-enable",
      "transition paused -> running",
      "notify start running",
      "handler gic main prio 0",
      "handler its main prio 0",
      "handler bus main prio 1",
      "step cpus-resume",
    ]);
    expect(seen).toEqual(["gic true running cpus-paused=true", "its", "bus"]);
    expect(cpus.calls).toEqual(["resume"]);
    expect(preResume).toEqual([false]);
  });

  it("starts from prelaunch and inmigrate", () => {
    for (const from of ["prelaunch", "inmigrate"] as const) {
      const { vm } = setup(from);
      vm.vmStart();
      expect(vm.machine.state).toBe("running");
    }
  });

  it("does nothing when already running", () => {
    const { vm, cpus, timeline } = setup("running");
    vm.handlers.add(() => {
      throw new Error("must not be called");
    });
    vm.vmStart();
    expect(timeline.entries).toEqual([]);
    expect(cpus.calls).toEqual([]);
  });

  it("answers a pending stop request on a running VM with STOP then RESUME and nothing else", () => {
    const { vm, cpus, timeline } = setup("running");
    vm.handlers.add(() => {
      throw new Error("must not be called");
    });
    vm.requestVmStop("io-error");
    vm.vmStart();
    expect(timeline.lines()).toEqual(["event STOP", "event RESUME"]);
    expect(vm.machine.state).toBe("running");
    expect(cpus.calls).toEqual([]);
    expect(vm.takeVmStopRequest()).toBeUndefined();
  });

  it("discards a pending stop request when starting a stopped VM", () => {
    const { vm, timeline } = setup("paused");
    vm.requestVmStop("io-error");
    vm.vmStart();
    expect(timeline.lines().filter((l) => l.startsWith("event"))).toEqual(["event RESUME"]);
    expect(vm.takeVmStopRequest()).toBeUndefined();
  });

  it("refuses to start from a state that needs a reset, without sending RESUME", () => {
    for (const from of ["shutdown", "internal-error"] as const) {
      const { vm, cpus, timeline } = setup(from);
      expect(() => vm.vmStart()).toThrow(`invalid runstate transition: '${from}' -> 'running'`);
      expect(timeline.entries).toEqual([]);
      expect(cpus.calls).toEqual([]);
      expect(vm.machine.state).toBe(from);
    }
  });

  it("vmPrepareStart leaves the vCPUs to the caller and says whether to resume them", () => {
    const { vm, cpus } = setup("paused", {});
    const steps: boolean[] = [];
    const vm2 = setup("paused", { preResume: (s) => steps.push(s) }).vm;
    expect(vm.vmPrepareStart()).toBe(true);
    expect(vm.machine.state).toBe("running");
    expect(cpus.calls).toEqual([]);
    expect(vm.vmPrepareStart()).toBe(false);
    expect(vm2.vmPrepareStart(true)).toBe(true);
    expect(steps).toEqual([true]);
  });
});

describe("failing handlers and listeners do not cut a stop or start short", () => {
  it("a stop still pauses, sends STOP, drains and flushes, then throws HOOK_FAILED", () => {
    const { vm, timeline } = setup("running");
    vm.handlers.add(
      () => {
        throw new Error("save failed");
      },
      { name: "its" },
    );
    vm.handlers.add(() => {}, { name: "gic", priority: -1 });
    vm.events.on("STOP", () => {
      throw new Error("client gone");
    });
    let caught: unknown;
    try {
      vm.vmStop("finish-migrate");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HookFailedError);
    expect((caught as HookFailedError).failures.map((f) => f.what)).toEqual(["change-state handler 'its'", "STOP listener"]);
    expect(timeline.lines()).toEqual([
      "transition running -> finish-migrate",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop finish-migrate",
      "handler its main prio 0",
      "handler gic main prio -1",
      "event STOP",
      "step drain",
      "step flush",
    ]);
  });

  it("a start still resumes the vCPUs before throwing", () => {
    const { vm, cpus } = setup("paused");
    vm.handlers.add(() => {
      throw new Error("no");
    });
    expect(() => vm.vmStart()).toThrow(/change-state handler 'anonymous' failed: no/);
    expect(vm.machine.state).toBe("running");
    expect(cpus.calls).toEqual(["resume"]);
  });

  it("a failing vCPU hook propagates at once", () => {
    const { vm, timeline } = setup("running");
    (vm.cpus as { pause(): void }).pause = () => {
      throw new Error("vcpu stuck");
    };
    vm.handlers.add(() => {}, { name: "h" });
    expect(() => vm.vmStop("paused")).toThrow("vcpu stuck");
    expect(timeline.lines()).toEqual(["transition running -> paused", "step ticks-disable", "step cpus-pause"]);
  });
});

describe("events and timestamps", () => {
  it("stamps STOP and RESUME from the injected clock", () => {
    const { vm, clock } = setup("running");
    const events: RunStateEvent[] = [];
    vm.events.subscribe((e) => events.push(e));
    vm.vmStop("paused");
    vm.vmStart();
    expect(events.map((e) => [e.event, e.timestamp.monotonicMs, e.timestamp.wallMs])).toEqual([
      ["STOP", 100, 1_700_000_000_101],
      ["RESUME", 101, 1_700_000_000_102],
    ]);
    expect(clock.readings).toBe(2);
  });

  it("records a whole run in order", () => {
    const { vm, timeline } = setup("prelaunch");
    vm.handlers.add(() => {}, { name: "dev", prepare: () => {} });
    vm.vmStart();
    vm.vmStop("save-vm");
    vm.vmStart();
    vm.vmStopForceState("finish-migrate");
    vm.machine.set("postmigrate");
    expect(timeline.lines()).toEqual([
      "step pre-resume",
      "event RESUME",
      "step ticks-enable",
      "transition prelaunch -> running",
      "notify start running",
      "handler dev prepare prio 0",
      "handler dev main prio 0",
      "step cpus-resume",
      "transition running -> save-vm",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop save-vm",
      "handler dev prepare prio 0",
      "handler dev main prio 0",
      "event STOP",
      "step drain",
      "step flush",
      "step pre-resume",
      "event RESUME",
      "step ticks-enable",
      "transition save-vm -> running",
      "notify start running",
      "handler dev prepare prio 0",
      "handler dev main prio 0",
      "step cpus-resume",
      "transition running -> finish-migrate",
      "step ticks-disable",
      "step cpus-pause",
      "notify stop finish-migrate",
      "handler dev prepare prio 0",
      "handler dev main prio 0",
      "event STOP",
      "step drain",
      "step flush",
      "transition finish-migrate -> postmigrate",
    ]);
    const events = timeline.entries.filter((e) => e.kind === "event");
    expect(events.map((e) => e.event.timestamp.monotonicMs)).toEqual([100, 101, 102, 103]);
  });

  it("stops recording once detached", () => {
    const { vm, timeline } = setup("paused");
    timeline.detach();
    vm.vmStart();
    expect(timeline.entries).toEqual([]);
  });
});
