import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ByteReader, ByteWriter, checkConformance, compile, decodeStream, JsonObject, Machine, memorySource, MigrationPriority, stringifyQemuJson } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { createGicv3State, createItsState, gicv3Description, itsDescription, type Gicv3State } from "./descriptions.js";
import { attachGicv3Its } from "./machine.js";

const FIXTURE = fileURLToPath(new URL("../../../fixtures/qemu-7.2/aarch64-virt-gicv3-its-1cpu.mig.gz", import.meta.url));
const bytes = new Uint8Array(gunzipSync(readFileSync(FIXTURE)));

describe("aarch64-virt-gicv3-its-1cpu, as QEMU 7.2 wrote it", () => {
  it.each([
    ["arm_gicv3", gicv3Description, () => createGicv3State(1)],
    ["arm_gicv3_its", itsDescription, () => createItsState()],
  ] as const)("%s: same values, same bytes, same vmdesc", async (idstr, desc, initial) => {
    const reports = await checkConformance(bytes, idstr, desc, { initialState: initial });
    expect(reports).toHaveLength(1);
    for (const r of reports) {
      expect(r.valueMismatches, r.section).toEqual([]);
      expect(r.bytesMatch, r.section).toBe(true);
      expect(r.vmdescMatch, r.section).toBe(true);
    }
  });
});

describe("loading QEMU's own stream into a machine with this ITS", () => {
  it("restores the registers; the TCG ITS's tables are not KVM ABI tables, so no translation comes back (and nothing fails)", async () => {
    const blocks: { id: string; length: number }[] = [];
    await decodeStream(memorySource(bytes), (item) => {
      if (item.kind === "ram" && item.record.type === "mem-size") blocks.push(...item.record.blocks);
    });
    const m = new Machine({ machineType: "virt-7.2", sendPageBits: true });
    for (const b of blocks) m.ram.add(b.id, b.length, b.id === "mach-virt.ram" ? 0x4000_0000 : undefined);
    const { its, gic } = attachGicv3Its(m, { numCpus: 1 });
    const report = await m.load(bytes, { unknownSections: "skip" });
    expect(report.skipped).toContain("cpu[0]");
    expect(its.state.cbaser).toBe(0x8000_0000_4090_2000n);
    expect(its.state.baser[0]).toBe(0x8107_0000_4090_0000n);
    expect(its.enabled).toBe(true);
    expect(its.state.iidr).toBe(0x4b00043b);
    expect(gic.gicd_ctlr).toBe(0x53);
    // QEMU's TCG ITS wrote a DTE for device 0 and a CTE for collection 0, in its own layout.
    expect(m.ram.get("mach-virt.ram")!.data[0x90_0000]).not.toBe(0);
    expect(its.mappings()).toEqual([]);
    expect(its.collectionTargets().size).toBe(0);
  });
});

describe("arm_gicv3 subsections and hooks", () => {
  const save = (s: Gicv3State) => {
    const w = new ByteWriter();
    const vmdesc = new JsonObject();
    compile(gicv3Description).save(w, s, vmdesc);
    return { bytes: w.result(), json: stringifyQemuJson(vmdesc) };
  };

  it("sends sre_el1 only when ICC_SRE_EL1 is not 7, virt with list registers, gicv4 on revision 4", () => {
    const plain = createGicv3State(2);
    expect(save(plain).json).not.toMatch(/arm_gicv3_cpu\//);
    plain.cpu[1]!.icc_sre_el1 = 1n;
    expect(save(plain).json.match(/arm_gicv3_cpu\/sre_el1/g)).toHaveLength(1);
    const el2 = createGicv3State(1, { numListRegs: 4, revision: 4 });
    expect(save(el2).json).toMatch(/arm_gicv3_cpu\/virt.*arm_gicv3_cpu\/gicv4/);
  });

  it("loads sre_el1 as 7 when the subsection is absent, and moves bitmaps down for a shift-bug source", () => {
    const src = createGicv3State(1);
    src.enabled[1] = 0xabcd;
    src.enabled[2] = 0x1234;
    src.gicd_no_migration_shift_bug = false;
    const { bytes } = save(src);
    const dst = createGicv3State(1);
    dst.cpu[0]!.icc_sre_el1 = 0n;
    compile(gicv3Description).load(new ByteReader(bytes), dst, 1);
    expect(dst.cpu[0]!.icc_sre_el1).toBe(7n);
    expect(Array.from(dst.enabled.subarray(0, 3))).toEqual([0xabcd, 0x1234, 0]);
    expect(dst.gicd_no_migration_shift_bug).toBe(true);
  });

  it("gives the ITS section version 0 and the GIC's priority ordering", () => {
    expect(itsDescription.version).toBe(0);
    expect(itsDescription.minimumVersion).toBe(0);
    expect(gicv3Description.priority).toBeGreaterThan(itsDescription.priority);
    expect(itsDescription.priority).toBe(MigrationPriority.GICV3_ITS);
  });
});
