/** The `@vmstate/riscv` plugin: the riscv64 virt machine for the `vmstate` command. */
import { definePlugin, type RunOptions, type StreamInfo } from "@vmstate/core";
import { buildWorkload } from "../workload/workload.js";
import { interpretedHarts } from "./harts.js";
import { RAM_BLOCK, VIRT_MACHINE_TYPE } from "./layout.js";
import { RiscvVirt } from "./virt.js";

/** A virt machine with interpreted harts; with `workload`, the built-in guest program in RAM. */
export function createRiscvVirtMachine(options: RunOptions): RiscvVirt {
  const m = new RiscvVirt(options, interpretedHarts);
  if (options.workload) {
    const w = buildWorkload({ harts: options.cpus, iterations: 0, interrupts: true, seed: BigInt(options.seed) });
    m.loadImage(w.base, w.image);
  }
  return m;
}

/** A stream of a riscv64 virt machine: machine type "virt" and cpu sections with riscv registers. */
export function recogniseRiscvVirt(info: StreamInfo): { arch: string; options: RunOptions } | undefined {
  if (info.machineType !== VIRT_MACHINE_TYPE) return undefined;
  const cpus = info.sections.filter((s) => s.idstr === "cpu" && s.fieldNames.includes("env.gpr")).length;
  const ram = info.ramBlocks.find((b) => b.id === RAM_BLOCK);
  if (!cpus || !ram) return undefined;
  return { arch: "riscv64", options: { cpus, memBytes: ram.length, seed: 0, workload: false } };
}

export const riscvPlugin = definePlugin({
  name: "@vmstate/riscv",
  arches: { riscv64: createRiscvVirtMachine },
  recognise: recogniseRiscvVirt,
});
