/**
 * The device plugin: the board-facing factory for a GICv3 ("gicv3"), with
 * an ITS when the board asks for feature "its" (virt's its=on).
 */
import { defineDevicePlugin, type InterruptControllerRequest, VmstateError } from "@vmstate/core";
import { Gicv3, type Gicv3Options } from "./gicv3.js";
import { guestMemoryFromRam } from "./guest-memory.js";

/** Optional parts a board may ask for. */
export const GICV3_FEATURES = Object.freeze(["its"] as const);
export type Gicv3Feature = (typeof GICV3_FEATURES)[number];

/** A feature the GICv3 does not have. Code UNSUPPORTED. */
export class UnsupportedFeatureError extends VmstateError {
  constructor(readonly feature: string) {
    super("UNSUPPORTED", `the GICv3 has no feature "${feature}" (it knows: ${GICV3_FEATURES.join(", ")})`);
  }
}

export interface Gicv3ControllerOptions extends Pick<Gicv3Options, "setCpuFiq" | "onGuestError" | "onCommandError" | "onSaveError"> {
  /** Register the stop handlers that write the LPI pending tables and ITS tables to guest RAM (default true). */
  saveOnStop?: boolean;
}

/**
 * Builds the GIC for a board: checks the features, maps GICD / GICR (and
 * the ITS) on the request's bus, and registers `arm_gicv3` (then
 * `arm_gicv3_its`) with its machine. The GIC's memory is the machine's RAM.
 */
export function createGicv3Controller(request: InterruptControllerRequest, options: Gicv3ControllerOptions = {}): Gicv3 {
  for (const f of request.features) if (!(GICV3_FEATURES as readonly string[]).includes(f)) throw new UnsupportedFeatureError(f);
  const { saveOnStop, ...hooks } = options;
  const gic = new Gicv3({
    ...hooks,
    cpus: request.cpus,
    // MPIDR layout to GICR_TYPER[63:32]'s: Aff3 moves down next to Aff2.
    affinity: request.affinity.map((mpidr) => ((mpidr >> 8n) & 0xff00_0000n) | (mpidr & 0xff_ffffn)),
    memory: guestMemoryFromRam(request.machine.ram),
    its: request.features.includes("its"),
    setCpuIrq: (cpu, level) => request.setCpuIrq(cpu, level),
  });
  gic.mapInto(request.bus, request.regions);
  gic.register(request.machine, saveOnStop === undefined ? {} : { saveOnStop });
  return gic;
}

export default defineDevicePlugin({
  name: "@vmstate/gicv3-its",
  interruptControllers: { gicv3: (request) => createGicv3Controller(request) },
});
