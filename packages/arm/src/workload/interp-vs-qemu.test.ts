// The interpreter against QEMU: every reference run of fixtures/qemu-7.2/aarch64-workload-final.json
// replayed on A64Cpu (in the MiniVirt harness) must end with the same registers, X, SP, PC,
// Q, PSTATE, FPCR and FPSR, on every CPU.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MiniVirt } from "../interp/mini-virt.js";
import { compareFinalRegisters, cpuStateForCompare, formatMismatches } from "./compare.js";
import { optionsFromJson, type ReferenceFile } from "./reference.js";
import { buildWorkload } from "./workload.js";

const reference = JSON.parse(readFileSync(new URL("../../../../fixtures/qemu-7.2/aarch64-workload-final.json", import.meta.url), "utf8")) as ReferenceFile;

function runOnInterpreter(run: ReferenceFile["runs"][number]) {
  const w = buildWorkload(optionsFromJson(run.options));
  const m = new MiniVirt({ cpus: w.options.cpus });
  m.load(w.image, w.base, w.entry);
  m.run(() => m.cpus.every((c) => c.stopReason === "wfi" && c.getPc() === w.symbols["parked"]) || m.serial.includes("!TRAP"));
  return { w, m };
}

describe("the workload on the interpreter matches QEMU 7.2", () => {
  // (MiniVirt has no GICv3 ITS: the its runs are for a machine with one)
  for (const run of reference.runs.filter((r) => !r.options.its)) {
    it(`${run.name}: every register of every CPU`, () => {
      const { m } = runOnInterpreter(run);
      expect(m.serial).not.toContain("!TRAP");
      expect(m.serial).toMatch(/DONE\n$/);
      // the banner, the progress characters (in some order) and DONE, as QEMU printed them
      expect([...m.serial].sort().join("")).toBe([...run.serial].sort().join(""));
      const actual = m.cpus.map((c) => cpuStateForCompare(c.cpuIndex, c.exportState()));
      const mismatches = compareFinalRegisters(run, actual);
      expect(mismatches, formatMismatches(mismatches)).toEqual([]);
    });
  }

  it("the RAM windows hold what the checksums say, and the pages written are marked", () => {
    const run = reference.runs.find((r) => r.name === "2cpu-small")!;
    const { w, m } = runOnInterpreter(run);
    const pages = w.options.windowPages;
    for (let cpu = 0; cpu < 2; cpu++) {
      const start = (0x4040_0000 + cpu * 0x10_0000 - 0x4000_0000) / 4096;
      for (let p = 0; p < pages; p++) expect((m.ram.written[(start + p) >> 3]! >> ((start + p) & 7)) & 1, `cpu ${cpu} page ${p}`).toBe(1);
    }
  });
});
