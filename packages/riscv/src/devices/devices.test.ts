import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { checkConformance } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { createMtimerState, mtimerDescription } from "./aclint.js";
import { timersDescription } from "@vmstate/core";
import { createSerialState, serialMmDescription } from "./ns16550.js";
import { createPlicState, plicDescription } from "./plic.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/qemu-7.2/", import.meta.url));
const streams = readdirSync(DIR)
  .filter((f) => f.startsWith("riscv64-virt-") && f.endsWith(".mig.gz"))
  .map((f) => [f.replace(".mig.gz", ""), new Uint8Array(gunzipSync(readFileSync(DIR + f)))] as const);

function harts(name: string): number {
  return Number(/(\d+)cpu/.exec(name)![1]);
}

describe.each(streams)("devices of %s, as QEMU 7.2 wrote them", (name, bytes) => {
  it.each([
    ["serial", serialMmDescription, () => createSerialState()],
    ["riscv_mtimer", mtimerDescription, () => createMtimerState(harts(name))],
    ["riscv_sifive_plic", plicDescription, () => createPlicState(harts(name))],
    ["timer", timersDescription, () => ({})],
  ] as const)("%s: same values, same bytes, same vmdesc", async (idstr, desc, initial) => {
    const reports = await checkConformance(bytes, idstr, desc, { initialState: initial });
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) {
      expect(r.valueMismatches, r.section).toEqual([]);
      expect(r.bytesMatch, r.section).toBe(true);
      expect(r.vmdescMatch, r.section).toBe(true);
    }
  });
});
