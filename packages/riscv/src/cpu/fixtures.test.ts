/**
 * The hart descriptions against every riscv64 stream real QEMU 7.2 wrote
 * (fixtures/qemu-7.2): same values as the stream's own vmdesc gives, same
 * bytes when saved again, and the same vmdesc entry, key for key.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  ByteWriter,
  checkConformance,
  compile,
  encodeItems,
  parseVmdesc,
  readStream,
  stringifyQemuJson,
  vmdescDeviceEntry,
  type Description,
  type StreamItem,
} from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { cpuCommonDescription, createCpuCommonState, type CpuCommonState } from "@vmstate/core";
import { riscvCpuDescription, type RiscvCpuState } from "./description.js";
import { createRiscvCpuState } from "./reset.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/qemu-7.2/", import.meta.url));
const streams = readdirSync(DIR)
  .filter((f) => f.startsWith("riscv64-virt-") && f.endsWith(".mig.gz"))
  .sort()
  .map((f) => {
    const name = f.slice(0, -".mig.gz".length);
    return [name, new Uint8Array(gunzipSync(readFileSync(DIR + f))), readFileSync(`${DIR}${name}.vmdesc.json`, "utf8").trimEnd()] as const;
  });

const harts = (name: string) => Number(/(\d+)cpu/.exec(name)![1]);

type StateItem = Extract<StreamItem, { kind: "state" }>;

/** Decodes a stream, with our descriptions for the hart sections when `typed`, keeping every item. */
async function decodeAll(bytes: Uint8Array, typed: boolean): Promise<readonly StreamItem[]> {
  const local = (idstr: string): Description<unknown> | undefined =>
    idstr === "cpu" ? riscvCpuDescription : idstr === "cpu_common" ? cpuCommonDescription : undefined;
  // readStream keeps the items valid (RAM records are otherwise reused by the decoder).
  const model = await readStream(bytes, typed ? { describe: (s) => local(s.idstr) } : {});
  expect(model.result.warnings).toEqual([]);
  return model.items;
}

function hartSections(items: readonly StreamItem[], idstr: string): StateItem[] {
  return items.filter((i): i is StateItem => i.kind === "state" && i.section.idstr === idstr);
}

describe.each(streams)("%s", (name, bytes, vmdescText) => {
  it("has one cpu_common and one cpu section per hart", async () => {
    const items = await decodeAll(bytes, true);
    for (const idstr of ["cpu_common", "cpu"]) {
      const sections = hartSections(items, idstr);
      expect(sections.map((s) => s.section.instanceId)).toEqual([...Array(harts(name)).keys()]);
      expect(sections.every((s) => s.describedBy === "local")).toBe(true);
    }
  });

  it.each([
    ["cpu", "an empty object", riscvCpuDescription, undefined],
    ["cpu", "a reset hart", riscvCpuDescription, () => createRiscvCpuState()],
    ["cpu_common", "an empty object", cpuCommonDescription, undefined],
    ["cpu_common", "a reset CPU", cpuCommonDescription, () => createCpuCommonState()],
  ] as const)("%s loaded into %s: same values as the vmdesc gives, same bytes, same vmdesc entry (checkConformance)", async (idstr, _into, desc, initial) => {
    const reports = await checkConformance(bytes, idstr, desc, initial ? { initialState: initial } : {});
    expect(reports.length).toBe(harts(name));
    for (const r of reports) {
      expect(r.valueMismatches, r.section).toEqual([]);
      expect(r.bytesMatch, r.section).toBe(true);
      expect(r.vmdescMatch, r.section).toBe(true);
    }
  });

  it("compares every field of the typed state with the vmdesc-driven one", async () => {
    const typed = await decodeAll(bytes, true);
    const generic = await decodeAll(bytes, false);
    for (const idstr of ["cpu", "cpu_common"]) {
      const ours = hartSections(typed, idstr);
      const theirs = hartSections(generic, idstr);
      expect(ours.length).toBe(theirs.length);
      ours.forEach((o, k) => {
        const t = theirs[k]!;
        expect(t.describedBy).toBe("vmdesc");
        const compared = compareWithVmdesc(o.desc, o.state, t.state);
        // Every value the vmdesc-driven decode holds was compared, nothing more.
        expect(compared.sort()).toEqual(leafPaths(t.state).sort());
      });
    }
  });

  it("sends exactly the subsections QEMU sent, as our needed() rules say", async () => {
    const generic = hartSections(await decodeAll(bytes, false), "cpu");
    const typed = hartSections(await decodeAll(bytes, true), "cpu");
    typed.forEach((item, k) => {
      const state = item.state as RiscvCpuState;
      const ours = riscvCpuDescription.subsections.filter((s) => !s.needed || s.needed(state as never)).map((s) => s.desc.name);
      const sent = Object.keys(generic[k]!.state).filter((key) => key.startsWith("cpu/"));
      expect(ours).toEqual(sent);
      expect(sent).toEqual(["cpu/pmp", "cpu/hyper", "cpu/envcfg", "cpu/debug"]);
    });
    for (const item of hartSections(await decodeAll(bytes, true), "cpu_common")) {
      const state = item.state as CpuCommonState;
      expect(state.exception_index).toBe(-1); // set by pre_load: the subsection was not sent
      expect(cpuCommonDescription.subsections.filter((s) => s.needed!(state as never))).toEqual([]);
    }
  });

  it("re-encodes the whole stream to identical bytes, and each hart section on its own", async () => {
    const items = await decodeAll(bytes, true);
    expect(Buffer.compare(encodeItems(items), bytes)).toBe(0);
    items.forEach((item, i) => {
      if (item.kind !== "state" || item.describedBy !== "local") return;
      const end = items.slice(i + 1).find((x) => x.kind === "section-end")!;
      const w = new ByteWriter();
      compile(item.desc).save(w, item.state, null, item.section.version);
      expect(Buffer.compare(w.result(), bytes.subarray(item.offset, end.offset)), `${item.section.idstr}[${item.section.instanceId}]`).toBe(0);
    });
  });

  it("writes QEMU's vmdesc entry for each hart section, as in the committed trailer", async () => {
    const vmdesc = parseVmdesc(vmdescText);
    const items = await decodeAll(bytes, true);
    let n = 0;
    for (const item of items) {
      if (item.kind !== "state" || item.describedBy !== "local") continue;
      const entry = vmdescDeviceEntry(item.section.idstr, item.section.instanceId);
      compile(item.desc).save(new ByteWriter(), item.state, entry, item.section.version);
      const qemu = vmdesc.devices.find((d) => d.name === item.section.idstr && d.instanceId === item.section.instanceId)!;
      expect(stringifyQemuJson(entry)).toBe(stringifyQemuJson(qemu.json));
      n++;
    }
    expect(n).toBe(2 * harts(name));
  });

  it("reset harts have the configuration QEMU's harts had", async () => {
    for (const item of hartSections(await decodeAll(bytes, true), "cpu")) {
      const got = item.state as RiscvCpuState;
      const reset = createRiscvCpuState({ hartId: item.section.instanceId });
      for (const key of ["env.misa_mxl", "env.misa_mxl_max", "env.misa_ext", "env.misa_ext_mask", "env.features", "env.priv_ver", "env.vext_ver", "env.resetvec", "env.mhartid"] as const) {
        expect(got[key], key).toBe(reset[key]);
      }
      // The guests never write the interrupt priorities: still their reset values.
      expect(got["env.miprio"]).toEqual(reset["env.miprio"]);
      expect(got["env.siprio"]).toEqual(reset["env.siprio"]);
      expect(got["env.hviprio"]).toEqual(reset["env.hviprio"]);
      expect(got["env.tdata1"]).toEqual(reset["env.tdata1"]);
      // SXL and UXL as reset set them.
      expect(got["env.mstatus"] & 0xf_0000_0000n).toBe(reset["env.mstatus"]);
    }
  });
});

// ------------------------------------------------------------ comparison

type Obj = Record<string, unknown>;

/**
 * Maps a typed state onto the vmdesc-driven one and compares every value:
 * typed fields are under their keys and share the parent's object with their
 * subsections; the vmdesc-driven state has fields under their vmdesc names
 * and each subsection that was sent under its own name. Returns the paths
 * compared (in the vmdesc-driven state's terms).
 */
function compareWithVmdesc(desc: Description<unknown>, ours: Obj, theirs: Obj, path = ""): string[] {
  const compared: string[] = [];
  for (const f of desc.fields) {
    if (f.kind.k === "unused") continue;
    const where = `${path}${f.name}`;
    expect(Object.hasOwn(theirs, f.name), where).toBe(true);
    const a = ours[f.key];
    const b = theirs[f.name];
    if (f.kind.k === "array" && f.kind.of.k === "struct") {
      const child = f.kind.of.desc;
      const as = a as Obj[];
      const bs = b as Obj[];
      expect(as.length, where).toBe(bs.length);
      as.forEach((x, i) => compared.push(...compareWithVmdesc(child, x, bs[i]!, `${where}[${i}].`)));
    } else if (f.kind.k === "struct") {
      compared.push(...compareWithVmdesc(f.kind.desc, a as Obj, b as Obj, `${where}.`));
    } else {
      expect(a, where).toEqual(b);
      compared.push(where);
    }
  }
  for (const s of desc.subsections) {
    const sent = theirs[s.desc.name];
    if (sent === undefined) continue;
    compared.push(...compareWithVmdesc(s.desc, s.key === undefined ? ours : (ours[s.key] as Obj), sent as Obj, `${path}${s.desc.name}/`));
  }
  return compared;
}

/** Every value's path in a vmdesc-driven state (subsections by name, struct arrays by index). */
function leafPaths(state: Obj, path = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(state)) {
    if (Array.isArray(v) && v.every((x) => x !== null && typeof x === "object" && !ArrayBuffer.isView(x))) {
      v.forEach((x, i) => out.push(...leafPaths(x as Obj, `${path}${k}[${i}].`)));
    } else if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v) && !Array.isArray(v)) {
      out.push(...leafPaths(v as Obj, `${path}${k}/`));
    } else {
      out.push(`${path}${k}`);
    }
  }
  return out;
}
