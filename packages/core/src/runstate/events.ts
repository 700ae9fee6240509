/**
 * The QAPI events of the run-state area (qapi/run-state.json, and MIGRATION
 * from qapi/migration.json), as typed objects on a small bus. An event has
 * QMP's shape: `{ event, data?, timestamp }`. The timestamp comes from an
 * injectable clock: a monotonic reading for ordering and measuring, and a
 * wall-clock reading, which is what QMP puts on the wire (see qmpTimestamp).
 *
 * The bus only delivers. Whether an event is sent at all is the sender's
 * business, as in QEMU: STOP and RESUME come from vm.ts; MIGRATION is only
 * sent by a migration whose `events` capability is on.
 */

import { FailureCollector } from "./hook-failure.js";
import type { MigrationStatus, ShutdownCause } from "./run-state.js";

/** Payload of each event; `undefined` means the event has no `data` member. */
export interface RunStateEventData {
  STOP: undefined;
  RESUME: undefined;
  SHUTDOWN: { readonly guest: boolean; readonly reason: ShutdownCause };
  RESET: { readonly guest: boolean; readonly reason: ShutdownCause };
  SUSPEND: undefined;
  WAKEUP: undefined;
  MIGRATION: { readonly status: MigrationStatus };
}

export type RunStateEventName = keyof RunStateEventData;

export interface EventTimestamp {
  /** Milliseconds from the clock's monotonic source (performance.now() by default). */
  readonly monotonicMs: number;
  /** Milliseconds since the Unix epoch (Date.now() by default). */
  readonly wallMs: number;
}

export type RunStateEventOf<K extends RunStateEventName> = RunStateEventData[K] extends undefined
  ? { readonly event: K; readonly timestamp: EventTimestamp }
  : { readonly event: K; readonly data: RunStateEventData[K]; readonly timestamp: EventTimestamp };

export type RunStateEvent = { [K in RunStateEventName]: RunStateEventOf<K> }[RunStateEventName];

export type EventDataArgs<K extends RunStateEventName> = RunStateEventData[K] extends undefined ? [] : [data: RunStateEventData[K]];

export interface EventClock {
  monotonicMs(): number;
  wallMs(): number;
}

/** performance.now() where the platform has it (browsers, Node, Deno), else Date.now(). */
export const defaultEventClock: EventClock = Object.freeze({
  monotonicMs(): number {
    const perf = (globalThis as unknown as { performance?: { now(): number } }).performance;
    return perf !== undefined ? perf.now() : Date.now();
  },
  wallMs(): number {
    return Date.now();
  },
});

/** The wall-clock time as QMP sends it: `{ seconds, microseconds }`. */
export function qmpTimestamp(timestamp: EventTimestamp): { seconds: number; microseconds: number } {
  const micros = Math.round(timestamp.wallMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  return { seconds, microseconds: micros - seconds * 1_000_000 };
}

export type RunStateEventListener = (event: RunStateEvent) => void;

export interface RunStateEventBusOptions {
  clock?: EventClock;
}

/**
 * Listeners run in subscription order. A listener added during a delivery
 * does not get that event; one removed during a delivery is not called from
 * then on. A throwing listener does not keep the event from the others: the
 * failures are thrown together once all have run.
 */
export class RunStateEventBus {
  readonly clock: EventClock;
  private readonly listeners: RunStateEventListener[] = [];
  private readonly observers: RunStateEventListener[] = [];

  constructor(options: RunStateEventBusOptions = {}) {
    this.clock = options.clock ?? defaultEventClock;
  }

  /** Stamps and delivers an event; returns it. */
  emit<K extends RunStateEventName>(name: K, ...data: EventDataArgs<K>): RunStateEventOf<K> {
    const timestamp = Object.freeze({ monotonicMs: this.clock.monotonicMs(), wallMs: this.clock.wallMs() });
    const event = (
      data.length > 0 ? { event: name, data: Object.freeze({ ...data[0] }), timestamp } : { event: name, timestamp }
    ) as RunStateEvent;
    Object.freeze(event);
    for (const o of [...this.observers]) o(event);
    const failures = new FailureCollector();
    for (const l of [...this.listeners]) {
      if (!this.listeners.includes(l)) continue;
      failures.run(`${name} listener`, () => l(event));
    }
    failures.throwIfAny();
    return event as RunStateEventOf<K>;
  }

  /** Listens to every event. Returns the function that unsubscribes. */
  subscribe(listener: RunStateEventListener): () => void {
    this.listeners.push(listener);
    return () => void this.unsubscribe(listener);
  }

  /** Listens to one kind of event. Returns the function that unsubscribes. */
  on<K extends RunStateEventName>(name: K, listener: (event: RunStateEventOf<K>) => void): () => void {
    return this.subscribe((event) => {
      if (event.event === name) listener(event as RunStateEventOf<K>);
    });
  }

  /** Removes a listener given to `subscribe`; false if it was not subscribed. */
  unsubscribe(listener: RunStateEventListener): boolean {
    const i = this.listeners.indexOf(listener);
    if (i < 0) return false;
    this.listeners.splice(i, 1);
    return true;
  }

  /**
   * Sees each event before any listener does, so a recorder keeps events in
   * the order they were sent even when a listener sends another one.
   */
  observe(observer: RunStateEventListener): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }
}
