/**
 * A machine: guest RAM, the save-state list (RAM first, devices and CPUs as
 * registered, globalstate last) and the run-state bus. It saves and loads
 * itself as QEMU's savevm / loadvm do, run states included.
 */
import type { Description } from "../vmstate/description.js";
import type { SaveOptions } from "../vmstate/compile.js";
import { VmControl, type VmControlOptions } from "../runstate/vm.js";
import type { RunState } from "../runstate/run-state.js";
import type { ByteSink } from "../wire/byte-writer.js";
import type { ByteSource } from "../stream/source.js";
import { memorySource } from "../stream/source.js";
import { GlobalState, globalStateDescription } from "./global-state.js";
import { GuestRam } from "./guest-ram.js";
import { RAM_IDSTR, RamHandler, type RamHandlerOptions } from "./ram-handler.js";
import { type DeviceHooks, type RegisterOptions, type SaveStateEntry, SaveStateList } from "./save-state.js";
import { loadVmState, type LoadOptions, type LoadReport } from "./vmstate-loader.js";
import { type MachineConfig, VmStateWriter } from "./vmstate-writer.js";
import { RAM_SECTION_VERSION } from "../stream/constants.js";

export interface MachineOptions extends Omit<VmControlOptions, "machine" | "handlers" | "events">, RamHandlerOptions {
  /** The machine class name streams carry (e.g. "virt-7.2"). */
  machineType: string;
  /** Target page size (default 4096). */
  pageSize?: number;
  /** Send configuration/target-page-bits, as arm targets do. */
  sendPageBits?: boolean;
}

/** Where a load comes from: bytes, or a function that opens the source (called once per pass). */
export type LoadInput = Uint8Array | (() => ByteSource | Promise<ByteSource>);

export interface SaveResult {
  readonly bytes: number;
  readonly iterations: number;
}

export class Machine {
  readonly vm: VmControl;
  readonly ram: GuestRam;
  readonly saveStates = new SaveStateList();
  readonly ramHandler: RamHandler;
  readonly globalState = new GlobalState();
  readonly config: MachineConfig;
  private globalStateEntry: SaveStateEntry | undefined;

  constructor(options: MachineOptions) {
    const pageSize = options.pageSize ?? 4096;
    this.config = { machineType: options.machineType, pageSize, sendPageBits: options.sendPageBits ?? false };
    this.vm = new VmControl(options);
    this.ram = new GuestRam(pageSize);
    this.ramHandler = new RamHandler(this.ram, options);
    this.saveStates.registerLive(RAM_IDSTR, RAM_SECTION_VERSION, this.ramHandler);
  }

  get runState(): RunState {
    return this.vm.machine.state;
  }

  /** Registers a device or CPU state (vmstate_register). */
  registerDevice<S extends object>(idstr: string, desc: Description<S>, state: S, options: RegisterOptions & DeviceHooks = {}): SaveStateEntry {
    return this.saveStates.registerVmstate(idstr, desc, state, options);
  }

  /**
   * Registers globalstate once, after every device, as QEMU's machine init
   * does; saving and loading do it themselves, the first time.
   */
  realize(): void {
    if (this.globalStateEntry) return;
    this.globalStateEntry = this.saveStates.registerVmstate("globalstate", globalStateDescription, this.globalState.state);
  }

  /** A writer for this machine's stream, for callers that drive the phases (migration). */
  streamWriter(sink: ByteSink, options: SaveOptions = {}): VmStateWriter {
    this.realize();
    return new VmStateWriter(this.saveStates, sink, this.config, options);
  }

  /**
   * save_snapshot: stop into save-vm if running, write the whole state,
   * start again if it was running.
   */
  async save(sink: ByteSink, options: SaveOptions = {}): Promise<SaveResult> {
    const wasRunning = this.vm.machine.isRunning();
    this.vm.vmStop("save-vm");
    try {
      this.globalState.store(wasRunning ? "running" : this.runState);
      const writer = this.streamWriter(sink, options);
      await writer.begin();
      let iterations = 0;
      while (!(await writer.iterate())) iterations++;
      await writer.complete();
      return { bytes: writer.bytes, iterations: iterations + 1 };
    } finally {
      if (wasRunning) this.vm.vmStart();
    }
  }

  /**
   * load_snapshot: stop into restore-vm if running; first check that the
   * stream fits (changing nothing), then load it; start again if it was
   * running. A stream that does not fit leaves the machine as it was.
   */
  async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadReport> {
    const open = typeof input === "function" ? input : () => memorySource(input);
    const wasRunning = this.vm.machine.isRunning();
    this.vm.vmStop("restore-vm");
    try {
      this.realize();
      await this.withSource(open, (s) => loadVmState(this.saveStates, this.ramHandler, this.config, s, "check", options));
      this.globalState.received = false;
      const report = await this.withSource(open, (s) => loadVmState(this.saveStates, this.ramHandler, this.config, s, "apply", options));
      this.globalState.received = report.loaded.includes(this.globalStateEntry!);
      return report;
    } finally {
      if (wasRunning) this.vm.vmStart();
    }
  }

  /**
   * The incoming side of a migration: one pass over a stream that cannot be
   * read twice, applied as it arrives. Run states are the caller's (migration.ts).
   */
  async loadIncoming(source: ByteSource): Promise<LoadReport> {
    this.realize();
    this.globalState.received = false;
    const report = await loadVmState(this.saveStates, this.ramHandler, this.config, source, "apply");
    this.globalState.received = report.loaded.includes(this.globalStateEntry!);
    return report;
  }

  private async withSource<T>(open: () => ByteSource | Promise<ByteSource>, use: (s: ByteSource) => Promise<T>): Promise<T> {
    const source = await open();
    try {
      return await use(source);
    } finally {
      await source.close?.();
    }
  }
}
