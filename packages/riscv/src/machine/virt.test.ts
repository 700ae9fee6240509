import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { checkConformance, describeDifference, firstDifference, migrate, type ByteSink } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { compareFinalRegisters, formatMismatches } from "../workload/compare.js";
import { optionsFromJson, type ReferenceFile } from "../workload/reference.js";
import { buildWorkload } from "../workload/workload.js";
import { riscvCpuDescription } from "../cpu/description.js";
import { createRiscvVirtMachine, recogniseRiscvVirt } from "./plugin.js";
import { InterpretedHart, interpretedHarts } from "./harts.js";
import { RiscvVirt } from "./virt.js";

const FIXTURES = fileURLToPath(new URL("../../../../fixtures/qemu-7.2/", import.meta.url));
const reference = JSON.parse(readFileSync(`${FIXTURES}riscv64-workload-final.json`, "utf8")) as ReferenceFile;

function runUntil(m: RiscvVirt, done: () => boolean, maxCycles: number): void {
  while (!done()) {
    if (m.cycles >= maxCycles) throw new Error(`not done after ${maxCycles} cycles`);
    m.run(m.quantum * 16);
  }
}

async function snapshot(m: RiscvVirt): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  await m.machine.save(sink);
  return new Uint8Array(Buffer.concat(chunks));
}

describe("the workload ends with the registers QEMU 7.2 ends it with", () => {
  it.each(reference.runs.map((r) => [r.name, r] as const))("%s", (_name, run) => {
    const options = optionsFromJson(run.options);
    const w = buildWorkload(options);
    const m = new RiscvVirt({ cpus: options.harts, memBytes: 128 << 20, seed: 0, workload: false }, interpretedHarts);
    m.loadImage(w.base, w.image);
    m.machine.vm.vmStart();
    runUntil(m, () => m.console.includes("DONE") && m.harts.every((h) => h.waiting), 20_000_000);
    const actual = m.harts.map((h, i) => ({ hart: i, pc: h.pc, gprs: Array.from({ length: 32 }, (_, r) => h.register(r)) }));
    const mismatches = compareFinalRegisters(run, actual, { acceptPcs: [BigInt(run.symbols.park)] });
    expect(mismatches, formatMismatches(mismatches)).toEqual([]);
    expect(m.console.replace(/[0-9]/g, "")).toBe(run.serial.replace(/[0-9]/g, ""));
  });
});

describe("save and restore", () => {
  it.each([1, 2, 4])("with %i hart(s), a run cut by snapshots ends as the uninterrupted run", async (cpus) => {
    const opts = { cpus, memBytes: 32 << 20, seed: cpus, workload: true };
    const total = 120_000;
    const straight = createRiscvVirtMachine(opts);
    straight.machine.vm.vmStart();
    straight.run(total);
    let m = createRiscvVirtMachine(opts);
    m.machine.vm.vmStart();
    for (const at of [17_000, 61_000, 99_000]) {
      m.run(at - m.cycles);
      const bytes = await snapshot(m);
      const next = createRiscvVirtMachine({ ...opts, workload: false });
      await next.machine.load(bytes);
      next.machine.vm.vmStart();
      m = next;
    }
    m.run(total - m.cycles);
    const diff = firstDifference(straight.machine, m.machine);
    expect(diff && describeDifference(diff)).toBeUndefined();
  });

  it("names the first difference when a run is not the same", async () => {
    const opts = { cpus: 1, memBytes: 32 << 20, seed: 1, workload: true };
    const a = createRiscvVirtMachine(opts);
    const b = createRiscvVirtMachine(opts);
    a.machine.vm.vmStart();
    b.machine.vm.vmStart();
    a.run(50_000);
    b.run(51_000);
    const diff = firstDifference(a.machine, b.machine);
    expect(diff).toBeDefined();
    expect(describeDifference(diff!)).toMatch(/differs/);
  });

  it("migrates live while the guest runs, and the destination continues the same run", async () => {
    const opts = { cpus: 2, memBytes: 32 << 20, seed: 5, workload: true };
    const straight = createRiscvVirtMachine(opts);
    straight.machine.vm.vmStart();
    straight.run(100_000);
    const src = createRiscvVirtMachine(opts);
    src.machine.vm.vmStart();
    src.run(30_000);
    const dst = createRiscvVirtMachine({ ...opts, workload: false });
    const r = await migrate(src.machine, dst.machine, { runGuest: () => void src.run(src.quantum), maxIterations: 5, switchoverPending: 0 });
    expect(r.outgoing.status).toBe("completed");
    expect(r.incoming.runState).toBe("running");
    expect(src.machine.runState).toBe("postmigrate");
    dst.run(100_000 - dst.cycles);
    expect(firstDifference(straight.machine, dst.machine)).toBeUndefined();
  });

  it("writes cpu sections that QEMU's own layout decodes", async () => {
    const m = createRiscvVirtMachine({ cpus: 2, memBytes: 32 << 20, seed: 2, workload: true });
    m.machine.vm.vmStart();
    m.run(40_000);
    const bytes = await snapshot(m);
    for (const r of await checkConformance(bytes, "cpu", riscvCpuDescription)) {
      expect(r.valueMismatches, r.section).toEqual([]);
      expect(r.bytesMatch && r.vmdescMatch, r.section).toBe(true);
    }
  });
});

describe("QEMU's snapshots", () => {
  it.each(["riscv64-virt-1cpu", "riscv64-virt-2cpu-live"])("%s loads into a fresh machine, which runs the guest on", async (name) => {
    const bytes = new Uint8Array(gunzipSync(readFileSync(`${FIXTURES}${name}.mig.gz`)));
    const cpus = Number(/(\d)cpu/.exec(name)![1]);
    const m = createRiscvVirtMachine({ cpus, memBytes: 128 << 20, seed: 0, workload: false });
    const report = await m.machine.load(bytes, { unknownSections: "skip" });
    // Sections of devices this machine does not model are listed, and go nowhere.
    expect(report.skipped).toEqual(expect.arrayContaining(["0000:00:00.0/gpex_root[0]", "PCIHost[0]", "PCIBUS[0]", "goldfish_rtc[0]", "pflash_cfi01[0]", "fw_cfg[0]"]));
    expect(report.skipped.some((s) => s.startsWith("cpu") || s.startsWith("serial"))).toBe(false);
    const before = m.harts.map((h) => h.register(18)); // s2: the guest's loop counter (tools/fixtures/guests/riscv64-guest.S)
    const pcs = m.harts.map((h) => h.pc);
    expect(pcs.every((pc) => pc >= 0x80200000n && pc < 0x80300000n)).toBe(true);
    m.machine.vm.vmStart();
    m.run(200_000);
    const after = m.harts.map((h) => h.register(18));
    for (let h = 0; h < cpus; h++) {
      // The loop takes about 20 instructions a pass: the counter moved on by thousands.
      expect(Number(after[h]! - before[h]!)).toBeGreaterThan(5000);
      expect(m.harts[h]!.mode).toBe("S");
      // No trap was taken on the way (the guest's handler would have left scause set and parked).
      expect((m.harts[h] as InterpretedHart).hart.exportState().scause).toBe(0n);
    }
  });

  it("is recognised from its machine type and sections", () => {
    expect(
      recogniseRiscvVirt({
        machineType: "virt",
        sections: [
          { idstr: "cpu", instanceId: 0, fieldNames: ["env.gpr"] },
          { idstr: "cpu", instanceId: 1, fieldNames: ["env.gpr"] },
        ],
        ramBlocks: [{ id: "riscv_virt_board.ram", length: 128 << 20 }],
      }),
    ).toEqual({ arch: "riscv64", options: { cpus: 2, memBytes: 128 << 20, seed: 0, workload: false } });
    expect(recogniseRiscvVirt({ machineType: "virt-7.2", sections: [], ramBlocks: [] })).toBeUndefined();
  });
});
