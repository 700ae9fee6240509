/** The `@vmstate/arm` plugin: the aarch64 virt machine for the `vmstate` command. */
import { definePlugin, type RunOptions, type StreamInfo } from "@vmstate/core";
import { buildWorkload } from "../workload/workload.js";
import { RAM_BLOCK } from "./layout.js";
import { ArmVirt } from "./virt.js";

/**
 * A virt machine with interpreted CPUs; with `workload`, the built-in guest
 * program in RAM and CPU 0 at its entry. The guest takes timer interrupts
 * when the board has a GICv3, and with the "its" feature maps devices
 * through the ITS and raises LPIs.
 */
export function createArmVirtMachine(options: RunOptions): ArmVirt {
  const m = new ArmVirt(options);
  if (options.workload) {
    const its = m.features.includes("its");
    const w = buildWorkload({ cpus: options.cpus, iterations: 0, interrupts: m.gic !== undefined, its, seed: BigInt(options.seed) });
    m.loadImage(w.base, w.image, w.entry);
  }
  return m;
}

/**
 * A stream of an aarch64 virt machine: a `virt-X.Y` machine type and cpu
 * sections with AArch64 registers. A GICv2 board (an `arm_gic` section) is
 * not this one: its guest would find no interrupt controller here.
 */
export function recogniseArmVirt(info: StreamInfo): { arch: string; options: RunOptions } | undefined {
  if (!/^virt-\d+\.\d+$/.test(info.machineType)) return undefined;
  if (info.sections.some((s) => s.idstr === "arm_gic")) return undefined;
  const cpus = info.sections.filter((s) => s.idstr === "cpu" && s.fieldNames.includes("env.xregs")).length;
  const ram = info.ramBlocks.find((b) => b.id === RAM_BLOCK);
  if (!cpus || !ram) return undefined;
  const its = info.sections.some((s) => s.idstr === "arm_gicv3_its");
  return { arch: "aarch64", options: { cpus, memBytes: ram.length, seed: 0, workload: false, features: its ? ["its"] : [] } };
}

export const armPlugin = definePlugin({
  name: "@vmstate/arm",
  arches: { aarch64: createArmVirtMachine },
  recognise: recogniseArmVirt,
  interruptController: "gicv3",
});
