// The aarch64 board with the GICv3 and ITS of another package, composed as the command
// composes them: the ITS workload against QEMU 7.2, save/restore with LPIs in flight, and
// why the ITS's stop handler exists.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { createArmVirtMachine, cpuStateForCompare, compareFinalRegisters, formatMismatches, buildWorkload, optionsFromJson, ArmVirt, cpuBlock, CB, type ReferenceFile } from "@vmstate/arm";
import { createGicv3Controller, type Gicv3 } from "@vmstate/gicv3-its";
import { describeDifference, firstDifference, type ByteSink, type InterruptControllerFactory, type RunOptions } from "@vmstate/core";
import { describe, expect, it } from "vitest";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/qemu-7.2/", import.meta.url));
const reference = JSON.parse(readFileSync(`${FIXTURES}aarch64-workload-final.json`, "utf8")) as ReferenceFile;

const gicv3: InterruptControllerFactory = (request) => createGicv3Controller(request);
/** The GICv3 of a kernel without ITS save support: no change-state handlers, nothing written on a stop. */
const gicv3WithoutStopHandlers: InterruptControllerFactory = (request) => createGicv3Controller(request, { saveOnStop: false });

async function snapshot(m: ArmVirt): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  await m.machine.save(sink);
  return new Uint8Array(Buffer.concat(chunks));
}

function ramU64(m: ArmVirt, addr: bigint): bigint {
  const w = m.bus.ramAt(Number(addr), 8)!;
  return w.view.getBigUint64(Number(addr) - w.base, true);
}

/** A run of `total` cycles cut by snapshots at `cuts`, each restored into a fresh machine. */
async function chain(options: RunOptions, cuts: readonly number[], total: number): Promise<ArmVirt> {
  let m = createArmVirtMachine(options);
  m.machine.vm.vmStart();
  for (const at of cuts) {
    m.run(at - m.cycles);
    const bytes = await snapshot(m);
    const next = createArmVirtMachine({ ...options, workload: false });
    await next.machine.load(bytes);
    next.machine.vm.vmStart();
    m = next;
  }
  m.run(total - m.cycles);
  return m;
}

describe("the ITS workload on the virt board with the GICv3 matches QEMU 7.2 (its=on)", () => {
  it.each(reference.runs.filter((r) => r.options.its).map((r) => [r.name, r] as const))("%s", (_name, run) => {
    const w = buildWorkload(optionsFromJson(run.options));
    const m = new ArmVirt({ cpus: w.options.cpus, memBytes: 128 << 20, seed: 0, workload: false, features: ["its"], interruptController: gicv3 });
    m.loadImage(w.base, w.image, w.entry);
    m.machine.vm.vmStart();
    const parked = BigInt(w.symbols["parked"]!);
    while (!(m.console.includes("DONE") && m.cpuList.every((c) => c.stopReason === "wfi" && c.getPc() === parked))) {
      if (m.cycles > 80_000_000 || m.console.includes("!TRAP")) throw new Error(`not parked after ${m.cycles} cycles: ${m.console}`);
      m.run(m.quantum * 64);
    }
    const mismatches = compareFinalRegisters(run, m.cpuList.map((c, i) => cpuStateForCompare(i, c.exportState())));
    expect(mismatches, formatMismatches(mismatches)).toEqual([]);
    for (const c of m.cpuList) expect(c.getX(3)).toBeGreaterThan(1000n); // LPIs taken
  });
});

describe("save and restore with the GICv3 and its ITS", () => {
  const options: RunOptions = { cpus: 2, memBytes: 128 << 20, seed: 11, workload: true, features: ["its"], interruptController: gicv3 };
  const total = 900_000;
  const cuts = [123_000, 377_000, 640_000];

  it("a run cut by snapshots delivers the same LPIs and ends as the uninterrupted run", async () => {
    const straight = createArmVirtMachine(options);
    straight.machine.vm.vmStart();
    straight.run(total);
    const m = await chain(options, cuts, total);
    for (let cpu = 0; cpu < 2; cpu++) {
      const taken = ramU64(straight, cpuBlock(cpu) + BigInt(CB.lpis));
      expect(taken).toBeGreaterThan(100n);
      expect(ramU64(m, cpuBlock(cpu) + BigInt(CB.lpis))).toBe(taken);
      expect(ramU64(m, cpuBlock(cpu) + BigInt(CB.lpiHash))).toBe(ramU64(straight, cpuBlock(cpu) + BigInt(CB.lpiHash)));
      expect(ramU64(m, cpuBlock(cpu) + BigInt(CB.lpiTimeouts))).toBe(0n);
    }
    // Compared stopped: the ITS has written its tables on both sides.
    straight.machine.vm.vmStop("paused");
    m.machine.vm.vmStop("paused");
    const diff = firstDifference(straight.machine, m.machine);
    expect(diff && describeDifference(diff)).toBeUndefined();
  });

  it("with the stop handlers disabled, a restored machine has lost its mappings and its LPIs", async () => {
    const m = await chain({ ...options, interruptController: gicv3WithoutStopHandlers }, cuts.slice(0, 1), 600_000);
    const its = (m.gic as Gicv3).its!;
    expect(its.mappings()).toEqual([]);
    const good = await chain(options, cuts.slice(0, 1), 600_000);
    expect((good.gic as Gicv3).its!.mappings().length).toBeGreaterThan(0);
    for (let cpu = 0; cpu < 2; cpu++) {
      // The restored guest raises LPIs that no longer translate, and waits for them in vain.
      expect(ramU64(m, cpuBlock(cpu) + BigInt(CB.lpis))).toBeLessThan(ramU64(good, cpuBlock(cpu) + BigInt(CB.lpis)));
      expect(ramU64(m, cpuBlock(cpu) + BigInt(CB.lpisExpected))).toBeGreaterThan(ramU64(m, cpuBlock(cpu) + BigInt(CB.lpis)));
      expect(ramU64(good, cpuBlock(cpu) + BigInt(CB.lpiTimeouts))).toBe(0n);
    }
  });
});

describe("QEMU's aarch64 snapshot with the GICv3 and ITS", () => {
  it("loads every section but the devices the board lacks, and the guest runs on", async () => {
    const bytes = new Uint8Array(gunzipSync(readFileSync(`${FIXTURES}aarch64-virt-gicv3-its-1cpu.mig.gz`)));
    const m = createArmVirtMachine({ cpus: 1, memBytes: 128 << 20, seed: 0, workload: false, features: ["its"], interruptController: gicv3 });
    const report = await m.machine.load(bytes, { unknownSections: "skip" });
    expect(report.skipped.some((s) => /^(arm_gicv3|arm_gicv3_its|cpu|cpu_common|pl011|timer)\[/.test(s))).toBe(false);
    const gic = m.gic as Gicv3;
    // QEMU's guest left the virtual timer pending with IRQs masked: the CPU's IRQ line is up.
    expect(gic.irqLevel(0)).toBe(true);
    const cpu = m.cpuList[0]!;
    const before = cpu.getX(22);
    m.machine.vm.vmStart();
    m.run(200_000);
    expect(Number(cpu.getX(22) - before)).toBeGreaterThan(5000);
    expect(cpu.exportState().esr_el1).toBe(0n);
  });
});
