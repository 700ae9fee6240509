/**
 * The contract between a board (an architecture package) and an interrupt
 * controller that another package provides, so that neither depends on the
 * other: the command composes them. The aarch64 virt board of @vmstate/arm
 * takes the GICv3 (with or without an ITS) of @vmstate/gicv3-its this way,
 * as QEMU's virt board creates its GIC device and wires CPU lines to it.
 */
import type { SystemBus } from "./bus.js";
import type { Machine } from "./machine.js";

/** What a board offers the controller it is given. */
export interface InterruptControllerRequest {
  /** Register save-state entries and stop handlers here. */
  readonly machine: Machine;
  /** Map the controller's register frames here, at the board's addresses. */
  readonly bus: SystemBus;
  /** CPUs, numbered 0..cpus-1 (the order of the board's `cpu` sections). */
  readonly cpus: number;
  /** Each CPU's affinity as MPIDR_EL1 holds it (Aff3 at bits 39:32, Aff2..Aff0 at 23:0). */
  readonly affinity: readonly bigint[];
  /** Base addresses of the frames, by name (for a GICv3: "gicd", "gicr", and "its" when asked for one). */
  readonly regions: Readonly<Record<string, number>>;
  /** Optional parts the board asks for by name ("its"). A controller rejects names it does not know. */
  readonly features: readonly string[];
  /** Drives a CPU's IRQ input. (No FIQ: the boards' CPUs take group-1 interrupts only.) */
  setCpuIrq(cpu: number, level: boolean): void;
}

/** What a controller gives the board. */
export interface InterruptController {
  /** A CPU-private interrupt input (a GIC PPI: the CPU's timers) changed level. */
  setPrivateLine(cpu: number, intid: number, level: boolean): void;
  /** A shared interrupt input (a GIC SPI: a device's line) changed level. */
  setSharedLine(intid: number, level: boolean): void;
  /**
   * A CPU reads one of the controller's system registers (AArch64 ICC_*).
   * `key` packs op0:op1:CRn:CRm:op2 into 16 bits as MRS/MSR encode them
   * (op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2). Undefined: not the controller's.
   */
  readSysreg(cpu: number, key: number): bigint | undefined;
  /** A CPU writes one; false: not the controller's. */
  writeSysreg(cpu: number, key: number, value: bigint): boolean;
}

export type InterruptControllerFactory = (request: InterruptControllerRequest) => InterruptController;
