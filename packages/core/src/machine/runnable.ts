/**
 * What an architecture package gives the `vmstate` command: machines it can
 * build and run, behind one interface, so that run/save/load and the
 * equivalence check work the same for every architecture.
 */
import type { InterruptControllerFactory } from "./interrupt-controller.js";
import type { Machine } from "./machine.js";

export interface CpuReport {
  readonly name: string;
  readonly pc: bigint;
  /** Privilege level or exception level, as the architecture names it. */
  readonly mode: string;
  readonly halted: boolean;
  /** A few registers worth showing. */
  readonly registers: Readonly<Record<string, bigint>>;
}

export interface RunStep {
  /** Instructions retired by all CPUs in this call. */
  readonly executed: number;
}

export interface RunnableMachine {
  readonly arch: string;
  readonly machine: Machine;
  /**
   * CPUs take turns in rounds of this many cycles each; running, stopping
   * and saving happen at round boundaries, so the same total gives the same
   * machine however the run is cut up.
   */
  readonly quantum: number;
  /**
   * Advances every CPU by `cycles` (a multiple of `quantum`),
   * deterministically: no wall clock. A CPU waiting for an interrupt retires
   * nothing in its cycles.
   */
  run(cycles: number): RunStep;
  /** Cycles run per CPU so far. */
  readonly cycles: number;
  /** Instructions retired so far, by all CPUs. */
  readonly retired: number;
  /** What the guest printed on its console so far. */
  readonly console: string;
  cpus(): CpuReport[];
}

export interface MachineOptions {
  /** Number of CPUs (harts). */
  readonly cpus: number;
  /** Main RAM in bytes. */
  readonly memBytes: number;
  /** Varies the workload. */
  readonly seed: number;
  /** Start a built-in workload (false: an empty machine, e.g. to load a snapshot into). */
  readonly workload: boolean;
  /** Optional board parts by name (aarch64: "its"); a factory rejects names it does not know. */
  readonly features?: readonly string[];
  /** The interrupt controller a device plugin provides, for boards that take one (ArchPlugin.interruptController). */
  readonly interruptController?: InterruptControllerFactory;
}

export type MachineFactory = (options: MachineOptions) => RunnableMachine;

export interface ArchPlugin {
  /** The npm package name. */
  readonly name: string;
  /** Architecture name (as `--arch` takes it) → factory. */
  readonly arches: Readonly<Record<string, MachineFactory>>;
  /**
   * Recognises a stream this plugin's machines can load (from its
   * configuration record and vmdesc), with the options to build one.
   */
  readonly recognise?: (info: StreamInfo) => { arch: string; options: MachineOptions } | undefined;
  /**
   * The interrupt controller (a DevicePlugin's key) the boards take when it
   * is installed; without it they run a reduced machine (no interrupts).
   */
  readonly interruptController?: string;
}

/** A package of devices that boards of other packages can take. */
export interface DevicePlugin {
  /** The npm package name. */
  readonly name: string;
  /** Interrupt controllers by name ("gicv3"). */
  readonly interruptControllers: Readonly<Record<string, InterruptControllerFactory>>;
}

export function defineDevicePlugin(plugin: DevicePlugin): DevicePlugin {
  return Object.freeze({ ...plugin, interruptControllers: Object.freeze({ ...plugin.interruptControllers }) });
}

/** What a stream says about the machine that wrote it. */
export interface StreamInfo {
  readonly machineType: string;
  /** vmdesc device names with their instance ids. */
  readonly sections: readonly { readonly idstr: string; readonly instanceId: number; readonly vmsdName?: string; readonly fieldNames: readonly string[] }[];
  /** RAM blocks and their lengths. */
  readonly ramBlocks: readonly { readonly id: string; readonly length: number }[];
}

export function definePlugin(plugin: ArchPlugin): ArchPlugin {
  return Object.freeze({ ...plugin, arches: Object.freeze({ ...plugin.arches }) });
}
