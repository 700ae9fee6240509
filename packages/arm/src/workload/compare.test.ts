import { describe, expect, it } from "vitest";
import { emptyArchState } from "../interp/arch-state.js";
import { compareFinalRegisters, cpuStateForCompare, formatMismatches } from "./compare.js";
import { GPR_NAMES, VREG_NAMES, type CpuRegisters } from "./reference.js";

const hex = (v: bigint, d = 16) => `0x${v.toString(16).padStart(d, "0")}`;

function expected(cpu: number): CpuRegisters {
  return {
    cpu,
    pc: hex(0x4020_1918n),
    gprs: Object.fromEntries(GPR_NAMES.map((n, i) => [n, hex(BigInt(i * 3 + cpu))])),
    vregs: Object.fromEntries(VREG_NAMES.map((n, i) => [n, hex(BigInt(i) << 64n, 32)])),
    pstate: "0x000003c5",
    fpcr: "0x00000000",
    fpsr: "0x00000000",
  };
}

describe("compareFinalRegisters", () => {
  const ref = [expected(0), expected(1)];
  const actual = (cpu: number) => ({
    cpu,
    pc: 0x4020_1918n,
    gprs: GPR_NAMES.map((_, i) => BigInt(i * 3 + cpu)),
    vregs: VREG_NAMES.map((_, i) => BigInt(i) << 64n),
    pstate: 0x3c5,
    fpcr: 0,
    fpsr: 0,
  });

  it("is empty when everything agrees (arrays or names, bigints or strings)", () => {
    expect(compareFinalRegisters(ref, [actual(0), actual(1)])).toEqual([]);
    expect(compareFinalRegisters(ref, [{ ...actual(0), gprs: ref[0]!.gprs }, actual(1)])).toEqual([]);
  });

  it("reports each difference, missing and extra CPUs", () => {
    const a = actual(1);
    (a.gprs as bigint[])[19] = 5n;
    (a.vregs as bigint[])[3] = 1n;
    const m = compareFinalRegisters(ref, [a, { ...actual(2) }, { ...actual(0), pc: 0x4020_1914n, fpsr: 0x10 }]);
    expect(m.map((x) => `${x.cpu}:${x.register}`)).toEqual(["0:pc", "0:fpsr", "1:x19", "1:q3", "2:cpu"]);
    expect(m[2]).toEqual({ cpu: 1, register: "x19", expected: hex(58n), actual: hex(5n) });
    expect(formatMismatches(m).split("\n")).toHaveLength(5);
    expect(compareFinalRegisters(ref, [actual(0)])).toEqual([{ cpu: 1, register: "cpu", expected: "present", actual: "missing" }]);
  });

  it("honours ignore, acceptPcs and the vregs/status switches", () => {
    const a = { ...actual(0), pc: 0x4020_1914n, fpsr: 1 };
    (a.vregs as bigint[])[0] = 9n;
    expect(compareFinalRegisters([ref[0]!], [a], { acceptPcs: [0x4020_1914n], ignore: ["fpsr"], vregs: false })).toEqual([]);
    expect(compareFinalRegisters([ref[0]!], [a], { ignore: ["pc", "q0"], status: false })).toEqual([]);
  });

  it("cpuStateForCompare picks the current SP and packs PSTATE and the Q registers", () => {
    const s = emptyArchState();
    s.sp_el0 = 0x1000n;
    s.sp_el1 = 0x2000n;
    s.vregs[2] = 5n;
    s.vregs[3] = 6n;
    const c = cpuStateForCompare(3, s);
    expect((c.gprs as bigint[])[31]).toBe(0x2000n);
    expect((c.vregs as bigint[])[1]).toBe((6n << 64n) | 5n);
    expect(c.pstate).toBe(0x3c5);
    expect((cpuStateForCompare(3, { ...s, pstate: { ...s.pstate, el: 0 } }).gprs as bigint[])[31]).toBe(0x1000n);
  });
});
