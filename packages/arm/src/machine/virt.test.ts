import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { checkConformance, describeDifference, firstDifference, migrate, type ByteSink } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { armCpuDescription } from "../cpu/description.js";
import { createArmCpuState } from "../cpu/reset.js";
import { compareFinalRegisters, cpuStateForCompare, formatMismatches } from "../workload/compare.js";
import { optionsFromJson, type ReferenceFile } from "../workload/reference.js";
import { buildWorkload } from "../workload/workload.js";
import { createArmVirtMachine, recogniseArmVirt } from "./plugin.js";
import { ArmVirt } from "./virt.js";

const FIXTURES = fileURLToPath(new URL("../../../../fixtures/qemu-7.2/", import.meta.url));
const reference = JSON.parse(readFileSync(`${FIXTURES}aarch64-workload-final.json`, "utf8")) as ReferenceFile;

async function snapshot(m: ArmVirt): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  await m.machine.save(sink);
  return new Uint8Array(Buffer.concat(chunks));
}

describe("the workload on the virt board ends with the registers QEMU 7.2 ends it with", () => {
  it.each(reference.runs.filter((r) => !r.options.interrupts).map((r) => [r.name, r] as const))("%s", (_name, run) => {
    const w = buildWorkload(optionsFromJson(run.options));
    const m = new ArmVirt({ cpus: w.options.cpus, memBytes: 128 << 20, seed: 0, workload: false });
    m.loadImage(w.base, w.image, w.entry);
    m.machine.vm.vmStart();
    const parked = BigInt(w.symbols["parked"]!);
    while (!(m.console.includes("DONE") && m.cpuList.every((c) => c.stopReason === "wfi" && c.getPc() === parked))) {
      if (m.cycles > 50_000_000 || m.console.includes("!TRAP")) throw new Error(`not parked after ${m.cycles} cycles: ${m.console}`);
      m.run(m.quantum * 16);
    }
    const actual = m.cpuList.map((c, i) => cpuStateForCompare(i, c.exportState()));
    const mismatches = compareFinalRegisters(run, actual);
    expect(mismatches, formatMismatches(mismatches)).toEqual([]);
  });
});

describe("save and restore", () => {
  it.each([1, 2, 4])("with %i CPU(s), a run cut by snapshots ends as the uninterrupted run", async (cpus) => {
    const opts = { cpus, memBytes: 128 << 20, seed: cpus, workload: true };
    const total = 150_000;
    const straight = createArmVirtMachine(opts);
    straight.machine.vm.vmStart();
    straight.run(total);
    let m = createArmVirtMachine(opts);
    m.machine.vm.vmStart();
    for (const at of [17_000, 61_000, 99_000]) {
      m.run(at - m.cycles);
      const bytes = await snapshot(m);
      const next = createArmVirtMachine({ ...opts, workload: false });
      await next.machine.load(bytes);
      next.machine.vm.vmStart();
      m = next;
    }
    m.run(total - m.cycles);
    expect(m.console).toBe(straight.console.slice(straight.console.length - m.console.length));
    const diff = firstDifference(straight.machine, m.machine);
    expect(diff && describeDifference(diff)).toBeUndefined();
    // The CPUs did work: the secondaries were started and the guest printed its banner.
    expect(straight.cpuList.every((c) => !c.poweredOff)).toBe(true);
    expect(straight.retired).toBeGreaterThan(cpus * 50_000);
  });

  it("names the first difference when a run is not the same", () => {
    // Same length, other seed: the clocks agree, the guests' registers and RAM do not.
    const a = createArmVirtMachine({ cpus: 1, memBytes: 128 << 20, seed: 1, workload: true });
    const b = createArmVirtMachine({ cpus: 1, memBytes: 128 << 20, seed: 2, workload: true });
    a.machine.vm.vmStart();
    b.machine.vm.vmStart();
    a.run(50_000);
    b.run(50_000);
    const diff = firstDifference(a.machine, b.machine);
    expect(diff).toBeDefined();
    expect(describeDifference(diff!)).toMatch(/^(RAM mach-virt\.ram|cpu\[0\]).* differs/);
  });

  it("migrates live while the guest runs, and the destination continues the same run", async () => {
    const opts = { cpus: 2, memBytes: 128 << 20, seed: 5, workload: true };
    const straight = createArmVirtMachine(opts);
    straight.machine.vm.vmStart();
    straight.run(100_000);
    const src = createArmVirtMachine(opts);
    src.machine.vm.vmStart();
    src.run(30_000);
    const dst = createArmVirtMachine({ ...opts, workload: false });
    const r = await migrate(src.machine, dst.machine, { runGuest: () => void src.run(src.quantum), maxIterations: 5, switchoverPending: 0 });
    expect(r.outgoing.status).toBe("completed");
    expect(r.incoming.runState).toBe("running");
    dst.run(100_000 - dst.cycles);
    expect(firstDifference(straight.machine, dst.machine)).toBeUndefined();
  });

  it("writes cpu sections that QEMU's own layout decodes", async () => {
    const m = createArmVirtMachine({ cpus: 2, memBytes: 128 << 20, seed: 2, workload: true });
    m.machine.vm.vmStart();
    m.run(40_000);
    const bytes = await snapshot(m);
    const reports = await checkConformance(bytes, "cpu", armCpuDescription, { initialState: () => createArmCpuState({ coreCount: 2 }) });
    expect(reports).toHaveLength(2);
    for (const r of reports) {
      expect(r.valueMismatches, r.section).toEqual([]);
      expect({ bytes: r.bytesMatch, vmdesc: r.vmdescMatch }, r.section).toEqual({ bytes: true, vmdesc: true });
    }
  });
});

describe("QEMU's snapshots", () => {
  it("aarch64-virt-gicv3-its-1cpu loads into a machine without a GIC, which runs the guest on", async () => {
    const bytes = new Uint8Array(gunzipSync(readFileSync(`${FIXTURES}aarch64-virt-gicv3-its-1cpu.mig.gz`)));
    const m = createArmVirtMachine({ cpus: 1, memBytes: 128 << 20, seed: 0, workload: false });
    const report = await m.machine.load(bytes, { unknownSections: "skip" });
    // Sections of devices this machine does not model are listed, and go nowhere.
    expect(report.skipped).toEqual(expect.arrayContaining(["arm_gicv3[0]", "arm_gicv3_its[0]", "pflash_cfi01[0]", "pl031[0]", "fw_cfg[0]"]));
    expect(report.skipped.some((s) => s.startsWith("cpu") || s.startsWith("pl011") || s.startsWith("timer"))).toBe(false);
    const cpu = m.cpuList[0]!;
    const before = cpu.getX(22); // the guest's loop counter (tools/fixtures/guests/aarch64-guest.S)
    expect(cpu.getPc() >= 0x4020_0000n && cpu.getPc() < 0x4030_0000n).toBe(true);
    m.machine.vm.vmStart();
    m.run(200_000);
    const a = cpu.exportState();
    // The loop takes about 16 instructions a pass: the counter moved on by thousands.
    expect(Number(cpu.getX(22) - before)).toBeGreaterThan(5000);
    expect(a.pstate.el).toBe(1);
    expect(a.esr_el1).toBe(0n); // no exception was taken on the way
    expect(m.cycles).toBeGreaterThan(200_000);
  });

  it("is recognised from its machine type and sections", () => {
    expect(
      recogniseArmVirt({
        machineType: "virt-7.2",
        sections: [
          { idstr: "arm_gicv3_its", instanceId: 0, fieldNames: ["iidr"] },
          { idstr: "cpu", instanceId: 0, fieldNames: ["env.xregs"] },
        ],
        ramBlocks: [{ id: "mach-virt.ram", length: 128 << 20 }],
      }),
    ).toEqual({ arch: "aarch64", options: { cpus: 1, memBytes: 128 << 20, seed: 0, workload: false, features: ["its"] } });
    expect(recogniseArmVirt({ machineType: "virt", sections: [{ idstr: "cpu", instanceId: 0, fieldNames: ["env.gpr"] }], ramBlocks: [] })).toBeUndefined();
    // A GICv2 virt board is another machine.
    expect(
      recogniseArmVirt({
        machineType: "virt-7.2",
        sections: [
          { idstr: "arm_gic", instanceId: 0, fieldNames: [] },
          { idstr: "cpu", instanceId: 0, fieldNames: ["env.xregs"] },
        ],
        ramBlocks: [{ id: "mach-virt.ram", length: 128 << 20 }],
      }),
    ).toBeUndefined();
  });
});
