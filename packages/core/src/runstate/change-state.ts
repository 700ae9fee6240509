/**
 * VM change-state handlers: QEMU's vm_change_state_head list with
 * qemu_add_vm_change_state_handler{,_prio,_prio_full},
 * qemu_del_vm_change_state_handler and vm_state_notify (softmmu/runstate.c).
 *
 * Order. The list is kept sorted by ascending priority; a new entry goes in
 * front of the first entry with a strictly greater priority, so equal
 * priorities keep registration order. Starting (running = true) walks the
 * list forwards: low priority first, equal priorities first-registered first.
 * Stopping walks it backwards: high priority first, equal priorities
 * last-registered first.
 *
 * Prepare callbacks (QEMU 8.2's `_prio_full`). A notification is two passes
 * in the same direction: every prepare callback, then every main callback.
 * 8.2 does this for both directions, start and stop, and so does this class.
 * 7.2 has no prepare callbacks; registering none gives 7.2's behaviour exactly.
 *
 * Changes to the list during a notification. QEMU walks with
 * QTAILQ_FOREACH_SAFE / QTAILQ_FOREACH_REVERSE_SAFE, which only saves the
 * next entry before calling the current one: removing the current entry
 * (a handler removing itself) is safe, removing a later entry makes the walk
 * skip it, removing exactly the saved next entry is a use-after-free, and an
 * added entry is visited or not depending on where it lands. This class fixes
 * the rules that QEMU leaves to chance:
 *  - the set of entries of a notification is taken when it begins, so an
 *    entry added during a notification is not called in that round (neither
 *    its prepare nor its main callback, even if it was added during the
 *    prepare pass; 8.2 would call its main callback);
 *  - an entry removed during a notification, by itself or by anyone else,
 *    is not called from then on (a removal during the prepare pass also
 *    cancels its main callback, as in QEMU);
 *  - removing an entry that has already been called changes nothing.
 * These agree with QEMU wherever QEMU's behaviour is defined and independent
 * of list position.
 *
 * A callback that throws does not stop the round: the others still run and
 * the failures are thrown together afterwards (see hook-failure.ts).
 */

import { VmstateError } from "../errors.js";
import { FailureCollector } from "./hook-failure.js";
import type { RunState } from "./run-state.js";

/** VMChangeStateHandler: `running` is true when the VM starts, false when it stops; `state` is the new run state. */
export type ChangeStateHandler = (running: boolean, state: RunState) => void;

export interface ChangeStateOptions {
  /** Lower runs earlier on start and later on stop. Default 0, as qemu_add_vm_change_state_handler. */
  priority?: number;
  /** Runs in a pass before every main callback, in the same direction (8.2's prepare_cb). */
  prepare?: ChangeStateHandler;
  /** Label for timelines and error messages; default the handler function's name, else "anonymous". */
  name?: string;
}

// Entries currently in some list; membership is the registry's business only.
const registered = new WeakSet<ChangeStateEntry>();

/** The handle `add` returns (VMChangeStateEntry); pass it to `remove`. */
export class ChangeStateEntry {
  constructor(
    readonly name: string,
    readonly priority: number,
    readonly handler: ChangeStateHandler,
    readonly prepare: ChangeStateHandler | undefined,
  ) {}

  /** Whether the entry is still in its list. */
  get isRegistered(): boolean {
    return registered.has(this);
  }
}

/** What a timeline sees of a notification. */
export type NotifyTrace =
  | { readonly kind: "notify"; readonly running: boolean; readonly state: RunState }
  | {
      readonly kind: "handler";
      readonly phase: "prepare" | "main";
      readonly name: string;
      readonly priority: number;
      readonly running: boolean;
      readonly state: RunState;
    };

export type NotifyObserver = (trace: NotifyTrace) => void;

export class ChangeStateHandlers {
  /** Sorted by ascending priority, stable. */
  private readonly list: ChangeStateEntry[] = [];
  private readonly observers: NotifyObserver[] = [];

  /** qemu_add_vm_change_state_handler_prio_full (and the plain and `_prio` forms). */
  add(handler: ChangeStateHandler, options: ChangeStateOptions = {}): ChangeStateEntry {
    const priority = options.priority ?? 0;
    if (typeof priority !== "number" || Number.isNaN(priority)) {
      throw new VmstateError("INVALID_STATE", `change-state handler priority must be a number, got ${String(priority)}`);
    }
    const name = options.name ?? (handler.name !== "" ? handler.name : "anonymous");
    const entry = new ChangeStateEntry(name, priority, handler, options.prepare);
    registered.add(entry);
    const at = this.list.findIndex((other) => priority < other.priority);
    if (at < 0) this.list.push(entry);
    else this.list.splice(at, 0, entry);
    return entry;
  }

  /** qemu_del_vm_change_state_handler. Returns false if the entry was not registered here (QEMU: undefined behaviour). */
  remove(entry: ChangeStateEntry): boolean {
    const at = this.list.indexOf(entry);
    if (at < 0) return false;
    this.list.splice(at, 1);
    registered.delete(entry);
    return true;
  }

  /** How many handlers are registered. */
  get size(): number {
    return this.list.length;
  }

  /** The entries in start order (ascending priority, then registration order). */
  entries(): readonly ChangeStateEntry[] {
    return [...this.list];
  }

  /** vm_state_notify: calls every handler in the order described at the top of this file. */
  notify(running: boolean, state: RunState): void {
    const round = running ? [...this.list] : [...this.list].reverse();
    const failures = new FailureCollector();
    this.trace({ kind: "notify", running, state });
    for (const e of round) {
      const prepare = e.prepare;
      if (!registered.has(e) || prepare === undefined) continue;
      this.trace({ kind: "handler", phase: "prepare", name: e.name, priority: e.priority, running, state });
      failures.run(`change-state prepare callback '${e.name}'`, () => prepare(running, state));
    }
    for (const e of round) {
      if (!registered.has(e)) continue;
      this.trace({ kind: "handler", phase: "main", name: e.name, priority: e.priority, running, state });
      failures.run(`change-state handler '${e.name}'`, () => e.handler(running, state));
    }
    failures.throwIfAny();
  }

  /** Watches notifications and each callback just before it is called (for the timeline). */
  observe(observer: NotifyObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  private trace(t: NotifyTrace): void {
    for (const o of [...this.observers]) o(t);
  }
}
