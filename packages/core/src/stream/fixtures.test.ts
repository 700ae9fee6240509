import { describe, expect, it } from "vitest";
import { AnalyzeFormatter } from "../format/analyze.js";
import { fixtureNames, loadAnalyze, loadFixture, loadVmdescText } from "../fixtures.test-helper.js";
import { JsonObject, stringifyQemuJson } from "../json/qemu-json.js";
import { compile } from "../vmstate/compile.js";
import { isCanonicalVmdesc, vmdescBytes, vmdescDeviceEntry } from "../vmstate/vmdesc.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { readStream } from "./collect.js";
import { decodeStream } from "./decoder.js";
import { encodeItem, encodeItems, StreamEncoder } from "./encoder.js";
import type { StreamItem } from "./model.js";
import { RAM_SAVE_FLAG_CONTINUE, RAM_SAVE_FLAG_PAGE } from "./constants.js";
import { pageOfRun } from "./ram.js";
import { memorySource } from "./source.js";
import { pieceSource } from "./test-sources.test-helper.js";

const names = fixtureNames();

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe("QEMU 7.2 fixture streams", () => {
  it("has the fixtures of every machine the issue names", () => {
    for (const prefix of ["riscv64-virt", "aarch64-virt-gicv3-its", "x86_64-pc", "x86_64-q35", "ppc64-pseries"]) {
      expect(names.some((n) => n.startsWith(prefix))).toBe(true);
    }
  });

  describe.each(names)("%s", (name) => {
    it("decodes into items and encodes back to identical bytes", async () => {
      const bytes = loadFixture(name);
      const model = await readStream(bytes);
      expect(model.result.warnings).toEqual([]);
      expect(model.result.bytes).toBe(bytes.length);
      // Every FULL section is decoded into values, none is carried as opaque bytes.
      const kinds = new Set(model.items.map((i) => i.kind));
      expect(kinds.has("opaque")).toBe(false);
      expect(model.items.filter((i) => i.kind === "state").length).toBe(model.result.vmdesc!.devices.length);
      expect(firstDifference(encodeItems(model.items), bytes)).toBe(-1);
    });

    it("agrees value for value with analyze-migration.py", async () => {
      const expected = loadAnalyze(name);
      expect(expected, "the generator records the script's output for every committed fixture").toBeDefined();
      const fmt = new AnalyzeFormatter();
      await decodeStream(memorySource(loadFixture(name)), (item) => fmt.add(item));
      expect(fmt.toString()).toBe(expected);
    });

    it("re-creates QEMU's vmdesc entry for every section from the decoded model", async () => {
      const model = await readStream(loadFixture(name));
      const vmdesc = model.result.vmdesc!;
      expect(isCanonicalVmdesc(vmdesc)).toBe(true);
      expect(new TextDecoder().decode(vmdescBytes(vmdesc))).toBe(loadVmdescText(name));
      const states = model.items.filter((i): i is Extract<StreamItem, { kind: "state" }> => i.kind === "state");
      states.forEach((item, i) => {
        const entry = vmdescDeviceEntry(item.section.idstr, item.section.instanceId);
        compile(item.desc).save(new ByteWriter(), item.state, entry, item.section.version);
        expect(stringifyQemuJson(entry)).toBe(stringifyQemuJson(vmdesc.devices[i]!.json));
      });
    });

    it.each([
      ["a seekable source", true, 4099],
      ["a socket-like source without random access", false, 65536 + 7],
    ])("streams from %s in pieces and gives the same items", async (_what, seekable, piece) => {
      const bytes = loadFixture(name);
      const out = new ByteWriter(bytes.length);
      const result = await decodeStream(pieceSource(bytes, piece, seekable), (item) => encodeItem(out, item), { chunkBytes: 32 * 1024 });
      expect(result.vmdesc).toBeDefined();
      expect(result.warnings).toEqual([]);
      expect(firstDifference(out.result(), bytes)).toBe(-1);
    });
  });

  describe.each(names)("%s with page runs", (name) => {
    it("delivers the same pages in runs and encodes them back to identical bytes", async () => {
      const bytes = loadFixture(name);
      // Every page as its own item, for reference.
      const single = new Map<string, Uint8Array>();
      await decodeStream(memorySource(bytes), (item) => {
        if (item.kind === "ram" && item.record.type === "page") single.set(`${item.record.block}@${item.record.addr}`, item.record.data.slice());
      });
      const out = new ByteWriter(bytes.length);
      const seen = new Map<string, Uint8Array>();
      let runs = 0;
      // Small chunks: runs must stop at the window's end and go on in the next item.
      await decodeStream(
        pieceSource(bytes, 5000, true),
        (item) => {
          encodeItem(out, item);
          if (item.kind !== "ram") return;
          const rec = item.record;
          if (rec.type === "page") seen.set(`${rec.block}@${rec.addr}`, rec.data.slice());
          if (rec.type === "pages") {
            runs++;
            expect(rec.count).toBeGreaterThanOrEqual(2);
            expect(rec.flags).toBe(RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE);
            for (let i = 0; i < rec.count; i++) seen.set(`${rec.block}@${rec.addr + i * rec.pageSize}`, pageOfRun(rec, i).slice());
          }
        },
        { pageRuns: true, chunkBytes: 32 * 1024 },
      );
      expect(firstDifference(out.result(), bytes)).toBe(-1);
      expect(runs).toBeGreaterThan(0);
      expect(seen.size).toBe(single.size);
      for (const [key, data] of single) expect(Buffer.compare(seen.get(key)!, data), key).toBe(0);
    });

    it("goes on after a visitor that wants every item awaited", async () => {
      const bytes = loadFixture(name);
      const out = new ByteWriter(bytes.length);
      const result = await decodeStream(
        pieceSource(bytes, 20_000, true),
        async (item) => {
          encodeItem(out, item);
          await new Promise((r) => setImmediate(r));
        },
        { pageRuns: true, chunkBytes: 20 * 1024 },
      );
      expect(result.warnings).toEqual([]);
      expect(firstDifference(out.result(), bytes)).toBe(-1);
    });

    it("keeps runs whole when detached", async () => {
      const bytes = loadFixture(name);
      const model = await readStream(bytes, { pageRuns: true });
      const run = model.items.find((i) => i.kind === "ram" && i.record.type === "pages");
      // A plain record of its own, not the decoder's reused cursor (nor a view of its window).
      expect(run && Object.keys(run.kind === "ram" ? run.record : {}).sort()).toEqual(["addr", "block", "count", "data", "flags", "pageSize", "type"]);
      expect(firstDifference(encodeItems(model.items), bytes)).toBe(-1);
    });
  });

  it("rewrites through an asynchronous sink with backpressure", async () => {
    const bytes = loadFixture(names[0]!);
    const chunks: Uint8Array[] = [];
    const encoder = new StreamEncoder(
      {
        write: async (chunk) => {
          await new Promise((r) => setTimeout(r, 1));
          chunks.push(chunk.slice());
        },
      },
      { chunkBytes: 64 * 1024 },
    );
    await decodeStream(pieceSource(bytes, 50_000, false), (item) => encoder.write(item));
    await encoder.end();
    const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let p = 0;
    for (const c of chunks) {
      joined.set(c, p);
      p += c.length;
    }
    expect(chunks.length).toBeGreaterThan(5);
    expect(firstDifference(joined, bytes)).toBe(-1);
  });

  it("decodes the aarch64 stream that analyze-migration.py 7.2 cannot read", async () => {
    const name = names.find((n) => n.startsWith("aarch64"))!;
    const model = await readStream(loadFixture(name));
    const config = model.items.find((i) => i.kind === "configuration");
    expect(config?.kind === "configuration" && config.config).toEqual({
      machineType: "virt-7.2",
      subsections: [{ name: "configuration/target-page-bits", version: 1, targetPageBits: 12 }],
    });
    const its = model.items.find((i) => i.kind === "state" && i.section.idstr === "arm_gicv3_its");
    expect(its?.kind === "state" && Object.keys(its.state)).toEqual(expect.arrayContaining(["ctlr", "cbaser", "cwriter", "creadr", "baser"]));
  });

  it("keeps a non-canonical vmdesc text as it came", async () => {
    const bytes = loadFixture(names[0]!);
    const model = await readStream(bytes);
    const vd = model.items.find((i) => i.kind === "vmdesc")!;
    // Pretty-print the JSON: no longer QEMU's form, but still a valid trailer.
    const pretty = new TextEncoder().encode(JSON.stringify(JSON.parse(loadVmdescText(names[0]!)), null, 1));
    const head = bytes.subarray(0, vd.offset);
    const changed = new Uint8Array(head.length + 5 + pretty.length);
    changed.set(head);
    changed[head.length] = 6;
    new DataView(changed.buffer).setUint32(head.length + 1, pretty.length);
    changed.set(pretty, head.length + 5);
    const again = await readStream(changed);
    const vmdesc = again.items.find((i) => i.kind === "vmdesc");
    expect(vmdesc?.kind === "vmdesc" && isCanonicalVmdesc(vmdesc.vmdesc)).toBe(false);
    expect(firstDifference(encodeItems(again.items), changed)).toBe(-1);
  });

  it("builds JSON objects for the vmdesc the same way for new sections", () => {
    const entry = vmdescDeviceEntry("cpu", 1);
    expect(entry).toBeInstanceOf(JsonObject);
    expect(stringifyQemuJson(entry)).toBe('{"name": "cpu", "instance_id": 1}');
  });
});
