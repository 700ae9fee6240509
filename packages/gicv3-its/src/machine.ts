/**
 * Wiring a GICv3 with an ITS into a @vmstate/core Machine the way QEMU's
 * virt board realizes them: the GIC (`arm_gicv3`, with the redistributors'
 * pending-table stop handler) first, then the ITS (`arm_gicv3_its`, with
 * its table-saving stop handler). Both handlers have priority 0, so on a
 * stop the ITS's runs first.
 */
import type { ChangeStateEntry, Machine, SaveStateEntry } from "@vmstate/core";
import { createGicv3State, gicv3Description, itsDescription, type Gicv3State, type Gicv3StateOptions } from "./descriptions.js";
import { type GuestMemory, guestMemoryFromRam } from "./guest-memory.js";
import { GicV3Its, type ItsOptions } from "./its.js";
import { Gicv3Redistributors } from "./redistributor.js";

export interface Gicv3ItsOptions extends Gicv3StateOptions, Pick<ItsOptions, "onCommandError" | "onGuestError" | "onSaveError"> {
  /** CPUs, one redistributor each. */
  numCpus: number;
  /** Guest memory; default: the machine's RAM blocks mapped at guest-physical addresses. */
  memory?: GuestMemory;
  /** A CPU's LPI interrupt line changed. */
  onIrqLine?: (cpu: number, level: boolean) => void;
  /**
   * Register the stop handlers (default true). False is the QEMU case of a
   * kernel without ITS save support (a migration blocker and no handler):
   * nothing is written to guest RAM on a stop.
   */
  saveOnStop?: boolean;
}

export interface AttachedGicv3Its {
  readonly gic: Gicv3State;
  readonly redistributors: Gicv3Redistributors;
  readonly its: GicV3Its;
  readonly memory: GuestMemory;
  readonly gicEntry: SaveStateEntry;
  readonly itsEntry: SaveStateEntry;
  /** The GIC's pending-table handler and the ITS's table handler, if registered. */
  readonly gicHandler: ChangeStateEntry | undefined;
  readonly itsHandler: ChangeStateEntry | undefined;
}

/** The parts `registerGicv3` registers: the GIC state, its LPI model and, optionally, the ITS. */
export interface Gicv3Parts {
  readonly gic: Gicv3State;
  readonly redistributors: Gicv3Redistributors;
  readonly its?: GicV3Its | undefined;
}

export interface RegisterGicv3Options {
  /** Register the stop handlers (default true); see Gicv3ItsOptions.saveOnStop. */
  saveOnStop?: boolean;
  /** Register the redistributors' pending-table handler (default true; pointless without LPIs). */
  pendingTables?: boolean;
  /** post_load of `arm_gicv3` (default: the redistributors read their pending tables). */
  loaded?: () => void;
}

export interface RegisteredGicv3 {
  readonly gicEntry: SaveStateEntry;
  readonly itsEntry: SaveStateEntry | undefined;
  readonly gicHandler: ChangeStateEntry | undefined;
  readonly itsHandler: ChangeStateEntry | undefined;
}

/**
 * Registers the parts with `machine` in virt's order: `arm_gicv3`
 * (instance 0) and its pending-table stop handler, then `arm_gicv3_its`
 * and its table stop handler.
 */
export function registerGicv3(machine: Machine, parts: Gicv3Parts, options: RegisterGicv3Options = {}): RegisteredGicv3 {
  const { gic, redistributors, its } = parts;
  const gicEntry = machine.registerDevice("arm_gicv3", gicv3Description, gic, {
    instanceId: 0,
    loaded: options.loaded ?? (() => redistributors.loaded()),
  });
  const itsEntry = its
    ? machine.registerDevice("arm_gicv3_its", itsDescription, its.state, {
        loaded: () => its.loaded(),
        beforeSave: () => its.beforeSave(),
      })
    : undefined;
  const save = options.saveOnStop ?? true;
  const gicHandler = save && (options.pendingTables ?? true) ? redistributors.registerStopHandler(machine.vm.handlers) : undefined;
  const itsHandler = save && its ? its.registerStopHandler(machine.vm.handlers) : undefined;
  return { gicEntry, itsEntry, gicHandler, itsHandler };
}

/** Creates the GIC state, the redistributors and the ITS, and registers them (state and stop handlers) with `machine`. */
export function attachGicv3Its(machine: Machine, options: Gicv3ItsOptions): AttachedGicv3Its {
  const memory = options.memory ?? guestMemoryFromRam(machine.ram);
  const gic = createGicv3State(options.numCpus, options);
  const redistributors = new Gicv3Redistributors({ memory, cpus: gic.cpu, ...(options.onIrqLine ? { onIrqLine: options.onIrqLine } : {}) });
  const its = new GicV3Its({
    memory,
    redistributors,
    ...(options.onCommandError ? { onCommandError: options.onCommandError } : {}),
    ...(options.onGuestError ? { onGuestError: options.onGuestError } : {}),
    ...(options.onSaveError ? { onSaveError: options.onSaveError } : {}),
  });
  const r = registerGicv3(machine, { gic, redistributors, its }, options.saveOnStop === undefined ? {} : { saveOnStop: options.saveOnStop });
  return { gic, redistributors, its, memory, gicEntry: r.gicEntry, itsEntry: r.itsEntry!, gicHandler: r.gicHandler, itsHandler: r.itsHandler };
}
