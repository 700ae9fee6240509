/**
 * How callback failures surface. QEMU's change-state callbacks and event
 * emitters cannot fail, and from 10.x on vm_state_notify runs every callback
 * even when one reports an error. Here a throwing callback must not stop the
 * others from seeing a stop or start, so failures are collected while a round
 * completes and then thrown together as one HOOK_FAILED error.
 */

import { VmstateError } from "../errors.js";

export interface HookFailure {
  /** Which callback, e.g. `change-state handler 'its'` or `STOP listener`. */
  readonly what: string;
  readonly error: unknown;
}

export class HookFailedError extends VmstateError {
  readonly failures: readonly HookFailure[];

  constructor(failures: readonly HookFailure[]) {
    const describe = (f: HookFailure) => `${f.what} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`;
    const detail = failures.length === 1 ? describe(failures[0]!) : `${failures.length} callbacks failed: ${failures.map(describe).join("; ")}`;
    const cause = failures.length === 1 ? failures[0]!.error : new AggregateError(failures.map((f) => f.error), detail);
    super("HOOK_FAILED", detail, {}, { cause });
    this.failures = Object.freeze([...failures]);
  }
}

/** Collects failures over a round of callbacks; `throwIfAny` ends the round. */
export class FailureCollector {
  private readonly failures: HookFailure[] = [];

  /** Runs `fn`; a throw is recorded (flattening a nested HookFailedError) instead of propagating. */
  run(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.add(what, error);
    }
  }

  add(what: string, error: unknown): void {
    if (error instanceof HookFailedError) this.failures.push(...error.failures);
    else this.failures.push({ what, error });
  }

  throwIfAny(): void {
    if (this.failures.length > 0) throw new HookFailedError(this.failures);
  }
}
