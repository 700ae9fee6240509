/**
 * `vmstate run`: runs a machine's built-in workload, and at pseudo-random
 * points stops it, saves it (or migrates it live), restores it into a fresh
 * machine and continues there. At the end the result must equal an
 * uninterrupted run of the same length: the first difference is reported.
 */
import {
  describeDifference,
  firstDifference,
  formatTimelineEntry,
  migrate,
  type RunnableMachine,
  type RunOptions,
  TimelineRecorder,
  type ByteSink,
} from "@vmstate/core";
import { openFileSource, writeFileAtomic } from "@vmstate/core/node";
import { join } from "node:path";
import { loadPlugin, resolveMachine } from "../plugins.js";
import { formatCpus } from "../report.js";

export interface RunCommandOptions extends RunOptions {
  readonly arch: string;
  /** Cycles per CPU. */
  readonly cycles: number;
  /** How many times to stop and switch machines. */
  readonly switches: number;
  /** Switch by live migration every other time (else always savevm / loadvm). */
  readonly migrate: boolean;
  readonly timeline: boolean;
  /** Write snapshots as files here (atomically) instead of keeping them in memory. */
  readonly snapshotDir?: string;
}

interface SwitchReport {
  readonly at: number;
  readonly how: "snapshot" | "migration";
  readonly bytes: number;
  readonly saveMs: number;
  readonly restoreMs: number;
}

/** A small deterministic generator for the switch points. */
function prng(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function switchPoints(cycles: number, quantum: number, count: number, seed: number): number[] {
  const rounds = Math.floor(cycles / quantum);
  const rnd = prng(seed);
  const points = new Set<number>();
  for (let i = 0; i < count * 8 && points.size < Math.min(count, Math.max(0, rounds - 1)); i++) points.add((1 + Math.floor(rnd() * (rounds - 1))) * quantum);
  return [...points].sort((a, b) => a - b);
}

function runTo(m: RunnableMachine, target: number): number {
  let executed = 0;
  while (m.cycles < target) executed += m.run(Math.min(target - m.cycles, m.quantum * 64)).executed;
  return executed;
}

function memorySink(): { sink: ByteSink; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    sink: { write: (c) => void chunks.push(c.slice()) },
    bytes: () => new Uint8Array(Buffer.concat(chunks)),
  };
}

export async function runCommand(o: RunCommandOptions, write: (s: string) => void): Promise<number> {
  const plugin = await loadPlugin(o.arch);
  const { create: factory, missingDevicePackage } = await resolveMachine(plugin, o.arch, o.features ?? []);
  if (missingDevicePackage) write(`note: ${missingDevicePackage} is not installed, so this ${o.arch} machine has no interrupt controller (pnpm add ${missingDevicePackage})\n`);
  // One recorder per machine of the chain, merged by time at the end.
  const recorders: { label: string; recorder: TimelineRecorder }[] = [];
  const t0 = performance.now();
  const attach = (m: RunnableMachine, label: string): RunnableMachine => {
    if (o.timeline) {
      const recorder = new TimelineRecorder();
      recorder.attach(m.machine.vm);
      recorders.push({ label, recorder });
    }
    return m;
  };

  // The reference: one uninterrupted run.
  const reference = factory(o);
  reference.machine.vm.vmStart();
  const refStart = performance.now();
  runTo(reference, cycles(o, reference.quantum));
  const refMs = performance.now() - refStart;

  // The subject: the same run, cut at the switch points.
  let m = attach(factory(o), "#0");
  const total = cycles(o, m.quantum);
  const points = switchPoints(total, m.quantum, o.switches, o.seed);
  m.machine.vm.vmStart();
  const switches: SwitchReport[] = [];
  // What the guest printed and retired on each machine of the chain, added up.
  let printed = "";
  let retired = 0;
  for (const [i, at] of points.entries()) {
    runTo(m, at);
    printed += m.console;
    retired += m.retired;
    const next = attach(factory({ ...o, workload: false }), `#${i + 1}`);
    if (o.migrate && i % 2 === 1) {
      const t = performance.now();
      const r = await migrate(m.machine, next.machine, {});
      if (r.outgoing.error || r.incoming.error) throw r.outgoing.error ?? r.incoming.error;
      switches.push({ at, how: "migration", bytes: r.outgoing.bytes, saveMs: performance.now() - t, restoreMs: 0 });
    } else {
      const t = performance.now();
      let bytes: number;
      let restoreMs: number;
      if (o.snapshotDir) {
        const file = join(o.snapshotDir, `vmstate-${o.arch}-${i}.mig`);
        bytes = await writeFileAtomic(file, async (sink) => (await m.machine.save(sink)).bytes);
        const saveDone = performance.now();
        await next.machine.load(() => openFileSource(file));
        restoreMs = performance.now() - saveDone;
        switches.push({ at, how: "snapshot", bytes, saveMs: saveDone - t, restoreMs });
      } else {
        const out = memorySink();
        await m.machine.save(out.sink);
        const image = out.bytes();
        const saveDone = performance.now();
        await next.machine.load(image);
        restoreMs = performance.now() - saveDone;
        switches.push({ at, how: "snapshot", bytes: image.length, saveMs: saveDone - t, restoreMs });
      }
      next.machine.vm.vmStart();
    }
    m = next;
  }
  runTo(m, total);
  printed += m.console;
  retired += m.retired;

  // The verdict, on both machines stopped: a device that flushes its state into guest RAM
  // on every stop (the ITS writing its tables) has then done so on both sides, as the
  // chain's machines did at each switch.
  reference.machine.vm.vmStop("paused");
  m.machine.vm.vmStop("paused");
  const diff = firstDifference(reference.machine, m.machine);
  const consoleSame = reference.console === printed;
  write(`vmstate run --arch ${o.arch}: ${o.cpus} CPU${o.cpus > 1 ? "s" : ""}, ${o.memBytes >> 20} MiB, ${total} cycles per CPU, seed ${o.seed}\n`);
  write(`reference: ${reference.retired} instructions in ${refMs.toFixed(1)} ms (${(reference.retired / refMs / 1000).toFixed(2)} MIPS)\n`);
  for (const s of switches) {
    write(`  at cycle ${s.at}: ${s.how}, ${s.bytes} bytes, save ${s.saveMs.toFixed(1)} ms${s.how === "snapshot" ? `, restore ${s.restoreMs.toFixed(1)} ms` : " (both sides)"}\n`);
  }
  write(`subject: ${retired} instructions over ${switches.length + 1} machines (${switches.length} switch${switches.length === 1 ? "" : "es"})\n`);
  write(formatCpus(m.cpus()));
  if (printed) write(`console: ${JSON.stringify(printed.slice(-200))}\n`);
  if (o.timeline) {
    write("timeline (machine #0 is the first of the chain; the reference run is not shown):\n");
    const all = recorders.flatMap(({ label, recorder }) => recorder.entries.map((e) => ({ label, e })));
    all.sort((a, b) => a.e.at - b.e.at);
    for (const { label, e } of all) write(`  [${(e.at - t0).toFixed(3)} ms] ${label.padEnd(3)} ${formatTimelineEntry(e)}\n`);
  }
  if (diff || !consoleSame) {
    write(`MISMATCH: ${diff ? describeDifference(diff) : "the console output differs"}\n`);
    return 1;
  }
  write("equivalent: the interrupted run ends in the same state as the uninterrupted one\n");
  return 0;
}

function cycles(o: RunCommandOptions, quantum: number): number {
  return Math.max(quantum, Math.ceil(o.cycles / quantum) * quantum);
}
