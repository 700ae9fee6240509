import { describe, expect, it } from "vitest";
import { loadFixture } from "../fixtures.test-helper.js";
import { checkConformance } from "./conformance.js";
import { defineVMState, field } from "./description.js";
import { int64, uint32, uint64, unused } from "./kinds.js";

const stream = () => loadFixture("riscv64-virt-1cpu");

describe("checkConformance", () => {
  it("accepts QEMU's own layout of the timer section", async () => {
    const timers = defineVMState({ name: "timer", version: 2, minimumVersion: 1, fields: { cpu_ticks_offset: int64, unused: unused(8), cpu_clock_offset: field(int64, { version: 2 }) } });
    const [r] = await checkConformance(stream(), "timer", timers);
    expect(r).toEqual({ section: "timer[0]", bytesMatch: true, vmdescMatch: true, valueMismatches: [] });
  });

  it("catches a wrong type, wrong names and a wrong layout", async () => {
    const wrongType = defineVMState({ name: "timer", version: 2, fields: { cpu_ticks_offset: uint64, unused: unused(8), cpu_clock_offset: int64 } });
    const [a] = await checkConformance(stream(), "timer", wrongType);
    expect(a!.bytesMatch).toBe(true);
    expect(a!.vmdescMatch).toBe(false); // "uint64" where QEMU says "int64"

    const swapped = defineVMState({ name: "timer", version: 2, fields: { cpu_clock_offset: int64, unused: unused(8), cpu_ticks_offset: int64 } });
    const [b] = await checkConformance(stream(), "timer", swapped);
    expect(b!.valueMismatches).toEqual([expect.stringMatching(/^cpu_ticks_offset: 0x[0-9a-f]+ vs 0x[0-9a-f]+$/), expect.stringMatching(/^cpu_clock_offset: /)]);

    const halves = defineVMState({ name: "timer", version: 2, fields: { lo: uint32, hi: uint32, unused: unused(8), cpu_clock_offset: int64 } });
    const [c] = await checkConformance(stream(), "timer", halves);
    expect(c!.valueMismatches).toContain("cpu_ticks_offset: not a field of timer");
  });
});
