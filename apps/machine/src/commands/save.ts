/** `vmstate save`: run a machine's workload for a while, then write its state to a file, atomically. */
import type { RunOptions } from "@vmstate/core";
import { writeFileAtomic } from "@vmstate/core/node";
import { loadPlugin, resolveMachine } from "../plugins.js";
import { formatCpus } from "../report.js";

export interface SaveCommandOptions extends RunOptions {
  readonly arch: string;
  readonly cycles: number;
  /** Leave out state QEMU 7.2 does not migrate (vmstate's extension subsections), so QEMU can load the file. */
  readonly qemu: boolean;
}

export async function saveCommand(o: SaveCommandOptions, file: string, write: (s: string) => void): Promise<void> {
  const plugin = await loadPlugin(o.arch);
  const { create, missingDevicePackage } = await resolveMachine(plugin, o.arch, o.features ?? []);
  if (missingDevicePackage) write(`note: ${missingDevicePackage} is not installed, so this ${o.arch} machine has no interrupt controller (pnpm add ${missingDevicePackage})\n`);
  const m = create(o);
  m.machine.vm.vmStart();
  const target = Math.ceil(o.cycles / m.quantum) * m.quantum;
  while (m.cycles < target) m.run(Math.min(target - m.cycles, m.quantum * 64));
  const t = performance.now();
  const bytes = await writeFileAtomic(file, async (sink) => (await m.machine.save(sink, { qemuCompatible: o.qemu })).bytes);
  write(`saved ${o.arch} after ${m.cycles} cycles per CPU (${m.retired} instructions) to ${file}: ${bytes} bytes in ${(performance.now() - t).toFixed(1)} ms\n`);
  write(formatCpus(m.cpus()));
}
