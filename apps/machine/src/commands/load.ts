/**
 * `vmstate load FILE --run N`: builds the machine a stream (ours or QEMU's)
 * needs from the installed packages, loads it, runs it on and reports where
 * each CPU is. Sections of devices the machine does not model are listed,
 * never loaded into another device.
 */
import { decodeStream, type StreamInfo, VmstateError } from "@vmstate/core";
import { openFileSource } from "@vmstate/core/node";
import { installedPlugins, resolveMachine } from "../plugins.js";
import { formatCpus } from "../report.js";

export async function readStreamInfo(file: string): Promise<StreamInfo> {
  const source = await openFileSource(file);
  let machineType = "";
  const ramBlocks: { id: string; length: number }[] = [];
  try {
    const result = await decodeStream(source, (item) => {
      if (item.kind === "configuration") machineType = item.config.machineType;
      if (item.kind === "ram" && item.record.type === "mem-size" && ramBlocks.length === 0) ramBlocks.push(...item.record.blocks.map((b) => ({ id: b.id, length: b.length })));
    });
    const sections = (result.vmdesc?.devices ?? []).map((d) => {
      const fields = d.json.get("fields");
      const fieldNames = Array.isArray(fields) ? fields.map((f) => (f && typeof f === "object" && !Array.isArray(f) ? String(f.get("name")) : "")) : [];
      return { idstr: d.name, instanceId: d.instanceId, ...(d.vmsdName !== undefined ? { vmsdName: d.vmsdName } : {}), fieldNames };
    });
    return { machineType, sections, ramBlocks };
  } finally {
    await source.close();
  }
}

export async function loadCommand(file: string, runCycles: number, write: (s: string) => void, warn: (s: string) => void): Promise<void> {
  const info = await readStreamInfo(file);
  const plugins = await installedPlugins();
  const found = plugins.map((p) => ({ p, r: p.recognise?.(info) })).find((x) => x.r);
  if (!found?.r) {
    throw new VmstateError("UNSUPPORTED", `no installed architecture package recognises this stream (machine type "${info.machineType}"); installed: ${plugins.map((p) => p.name).join(", ") || "none"}`);
  }
  const { arch } = found.r;
  let { options } = found.r;
  const { create, missingDevicePackage } = await resolveMachine(found.p, arch, []);
  if (missingDevicePackage) {
    warn(`warning: ${missingDevicePackage} is not installed: the stream's interrupt controller state cannot be loaded (pnpm add ${missingDevicePackage})\n`);
    options = { ...options, features: [] };
  }
  const m = create(options);
  const t = performance.now();
  const report = await m.machine.load(() => openFileSource(file), { unknownSections: "skip" });
  write(`loaded ${file} into a fresh ${arch} machine (${options.cpus} CPU${options.cpus > 1 ? "s" : ""}, ${options.memBytes >> 20} MiB) in ${(performance.now() - t).toFixed(1)} ms\n`);
  if (report.skipped.length) warn(`warning: this machine does not model ${report.skipped.length} section(s) of the stream, left out: ${report.skipped.join(", ")}\n`);
  m.machine.vm.vmStart();
  // The clock came with the stream: run on from where it stands.
  const rounds = Math.ceil(runCycles / m.quantum);
  let executed = 0;
  for (let done = 0; done < rounds; done += 64) executed += m.run(Math.min(rounds - done, 64) * m.quantum).executed;
  write(`ran ${rounds * m.quantum} cycles per CPU (${executed} instructions):\n`);
  write(formatCpus(m.cpus()));
  if (m.console) write(`console: ${JSON.stringify(m.console.slice(-200))}\n`);
}
