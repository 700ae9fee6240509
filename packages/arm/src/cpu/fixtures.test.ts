/**
 * The CPU descriptions against the aarch64 stream real QEMU 7.2 wrote
 * (fixtures/qemu-7.2, `-cpu cortex-a57`): same values as the stream's own
 * vmdesc gives, same bytes when saved again, the same vmdesc entry, and
 * the values the fixture's guest leaves in its registers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { checkConformance, cpuCommonDescription, createCpuCommonState, encodeItems, readStream, type StreamItem } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { cpregEntries, cpregName, readCpreg, Sysreg } from "./cpreg.js";
import { armCpuDescription, type ArmCpuState } from "./description.js";
import { cortexA57Model } from "./models.js";
import { createArmCpuState } from "./reset.js";
import { readZreg } from "./sve.js";
import { qRegKey } from "./vfp.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/qemu-7.2/", import.meta.url));
const streams = readdirSync(DIR)
  .filter((f) => f.startsWith("aarch64-virt-") && f.endsWith(".mig.gz"))
  .sort()
  .map((f) => [f.slice(0, -".mig.gz".length), new Uint8Array(gunzipSync(readFileSync(DIR + f)))] as const);

const cpus = (name: string) => Number(/(\d+)cpu/.exec(name)![1]);

type StateItem = Extract<StreamItem, { kind: "state" }>;

async function cpuSections(bytes: Uint8Array, typed: boolean): Promise<{ items: readonly StreamItem[]; cpu: StateItem[] }> {
  const model = await readStream(bytes, typed ? { describe: (s) => (s.idstr === "cpu" ? { desc: armCpuDescription, state: createArmCpuState() } : undefined) } : {});
  expect(model.result.warnings).toEqual([]);
  const cpu = model.items.filter((i): i is StateItem => i.kind === "state" && i.section.idstr === "cpu");
  return { items: model.items, cpu };
}

it("has a committed aarch64 stream", () => {
  expect(streams.map(([n]) => n)).toContain("aarch64-virt-gicv3-its-1cpu");
});

describe.each(streams)("%s", (name, bytes) => {
  it.each([
    ["cpu", "a reset cortex-a57", armCpuDescription, () => createArmCpuState()],
    ["cpu_common", "a reset CPU", cpuCommonDescription, () => createCpuCommonState()],
    ["cpu_common", "an empty object", cpuCommonDescription, () => ({})],
  ] as const)("%s loaded into %s: same values as the vmdesc gives, same bytes, same vmdesc entry (checkConformance)", async (idstr, _into, desc, initial) => {
    const reports = await checkConformance(bytes, idstr, desc, { initialState: initial });
    expect(reports.length).toBe(cpus(name));
    for (const r of reports) {
      expect(r.valueMismatches, r.section).toEqual([]);
      expect(r.bytesMatch, r.section).toBe(true);
      expect(r.vmdescMatch, r.section).toBe(true);
    }
  });

  it("sends exactly the subsections QEMU sent, as our needed() rules say", async () => {
    const generic = (await cpuSections(bytes, false)).cpu;
    const typed = (await cpuSections(bytes, true)).cpu;
    typed.forEach((item, k) => {
      const state = item.state as ArmCpuState;
      const ours = armCpuDescription.subsections.filter((s) => !s.needed || s.needed(state as never)).map((s) => s.desc.name);
      const sent = Object.keys(generic[k]!.state).filter((key) => key.startsWith("cpu/"));
      expect(ours).toEqual(sent);
      expect(sent).toEqual(["cpu/vfp", "cpu/irq-line-state"]);
    });
  });

  it("re-encodes the whole stream to identical bytes", async () => {
    const { items } = await cpuSections(bytes, true);
    expect(Buffer.compare(encodeItems(items), bytes)).toBe(0);
  });

  it("shows what the guest did: vector table, FP enabled, virtual timer armed, a loop counter in x22 and TPIDR_EL0", async () => {
    for (const item of (await cpuSections(bytes, true)).cpu) {
      const s = item.state as ArmCpuState;
      const cpu = BigInt(item.section.instanceId);
      expect(s["features.aarch64"]).toBe(1); // kept from the state it was loaded into
      expect(s.cpsr & 0x1f).toBe(0x5); // EL1h, AArch64
      expect(readCpreg(s, "VBAR_EL1")).toBe(0x4020_0800n);
      expect(readCpreg(s, "CPACR_EL1")).toBe(3n << 20n);
      expect(readCpreg(s, "TPIDR_EL1")).toBe(cpu);
      expect(readCpreg(s, "CNTV_CTL_EL0")! & 1n).toBe(1n);
      expect(readCpreg(s, "TPIDR_EL0")).toBe(s["env.xregs"][22]);
      expect(readCpreg(s, "SCTLR_EL1")).toBe(0x00c5_0838n); // the MMU stays off
      // FPSR's cumulative flags are the low part of the migrated FPSCR.
      expect(BigInt(s.fpscr) & 0x9fn).toBe(readCpreg(s, "FPSR")! & 0x9fn);
      // v16 is a DUP of x25: both halves equal.
      const v16 = readZreg(s, 16);
      expect(v16[0]).toBe(v16[1]);
      expect(s[qRegKey(16)][0]).toBe(v16[0]);
      expect(s["env.irq_line_state"]).toBeTypeOf("number");
    }
  });

  it("has the reset cpreg list of the cortex-a57 model: same registers in the same order, changed only where the guest writes", async () => {
    const reset = cpregEntries(createArmCpuState({ model: cortexA57Model(), coreCount: cpus(name) }));
    const guestWrites = new Set([
      "VBAR_EL1",
      "CPACR_EL1",
      "p15,0,c1,c0,2 (NS)", // CPACR, the AArch32 view of the same register
      "TPIDR_EL0",
      "p15,0,c13,c0,2 (NS)", // TPIDRURW, the AArch32 view of TPIDR_EL0
      "TPIDR_EL1",
      "FPSR",
      "CNTV_CTL_EL0",
      "CNTV_CVAL_EL0",
    ]);
    for (const item of (await cpuSections(bytes, true)).cpu) {
      const got = cpregEntries(item.state as ArmCpuState);
      expect(got.map(([id]) => id)).toEqual(reset.map(([id]) => id));
      const changed = got.filter(([, v], i) => v !== reset[i]![1]).map(([id]) => cpregName(id));
      for (const n of changed) expect(guestWrites, n).toContain(n);
      expect(changed).toContain("VBAR_EL1");
      expect(Sysreg.VBAR_EL1).toBe(0x6030_0000_0013_c600n);
    }
  });
});
