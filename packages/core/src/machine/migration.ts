/**
 * Precopy migration between two machines, with QEMU 7.2's MigrationStatus
 * machine and what it does to run states (migration/migration.c):
 *  - source: none → setup → active, iterations while the guest runs, then
 *    vm_stop_force_state(finish-migrate), completion, completed and
 *    postmigrate; on failure or cancel the source runs again if completion
 *    had stopped it (else finish-migrate becomes postmigrate);
 *  - destination: inmigrate while loading, then running, paused when asked
 *    to start paused, or the run state the source sent in globalstate.
 */
import { isVmstateError, VmstateError } from "../errors.js";
import type { MigrationStatus, RunState } from "../runstate/run-state.js";
import type { ByteSink } from "../wire/byte-writer.js";
import type { ByteSource } from "../stream/source.js";
import type { Machine } from "./machine.js";
import { MemoryPipe } from "./pipe.js";

export type MigrationPhase = "setup" | "iterate" | "complete";

export interface MigrationProgress {
  readonly phase: MigrationPhase;
  readonly iteration: number;
  /** What the live entries still have to send (RAM pages). */
  readonly pending: number;
  readonly bytes: number;
}

export interface MigrationOptions {
  /** Runs the source guest between iterations (live migration); absent: nothing runs. */
  runGuest?: () => void | Promise<void>;
  /** Switch over once at most this much is pending (default 256 pages). */
  switchoverPending?: number;
  /** Switch over after this many iterations whatever is pending (default 64). */
  maxIterations?: number;
  /** Called at the start of every phase and iteration; may cancel, or throw to fail the migration. */
  onProgress?: (p: MigrationProgress, migration: OutgoingMigration) => void | Promise<void>;
}

export interface MigrationOutcome {
  readonly status: MigrationStatus;
  readonly bytes: number;
  readonly iterations: number;
  /** Why it failed, when it did. */
  readonly error?: VmstateError;
}

/** The status of one side, changed only from an expected status (migrate_set_state), with a MIGRATION event each time. */
class StatusCell {
  value: MigrationStatus = "none";
  constructor(private readonly machine: Machine) {}

  set(from: MigrationStatus, to: MigrationStatus): boolean {
    if (this.value !== from) return false;
    this.value = to;
    this.machine.vm.events.emit("MIGRATION", { status: to });
    return true;
  }
}

export class OutgoingMigration {
  private readonly cell: StatusCell;
  private cancelRequested = false;
  private bytes = 0;

  constructor(
    readonly source: Machine,
    private readonly channel: ByteSink & { shutdown?(reason: Error): void },
    private readonly options: MigrationOptions = {},
  ) {
    this.cell = new StatusCell(source);
  }

  get status(): MigrationStatus {
    return this.cell.value;
  }

  /** migrate_fd_cancel: cancelling now; the stream is shut down and the run ends as cancelled. */
  cancel(): void {
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    for (const s of ["setup", "active", "device", "pre-switchover", "wait-unplug"] as const) if (this.cell.set(s, "cancelling")) break;
    this.channel.shutdown?.(new VmstateError("MIGRATION_FAILED", "migration cancelled"));
  }

  async run(): Promise<MigrationOutcome> {
    const { source } = this;
    const vm = source.vm;
    let vmWasRunning = false;
    let iterations = 0;
    this.cell.set("none", "setup");
    const writer = source.streamWriter(this.channel);
    try {
      await this.progress("setup", 0, writer.pending(), writer.bytes);
      await writer.begin();
      await writer.w.drain();
      this.cell.set("setup", "active");
      const switchover = this.options.switchoverPending ?? 256;
      const maxIterations = this.options.maxIterations ?? 64;
      for (;;) {
        this.checkCancelled();
        await this.progress("iterate", iterations, writer.pending(), writer.bytes);
        const finished = await writer.iterate();
        await writer.w.drain();
        iterations++;
        if ((finished && writer.pending() <= switchover) || iterations >= maxIterations) break;
        await this.options.runGuest?.();
      }
      // migration_completion
      this.checkCancelled();
      vmWasRunning = vm.machine.isRunning();
      source.globalState.store(vm.machine.state);
      vm.vmStopForceState("finish-migrate");
      await this.progress("complete", iterations, writer.pending(), writer.bytes);
      this.checkCancelled();
      await writer.complete();
      this.bytes = writer.bytes;
      this.cell.set("active", "completed");
      vm.machine.set("postmigrate");
      return { status: this.status, bytes: this.bytes, iterations };
    } catch (e) {
      const error = isVmstateError(e)
        ? e
        : new VmstateError("MIGRATION_FAILED", `migration failed: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
      if (this.cancelRequested || this.status === "cancelling") this.cell.set("cancelling", "cancelled");
      else for (const s of ["setup", "active", "device"] as const) if (this.cell.set(s, "failed")) break;
      this.channel.shutdown?.(error);
      // migration_iteration_finish: resume a source that completion had stopped.
      if (vmWasRunning) {
        if (vm.machine.state !== "shutdown") vm.vmStart();
      } else if (vm.machine.state === "finish-migrate") {
        vm.machine.set("postmigrate");
      }
      return { status: this.status, bytes: writer.bytes, iterations, error };
    }
  }

  private checkCancelled(): void {
    if (this.cancelRequested) throw new VmstateError("MIGRATION_FAILED", "migration cancelled");
  }

  private async progress(phase: MigrationPhase, iteration: number, pending: number, bytes: number): Promise<void> {
    await this.options.onProgress?.({ phase, iteration, pending, bytes }, this);
  }
}

export interface IncomingOptions {
  /** Do not start the guest when the load completes (QEMU's -S): end paused. */
  startPaused?: boolean;
}

export interface IncomingOutcome {
  readonly status: MigrationStatus;
  readonly runState: RunState;
  readonly error?: VmstateError;
}

/** process_incoming_migration: loads `stream` into `dest`, then picks its run state as QEMU does. */
export async function incomingMigration(dest: Machine, stream: ByteSource, options: IncomingOptions = {}): Promise<IncomingOutcome> {
  const vm = dest.vm;
  const cell = new StatusCell(dest);
  if (vm.machine.state === "prelaunch") vm.machine.set("inmigrate");
  cell.set("none", "setup");
  cell.set("setup", "active");
  try {
    await dest.loadIncoming(stream);
  } catch (e) {
    cell.set("active", "failed");
    const error = isVmstateError(e) ? e : new VmstateError("MIGRATION_FAILED", `incoming migration failed: ${String(e)}`, {}, { cause: e });
    return { status: cell.value, runState: vm.machine.state, error };
  }
  const received = dest.globalState.received ? dest.globalState.runState() : undefined;
  if (received === undefined || received === "running") {
    if (options.startPaused) vm.machine.set("paused");
    else vm.vmStart();
  } else {
    vm.machine.set(received);
  }
  // The status changes after the run state, so observers see a usable VM.
  cell.set("active", "completed");
  return { status: cell.value, runState: vm.machine.state };
}

/** Migrates `source` into `dest` over an in-memory channel, both sides at once. */
export async function migrate(
  source: Machine,
  dest: Machine,
  options: MigrationOptions & IncomingOptions = {},
): Promise<{ outgoing: MigrationOutcome; incoming: IncomingOutcome; migration: OutgoingMigration }> {
  const pipe = new MemoryPipe();
  const migration = new OutgoingMigration(source, pipe, options);
  const [outgoing, incoming] = await Promise.all([
    migration.run().then((r) => {
      if (r.error) pipe.shutdown(r.error);
      else pipe.close();
      return r;
    }),
    incomingMigration(dest, pipe, options),
  ]);
  return { outgoing, incoming, migration };
}
