import { describe, expect, it } from "vitest";
import { VmstateError } from "../errors.js";
import { ChangeStateHandlers, type ChangeStateEntry } from "./change-state.js";
import { HookFailedError } from "./hook-failure.js";
import { addDeviceChangeStateHandler, deviceTreeDepth, type QdevDevice } from "./qdev-handler.js";

/** Registers handlers that log `name` (and `name:prep` for prepare callbacks). */
function logging() {
  const handlers = new ChangeStateHandlers();
  const log: string[] = [];
  const add = (name: string, priority?: number, withPrepare = false) =>
    handlers.add(() => log.push(name), {
      name,
      ...(priority === undefined ? {} : { priority }),
      ...(withPrepare ? { prepare: () => log.push(`${name}:prep`) } : {}),
    });
  return { handlers, log, add };
}

describe("change-state handler order", () => {
  it("calls ascending priority on start and descending on stop", () => {
    const { handlers, log, add } = logging();
    add("p5", 5);
    add("p-1", -1);
    add("p0", 0);
    add("p2", 2);
    handlers.notify(true, "running");
    expect(log.splice(0)).toEqual(["p-1", "p0", "p2", "p5"]);
    handlers.notify(false, "paused");
    expect(log.splice(0)).toEqual(["p5", "p2", "p0", "p-1"]);
  });

  it("keeps registration order among equal priorities on start and reverses it on stop", () => {
    const { handlers, log, add } = logging();
    add("a");
    add("b", 1);
    add("c");
    add("d", 1);
    add("e");
    expect(handlers.entries().map((e) => e.name)).toEqual(["a", "c", "e", "b", "d"]);
    handlers.notify(true, "running");
    expect(log.splice(0)).toEqual(["a", "c", "e", "b", "d"]);
    handlers.notify(false, "finish-migrate");
    expect(log.splice(0)).toEqual(["d", "b", "e", "c", "a"]);
  });

  it("passes running and the new state, defaulting the priority to 0", () => {
    const handlers = new ChangeStateHandlers();
    const calls: [boolean, string][] = [];
    const e = handlers.add((running, state) => calls.push([running, state]));
    expect(e.priority).toBe(0);
    handlers.notify(false, "save-vm");
    handlers.notify(true, "running");
    expect(calls).toEqual([
      [false, "save-vm"],
      [true, "running"],
    ]);
  });

  it("names entries after the option, the function, or 'anonymous'", () => {
    const handlers = new ChangeStateHandlers();
    function itsHandler() {}
    expect(handlers.add(itsHandler).name).toBe("itsHandler");
    expect(handlers.add(itsHandler, { name: "its" }).name).toBe("its");
    expect(handlers.add((() => () => {})()).name).toBe("anonymous");
  });

  it("refuses a NaN priority", () => {
    expect(() => new ChangeStateHandlers().add(() => {}, { priority: Number.NaN })).toThrow(VmstateError);
  });
});

describe("prepare callbacks (QEMU 8.2)", () => {
  it("run as a first pass in start order, before any main callback", () => {
    const { handlers, log, add } = logging();
    add("b", 1, true);
    add("a", 0);
    add("c", 1);
    add("z", -5, true);
    handlers.notify(true, "running");
    expect(log).toEqual(["z:prep", "b:prep", "z", "a", "b", "c"]);
  });

  it("also run first on stop, in stop order", () => {
    const { handlers, log, add } = logging();
    add("b", 1, true);
    add("a", 0);
    add("c", 1, true);
    add("z", -5, true);
    handlers.notify(false, "paused");
    expect(log).toEqual(["c:prep", "b:prep", "z:prep", "c", "b", "a", "z"]);
  });

  it("get the same arguments as the main callback", () => {
    const handlers = new ChangeStateHandlers();
    const seen: string[] = [];
    handlers.add((r, s) => seen.push(`main ${r} ${s}`), { prepare: (r, s) => seen.push(`prep ${r} ${s}`) });
    handlers.notify(false, "colo");
    expect(seen).toEqual(["prep false colo", "main false colo"]);
  });
});

describe("changing the list during a notification", () => {
  it("lets a handler remove itself; it is not called again", () => {
    const handlers = new ChangeStateHandlers();
    const log: string[] = [];
    handlers.add(() => log.push("a"), { name: "a" });
    const self: ChangeStateEntry = handlers.add(
      () => {
        log.push("once");
        handlers.remove(self);
      },
      { name: "once" },
    );
    handlers.add(() => log.push("c"), { name: "c" });
    handlers.notify(true, "running");
    handlers.notify(false, "paused");
    expect(log).toEqual(["a", "once", "c", "c", "a"]);
    expect(self.isRegistered).toBe(false);
  });

  it("skips a handler that an earlier one removed, in either direction, including the very next one", () => {
    for (const running of [true, false]) {
      const handlers = new ChangeStateHandlers();
      const log: string[] = [];
      const entries: Record<string, ChangeStateEntry> = {};
      // Start order a, b, c; stop order c, b, a. The first called removes its neighbour.
      const first = running ? "a" : "c";
      for (const name of ["a", "b", "c"]) {
        entries[name] = handlers.add(
          () => {
            log.push(name);
            if (name === first) handlers.remove(entries.b!);
          },
          { name },
        );
      }
      handlers.notify(running, running ? "running" : "paused");
      expect(log).toEqual(running ? ["a", "c"] : ["c", "a"]);
      expect(handlers.size).toBe(2);
    }
  });

  it("does not call a handler added during the notification until the next one", () => {
    const handlers = new ChangeStateHandlers();
    const log: string[] = [];
    handlers.add(
      () => {
        log.push("adder");
        // Lands after the adder in start order and before it in stop order.
        if (log.length === 1) handlers.add(() => log.push("late"), { name: "late", priority: 10 });
      },
      { name: "adder" },
    );
    handlers.notify(true, "running");
    expect(log).toEqual(["adder"]);
    handlers.notify(false, "paused");
    expect(log).toEqual(["adder", "late", "adder"]);
  });

  it("treats a removal during the prepare pass as cancelling the main callback", () => {
    const handlers = new ChangeStateHandlers();
    const log: string[] = [];
    let victim: ChangeStateEntry | undefined;
    handlers.add(() => log.push("a"), {
      name: "a",
      prepare: () => {
        log.push("a:prep");
        if (victim) handlers.remove(victim);
      },
    });
    victim = handlers.add(() => log.push("v"), { name: "v", prepare: () => log.push("v:prep") });
    handlers.notify(true, "running");
    expect(log).toEqual(["a:prep", "a"]);
  });

  it("does not call prepare or main of an entry added during the prepare pass", () => {
    const handlers = new ChangeStateHandlers();
    const log: string[] = [];
    handlers.add(() => log.push("a"), {
      prepare: () => {
        log.push("a:prep");
        handlers.add(() => log.push("n"), { prepare: () => log.push("n:prep"), priority: 9 });
      },
    });
    handlers.notify(true, "running");
    expect(log).toEqual(["a:prep", "a"]);
  });

  it("returns false when removing an entry twice", () => {
    const handlers = new ChangeStateHandlers();
    const e = handlers.add(() => {});
    expect(handlers.remove(e)).toBe(true);
    expect(handlers.remove(e)).toBe(false);
    expect(new ChangeStateHandlers().remove(handlers.add(() => {}))).toBe(false);
  });
});

describe("failing handlers", () => {
  it("run every other callback, then throw one HOOK_FAILED naming each failure", () => {
    const { handlers, log, add } = logging();
    add("a");
    handlers.add(
      () => {
        throw new Error("boom");
      },
      { name: "bad" },
    );
    add("c");
    handlers.add(
      () => {
        throw new Error("bang");
      },
      { name: "worse", prepare: () => log.push("worse:prep") },
    );
    let caught: unknown;
    try {
      handlers.notify(false, "paused");
    } catch (e) {
      caught = e;
    }
    expect(log).toEqual(["worse:prep", "c", "a"]);
    expect(caught).toBeInstanceOf(HookFailedError);
    const err = caught as HookFailedError;
    expect(err.code).toBe("HOOK_FAILED");
    expect(err.failures.map((f) => f.what)).toEqual(["change-state handler 'worse'", "change-state handler 'bad'"]);
    expect(err.message).toBe("2 callbacks failed: change-state handler 'worse' failed: bang; change-state handler 'bad' failed: boom");
    expect(err.cause).toBeInstanceOf(AggregateError);
  });
});

describe("qdev handlers: priority = depth in the bus tree", () => {
  // root machine container (no bus) / sysbus host bridge / PCI device / device on the PCI device's bus
  const sysbus = { parent: null };
  const hostBridge: QdevDevice = { parentBus: sysbus };
  const pciBus = { parent: hostBridge };
  const pciDev: QdevDevice = { parentBus: pciBus };
  const childBus = { parent: pciDev };
  const grandchild: QdevDevice = { parentBus: childBus };
  const loose: QdevDevice = {};

  it("counts parent buses up to the root", () => {
    expect(deviceTreeDepth(loose)).toBe(0);
    expect(deviceTreeDepth({ parentBus: null })).toBe(0);
    expect(deviceTreeDepth(hostBridge)).toBe(1);
    expect(deviceTreeDepth(pciDev)).toBe(2);
    expect(deviceTreeDepth(grandchild)).toBe(3);
    // A bus whose parent device sits on no bus still counts once.
    expect(deviceTreeDepth({ parentBus: { parent: loose } })).toBe(1);
  });

  it("starts parents before children and stops children before parents", () => {
    const handlers = new ChangeStateHandlers();
    const log: string[] = [];
    addDeviceChangeStateHandler(handlers, grandchild, () => log.push("grandchild"));
    addDeviceChangeStateHandler(handlers, pciDev, () => log.push("pci"));
    const host = addDeviceChangeStateHandler(handlers, hostBridge, () => log.push("host"), { name: "host" });
    handlers.add(() => log.push("plain"));
    expect(host.priority).toBe(1);
    expect(host.name).toBe("host");
    handlers.notify(true, "running");
    expect(log.splice(0)).toEqual(["plain", "host", "pci", "grandchild"]);
    handlers.notify(false, "paused");
    expect(log.splice(0)).toEqual(["grandchild", "pci", "host", "plain"]);
  });

  it("passes the prepare callback through", () => {
    const handlers = new ChangeStateHandlers();
    const log: string[] = [];
    addDeviceChangeStateHandler(handlers, pciDev, () => log.push("pci"), { prepare: () => log.push("pci:prep") });
    handlers.notify(true, "running");
    expect(log).toEqual(["pci:prep", "pci"]);
  });

  it("refuses a cyclic tree instead of looping", () => {
    const a: { parentBus?: { parent: QdevDevice } } = {};
    const b: QdevDevice = { parentBus: { parent: a } };
    a.parentBus = { parent: b };
    expect(() => deviceTreeDepth(a)).toThrow(/cycle/);
  });
});
