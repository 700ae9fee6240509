import { describe, expect, it } from "vitest";
import { defaultEventClock, qmpTimestamp, RunStateEventBus, type RunStateEvent } from "./events.js";
import { HookFailedError } from "./hook-failure.js";
import { shutdownCausedByGuest, SHUTDOWN_CAUSES, MIGRATION_STATUSES } from "./run-state.js";
import { steppingClock } from "./test-kit.test-helper.js";

describe("RunStateEventBus", () => {
  it("emits QMP-shaped, frozen events with data only where QAPI has it", () => {
    const bus = new RunStateEventBus({ clock: steppingClock(7) });
    const got: RunStateEvent[] = [];
    bus.subscribe((e) => got.push(e));
    const stop = bus.emit("STOP");
    bus.emit("SHUTDOWN", { guest: true, reason: "guest-shutdown" });
    bus.emit("RESET", { guest: false, reason: "host-qmp-system-reset" });
    bus.emit("MIGRATION", { status: "completed" });
    bus.emit("RESUME");
    expect(stop).toEqual({ event: "STOP", timestamp: { monotonicMs: 7, wallMs: 1_700_000_000_008 } });
    expect("data" in stop).toBe(false);
    expect(got.map((e) => ("data" in e ? [e.event, e.data] : [e.event]))).toEqual([
      ["STOP"],
      ["SHUTDOWN", { guest: true, reason: "guest-shutdown" }],
      ["RESET", { guest: false, reason: "host-qmp-system-reset" }],
      ["MIGRATION", { status: "completed" }],
      ["RESUME"],
    ]);
    expect(got.map((e) => e.timestamp.monotonicMs)).toEqual([7, 8, 9, 10, 11]);
    expect(Object.isFrozen(got[1])).toBe(true);
    expect(Object.isFrozen((got[1] as { data: object }).data)).toBe(true);
    expect(Object.isFrozen(got[1]!.timestamp)).toBe(true);
  });

  it("copies the data, so later changes by the sender do not show", () => {
    const bus = new RunStateEventBus();
    const data = { status: "active" as const };
    const e = bus.emit("MIGRATION", data);
    (data as { status: string }).status = "failed";
    expect(e.data.status).toBe("active");
  });

  it("filters with on() and unsubscribes both ways", () => {
    const bus = new RunStateEventBus();
    const stops: string[] = [];
    const all: string[] = [];
    const offStop = bus.on("STOP", (e) => stops.push(e.event));
    const listener = (e: RunStateEvent) => all.push(e.event);
    bus.subscribe(listener);
    bus.emit("STOP");
    bus.emit("RESUME");
    offStop();
    expect(bus.unsubscribe(listener)).toBe(true);
    expect(bus.unsubscribe(listener)).toBe(false);
    bus.emit("STOP");
    expect(stops).toEqual(["STOP"]);
    expect(all).toEqual(["STOP", "RESUME"]);
  });

  it("does not deliver to a listener added during delivery, nor to one removed by an earlier listener", () => {
    const bus = new RunStateEventBus();
    const log: string[] = [];
    const late = () => log.push("late");
    const victim = () => log.push("victim");
    bus.subscribe(() => {
      log.push("first");
      bus.subscribe(late);
      bus.unsubscribe(victim);
    });
    bus.subscribe(victim);
    bus.emit("STOP");
    expect(log).toEqual(["first"]);
    bus.emit("RESUME");
    expect(log).toEqual(["first", "first", "late"]);
  });

  it("delivers to every listener even if one throws, then throws HOOK_FAILED", () => {
    const bus = new RunStateEventBus();
    const log: string[] = [];
    bus.subscribe(() => {
      throw new Error("closed socket");
    });
    bus.subscribe((e) => log.push(e.event));
    expect(() => bus.emit("RESUME")).toThrow(HookFailedError);
    expect(() => bus.emit("STOP")).toThrow("STOP listener failed: closed socket");
    expect(log).toEqual(["RESUME", "STOP"]);
  });

  it("lets observers see nested events in the order they were sent", () => {
    const bus = new RunStateEventBus();
    const observed: string[] = [];
    const delivered: string[] = [];
    bus.subscribe((e) => {
      if (e.event === "STOP") bus.emit("RESUME");
    });
    bus.subscribe((e) => delivered.push(e.event));
    bus.observe((e) => observed.push(e.event));
    bus.emit("STOP");
    expect(observed).toEqual(["STOP", "RESUME"]);
    expect(delivered).toEqual(["RESUME", "STOP"]);
  });
});

describe("clocks and timestamps", () => {
  it("default clock: monotonic readings never go back, wall clock is epoch milliseconds", () => {
    const a = defaultEventClock.monotonicMs();
    const b = defaultEventClock.monotonicMs();
    expect(b).toBeGreaterThanOrEqual(a);
    const before = Date.now();
    const wall = defaultEventClock.wallMs();
    expect(wall).toBeGreaterThanOrEqual(before);
    expect(wall).toBeLessThanOrEqual(Date.now());
  });

  it("converts wall time to QMP's seconds and microseconds", () => {
    expect(qmpTimestamp({ monotonicMs: 0, wallMs: 1_267_020_223_123.456 })).toEqual({ seconds: 1_267_020_223, microseconds: 123_456 });
    expect(qmpTimestamp({ monotonicMs: 0, wallMs: 5000 })).toEqual({ seconds: 5, microseconds: 0 });
  });
});

describe("QAPI enums around the events", () => {
  it("marks guest-caused shutdowns as QEMU does, by enum order", () => {
    expect(SHUTDOWN_CAUSES.filter(shutdownCausedByGuest)).toEqual(["guest-shutdown", "guest-reset", "guest-panic", "subsystem-reset", "snapshot-load"]);
    expect(SHUTDOWN_CAUSES).toHaveLength(11);
  });

  it("has 7.2's 14 migration statuses in order", () => {
    expect(MIGRATION_STATUSES).toEqual([
      "none", "setup", "cancelling", "cancelled", "active", "postcopy-active", "postcopy-paused", "postcopy-recover",
      "completed", "failed", "colo", "pre-switchover", "device", "wait-unplug",
    ]);
  });
});
