// Shared fakes for the run-state tests: a stepping clock and vCPUs that log.
import type { EventClock } from "./events.js";
import type { RunState } from "./run-state.js";
import { RunStateMachine } from "./run-state-machine.js";
import { TimelineRecorder } from "./timeline.js";
import { VmControl, type VmHooks } from "./vm.js";

/** Each reading advances by 1 ms; wall time starts at a fixed epoch. */
export function steppingClock(start = 100): EventClock & { readings: number } {
  let t = start;
  const clock = {
    readings: 0,
    monotonicMs: () => {
      clock.readings++;
      return t++;
    },
    wallMs: () => 1_700_000_000_000 + t,
  };
  return clock;
}

export class FakeVcpus {
  paused = true;
  readonly calls: string[] = [];
  pause(): void {
    this.paused = true;
    this.calls.push("pause");
  }
  resume(): void {
    this.paused = false;
    this.calls.push("resume");
  }
}

export function setup(initial: RunState = "prelaunch", hooks: VmHooks = {}) {
  const cpus = new FakeVcpus();
  cpus.paused = initial !== "running";
  const clock = steppingClock();
  const vm = new VmControl({ machine: new RunStateMachine({ initial }), cpus, clock, hooks });
  const timeline = new TimelineRecorder();
  timeline.attach(vm);
  return { vm, cpus, clock, timeline };
}
