/**
 * Records a run as one ordered list: run-state transitions, the steps of
 * stop and start, each change-state callback just before it is called, and
 * each event before its listeners see it. QEMU's nearest counterpart is its
 * trace points (runstate_set, vm_state_notify, vm_stop_flush_all); this is a
 * structured, in-memory version for tests, tools and UIs.
 */

import type { ChangeStateHandlers, NotifyTrace } from "./change-state.js";
import type { RunStateEvent, RunStateEventBus } from "./events.js";
import type { RunState } from "./run-state.js";
import type { RunStateMachine } from "./run-state-machine.js";
import type { StepObserver, VmStep } from "./vm.js";

export type TimelineEntry =
  | { readonly kind: "transition"; readonly from: RunState; readonly to: RunState }
  | { readonly kind: "step"; readonly step: VmStep }
  | { readonly kind: "event"; readonly event: RunStateEvent }
  | NotifyTrace;

/** Anything with some of these parts; a VmControl has all of them. */
export interface TimelineSources {
  readonly machine?: RunStateMachine;
  readonly handlers?: ChangeStateHandlers;
  readonly events?: RunStateEventBus;
  observeSteps?(observer: StepObserver): () => void;
}

/** An entry with when it happened, in ms on the recorder's clock. */
export type TimedTimelineEntry = TimelineEntry & { readonly at: number };

export class TimelineRecorder {
  private readonly list: TimedTimelineEntry[] = [];
  private readonly detachers: (() => void)[] = [];

  /** `now` gives the time stamped on each entry (default: the monotonic performance clock). */
  constructor(private readonly now: () => number = () => (globalThis.performance ?? Date).now()) {}

  /** Starts recording from `sources`. Returns the function that stops it. */
  attach(sources: TimelineSources): () => void {
    const offs: (() => void)[] = [];
    if (sources.machine) offs.push(sources.machine.observe((from, to) => this.push({ kind: "transition", from, to })));
    if (sources.handlers) offs.push(sources.handlers.observe((t) => this.push(t)));
    if (sources.events) offs.push(sources.events.observe((event) => this.push({ kind: "event", event })));
    if (sources.observeSteps) offs.push(sources.observeSteps((step) => this.push({ kind: "step", step })));
    const detach = () => {
      for (const off of offs.splice(0)) off();
    };
    this.detachers.push(detach);
    return detach;
  }

  /** Stops recording from every source. */
  detach(): void {
    for (const d of this.detachers.splice(0)) d();
  }

  get entries(): readonly TimedTimelineEntry[] {
    return [...this.list];
  }

  clear(): void {
    this.list.length = 0;
  }

  /** The entries as one line each (see formatTimelineEntry). */
  lines(): string[] {
    return this.list.map(formatTimelineEntry);
  }

  private push(entry: TimelineEntry): void {
    this.list.push(Object.freeze({ ...entry, at: this.now() }));
  }
}

/**
 * One line per entry, e.g. `transition running -> paused`, `step cpus-pause`,
 * `notify stop paused`, `handler its main prio 0`, `event STOP`,
 * `event SHUTDOWN {"guest":true,"reason":"guest-shutdown"}`.
 */
export function formatTimelineEntry(entry: TimelineEntry): string {
  switch (entry.kind) {
    case "transition":
      return `transition ${entry.from} -> ${entry.to}`;
    case "step":
      return `step ${entry.step}`;
    case "notify":
      return `notify ${entry.running ? "start" : "stop"} ${entry.state}`;
    case "handler":
      return `handler ${entry.name} ${entry.phase} prio ${entry.priority}`;
    case "event":
      return "data" in entry.event ? `event ${entry.event.event} ${JSON.stringify(entry.event.data)}` : `event ${entry.event.event}`;
  }
}
