/**
 * The `globalstate` section (migration/global_state.c): the source's run
 * state, so that the destination ends in it (paused, suspended, ...).
 */
import { defineVMState } from "../vmstate/description.js";
import { buffer, uint32 } from "../vmstate/kinds.js";
import { isRunState, type RunState } from "../runstate/run-state.js";

export const globalStateDescription = defineVMState({
  name: "globalstate",
  version: 1,
  minimumVersion: 1,
  fields: { size: uint32, runstate: buffer(100) },
  preSave: (s) => {
    // QEMU sends strlen + 1.
    const n = s.runstate.indexOf(0);
    s.size = (n < 0 ? 100 : n) + 1;
  },
});

export class GlobalState {
  readonly state = { size: 0, runstate: new Uint8Array(100) };
  /** Set when a load carried a globalstate section. */
  received = false;

  /** global_state_store: records `state` to be sent. */
  store(state: RunState): void {
    this.state.runstate.fill(0);
    for (let i = 0; i < state.length; i++) this.state.runstate[i] = state.charCodeAt(i);
  }

  /** The received run state, if it names one. */
  runState(): RunState | undefined {
    const r = this.state.runstate;
    let s = "";
    for (let i = 0; i < r.length - 1 && r[i] !== 0; i++) s += String.fromCharCode(r[i]!);
    return isRunState(s) ? s : undefined;
  }
}
