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
  const gicEntry = machine.registerDevice("arm_gicv3", gicv3Description, gic, { loaded: () => redistributors.loaded() });
  const itsEntry = machine.registerDevice("arm_gicv3_its", itsDescription, its.state, {
    loaded: () => its.loaded(),
    beforeSave: () => its.beforeSave(),
  });
  const save = options.saveOnStop ?? true;
  const gicHandler = save ? redistributors.registerStopHandler(machine.vm.handlers) : undefined;
  const itsHandler = save ? its.registerStopHandler(machine.vm.handlers) : undefined;
  return { gic, redistributors, its, memory, gicEntry, itsEntry, gicHandler, itsHandler };
}
