import { describe, expect, it } from "vitest";
import { compareFinalRegisters, formatMismatches, type HartState } from "./compare.js";
import type { HartRegisters } from "./reference.js";
import { FREG_ABI, XREG_ABI } from "./regs.js";

const h = (v: bigint) => `0x${v.toString(16).padStart(16, "0")}`;

function expectedHart(hart: number): HartRegisters {
  return {
    hart,
    pc: "0x0000000080000ec4",
    gprs: Object.fromEntries(XREG_ABI.map((n, i) => [n, h(BigInt(i * 0x1111 + hart))])) as HartRegisters["gprs"],
    fprs: Object.fromEntries(FREG_ABI.map((n, i) => [n, h(BigInt(i) << 52n)])) as NonNullable<HartRegisters["fprs"]>,
  };
}

/** The same state as an emulator would hand it over: x registers as a BigUint64Array. */
function actualHart(e: HartRegisters): HartState & { gprs: BigUint64Array } {
  return {
    hart: e.hart,
    pc: BigInt(e.pc),
    gprs: BigUint64Array.from(XREG_ABI.map((n) => BigInt(e.gprs[n]))),
    fprs: BigUint64Array.from(FREG_ABI.map((n) => BigInt(e.fprs![n]))),
  };
}

describe("compareFinalRegisters", () => {
  const expected = [expectedHart(0), expectedHart(1)];

  it("finds nothing when the states agree, whatever the value types", () => {
    expect(compareFinalRegisters(expected, expected.map(actualHart))).toEqual([]);
    const byName = expected.map((e) => ({ ...e, gprs: Object.fromEntries(Object.entries(e.gprs).map(([k, v]) => [k, BigInt(v)])) }));
    expect(compareFinalRegisters(expected, byName)).toEqual([]);
    const byNumber = expected.map((e) => ({ hart: e.hart, pc: e.pc, gprs: Object.fromEntries(XREG_ABI.map((n, i) => [`x${i}`, e.gprs[n]])) }));
    expect(compareFinalRegisters(expected, byNumber)).toEqual([]);
  });

  it("names every differing register by hart and ABI name", () => {
    const actual = expected.map(actualHart);
    actual[1]!.gprs[8] = 42n; // s0
    actual[1]!.gprs[27] = (27n * 0x1111n + 1n) ^ 1n; // s11, one bit off
    actual[0]!.pc = 0x8000_0000n;
    (actual[0]!.fprs as BigUint64Array)[10] = 0n; // fa0
    const m = compareFinalRegisters(expected, actual);
    expect(m).toEqual([
      { hart: 0, register: "pc", expected: "0x0000000080000ec4", actual: "0x0000000080000000" },
      { hart: 0, register: "fa0", expected: h(10n << 52n), actual: h(0n) },
      { hart: 1, register: "s0", expected: h(8n * 0x1111n + 1n), actual: h(42n) },
      { hart: 1, register: "s11", expected: h(27n * 0x1111n + 1n), actual: h((27n * 0x1111n + 1n) ^ 1n) },
    ]);
    expect(formatMismatches(m).split("\n")[2]).toBe(`hart 1 s0    expected ${h(8n * 0x1111n + 1n)}, got ${h(42n)}`);
  });

  it("ignores what it is told to, and accepts extra pcs", () => {
    const actual = expected.map(actualHart);
    actual[0]!.gprs[10] = 7n;
    actual[0]!.pc = 0x8000_0ec0n;
    (actual[0]!.fprs as BigUint64Array)[0] = 1n;
    expect(compareFinalRegisters(expected, actual, { ignore: ["a0"], acceptPcs: ["0x80000ec0"], fprs: false })).toEqual([]);
    expect(compareFinalRegisters(expected, actual, { ignore: ["a0", "pc", "ft0"] })).toEqual([]);
  });

  it("reports missing and extra harts, and negative numbers as 64-bit", () => {
    const actual = [actualHart(expected[0]!), { ...actualHart(expected[0]!), hart: 2 }];
    expect(compareFinalRegisters(expected, actual).map((m) => [m.hart, m.register, m.actual])).toEqual([
      [1, "hart", "missing"],
      [2, "hart", "present"],
    ]);
    const e = [{ ...expected[0]!, gprs: { ...expected[0]!.gprs, t0: "0xffffffffffffffff" } }];
    const a = [{ ...actualHart(expected[0]!), gprs: XREG_ABI.map((n) => (n === "t0" ? -1n : BigInt(e[0]!.gprs[n]))) }];
    expect(compareFinalRegisters(e, a)).toEqual([]);
  });
});
