import { describe, expect, it } from "vitest";
import { isVmstateError, VmstateError } from "../errors.js";
import { INITIAL_RUN_STATE, RUN_STATES, runStateIndex, type RunState } from "./run-state.js";
import { RunStateMachine } from "./run-state-machine.js";
import { allowedTargets, isTransitionAllowed, RUNSTATE_TRANSITIONS } from "./transitions.js";

// The spec's table A2 (QEMU 7.2 runstate_transitions_def), copied as its text
// rows so the test does not lean on the implementation's data.
const SPEC_A2 = `
debug | running, finish-migrate, prelaunch, suspended | 4
inmigrate | internal-error, io-error, paused, running, shutdown, suspended, watchdog, guest-panicked, finish-migrate, prelaunch, postmigrate, colo | 12
internal-error | paused, finish-migrate, prelaunch | 3
io-error | running, finish-migrate, prelaunch | 3
paused | running, finish-migrate, postmigrate, prelaunch, colo | 5
postmigrate | running, finish-migrate, prelaunch | 3
prelaunch | inmigrate, running, finish-migrate | 3
finish-migrate | running, paused, postmigrate, prelaunch, colo | 5
restore-vm | running, prelaunch | 2
running | debug, internal-error, io-error, paused, finish-migrate, restore-vm, save-vm, shutdown, watchdog, guest-panicked, colo, suspended | 12
save-vm | running | 1
shutdown | paused, finish-migrate, prelaunch, colo | 4
suspended | running, finish-migrate, prelaunch, colo | 4
watchdog | running, finish-migrate, prelaunch, colo | 4
guest-panicked | running, finish-migrate, prelaunch | 3
colo | running, prelaunch, shutdown | 3
`;

function parseSpec(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  for (const line of SPEC_A2.trim().split("\n")) {
    const [from, tos, n] = line.split("|").map((s) => s.trim());
    const set = new Set(tos!.split(",").map((s) => s.trim()));
    expect(set.size, `row ${from}`).toBe(Number(n));
    table.set(from!, set);
  }
  return table;
}

const SPEC = parseSpec();
const specAllows = (from: string, to: string) => SPEC.get(from)?.has(to) === true;

describe("RunState", () => {
  it("lists the 16 QAPI names in C enum order, starting in prelaunch", () => {
    expect(RUN_STATES).toEqual([
      "debug", "inmigrate", "internal-error", "io-error", "paused", "postmigrate", "prelaunch", "finish-migrate",
      "restore-vm", "running", "save-vm", "shutdown", "suspended", "watchdog", "guest-panicked", "colo",
    ]);
    expect(runStateIndex("running")).toBe(9);
    expect(runStateIndex("colo")).toBe(15);
    expect(INITIAL_RUN_STATE).toBe("prelaunch");
    expect(new RunStateMachine().state).toBe("prelaunch");
    expect(Object.isFrozen(RUN_STATES)).toBe(true);
  });
});

describe("transition table (QEMU 7.2)", () => {
  it("covers every state as a source, 71 pairs in all", () => {
    expect([...SPEC.keys()].sort()).toEqual([...RUN_STATES].sort());
    const total = [...SPEC.values()].reduce((n, s) => n + s.size, 0);
    expect(total).toBe(71);
  });

  it("has exactly the spec's 71 distinct pairs, the duplicated prelaunch -> inmigrate counted once", () => {
    expect(RUNSTATE_TRANSITIONS).toHaveLength(71);
    const keys = RUNSTATE_TRANSITIONS.map(({ from, to }) => `${from}>${to}`);
    expect(new Set(keys).size).toBe(71);
    for (const { from, to } of RUNSTATE_TRANSITIONS) expect(specAllows(from, to), `${from} -> ${to}`).toBe(true);
    expect(keys.filter((k) => k === "prelaunch>inmigrate")).toHaveLength(1);
  });

  it("agrees with the spec on all 256 ordered pairs", () => {
    for (const from of RUN_STATES) {
      for (const to of RUN_STATES) expect(isTransitionAllowed(from, to), `${from} -> ${to}`).toBe(specAllows(from, to));
    }
  });

  it("lists no same-state pairs and is frozen", () => {
    for (const s of RUN_STATES) expect(isTransitionAllowed(s, s)).toBe(false);
    expect(Object.isFrozen(RUNSTATE_TRANSITIONS)).toBe(true);
    expect(Object.isFrozen(RUNSTATE_TRANSITIONS[0])).toBe(true);
  });

  it("gives the allowed targets in C enum order", () => {
    expect(allowedTargets("prelaunch")).toEqual(["inmigrate", "finish-migrate", "running"]);
    expect(allowedTargets("save-vm")).toEqual(["running"]);
  });
});

describe("RunStateMachine.set", () => {
  it("accepts every allowed pair", () => {
    let n = 0;
    for (const from of RUN_STATES) {
      for (const to of RUN_STATES) {
        if (!specAllows(from, to)) continue;
        const m = new RunStateMachine({ initial: from });
        m.set(to);
        expect(m.state).toBe(to);
        n++;
      }
    }
    expect(n).toBe(71);
  });

  it("refuses every other pair of different states with a typed error naming both, and stays put", () => {
    let n = 0;
    for (const from of RUN_STATES) {
      for (const to of RUN_STATES) {
        if (from === to || specAllows(from, to)) continue;
        const m = new RunStateMachine({ initial: from });
        let caught: unknown;
        try {
          m.set(to);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(VmstateError);
        expect(isVmstateError(caught) && caught.code).toBe("INVALID_RUNSTATE_TRANSITION");
        expect((caught as Error).message).toBe(`invalid runstate transition: '${from}' -> '${to}'`);
        expect(m.state).toBe(from);
        n++;
      }
    }
    expect(n).toBe(16 * 16 - 16 - 71);
  });

  it("treats the same state as a silent no-op, even though the table never lists it", () => {
    for (const s of RUN_STATES) {
      const m = new RunStateMachine({ initial: s });
      const seen: string[] = [];
      m.observe((from, to) => seen.push(`${from}>${to}`));
      expect(() => m.set(s)).not.toThrow();
      expect(m.state).toBe(s);
      expect(seen).toEqual([]);
    }
  });

  it("names the spec's examples", () => {
    expect(() => new RunStateMachine({ initial: "paused" }).set("restore-vm")).toThrow("invalid runstate transition: 'paused' -> 'restore-vm'");
    expect(() => new RunStateMachine({ initial: "shutdown" }).set("running")).toThrow("invalid runstate transition: 'shutdown' -> 'running'");
    expect(() => new RunStateMachine({ initial: "postmigrate" }).set("paused")).toThrow("invalid runstate transition: 'postmigrate' -> 'paused'");
  });

  it("refuses names that are not run states", () => {
    const m = new RunStateMachine();
    expect(() => m.set("stopped" as RunState)).toThrow(/unknown run state 'stopped'/);
    expect(() => new RunStateMachine({ initial: "nope" as RunState })).toThrow(/unknown run state/);
  });

  it("reports transitions to observers after the state has changed", () => {
    const m = new RunStateMachine();
    const seen: string[] = [];
    const off = m.observe((from, to) => seen.push(`${from}>${to}:${m.state}`));
    m.set("running");
    m.set("paused");
    off();
    m.set("running");
    expect(seen).toEqual(["prelaunch>running:running", "running>paused:paused"]);
  });
});

describe("RunStateMachine queries", () => {
  it("check, isRunning, needsReset and queryStatus follow the state", () => {
    const needs: RunState[] = [];
    for (const s of RUN_STATES) {
      const m = new RunStateMachine({ initial: s });
      expect(m.check(s)).toBe(true);
      expect(m.isRunning()).toBe(s === "running");
      expect(m.queryStatus()).toEqual({ running: s === "running", singlestep: false, status: s });
      if (m.needsReset()) needs.push(s);
    }
    expect(needs).toEqual(["internal-error", "shutdown"]);
  });

  it("canSet mirrors set", () => {
    const m = new RunStateMachine({ initial: "paused" });
    expect(m.canSet("paused")).toBe(true);
    expect(m.canSet("running")).toBe(true);
    expect(m.canSet("restore-vm")).toBe(false);
  });
});
