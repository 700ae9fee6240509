import { describe, expect, it } from "vitest";
import { InvalidStateError, isVmstateError } from "../errors.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter, SinkWriter } from "../wire/byte-writer.js";
import { readStream } from "./collect.js";
import { decodeStream } from "./decoder.js";
import { encodeItems } from "./encoder.js";
import { RAM_SAVE_FLAG_CONTINUE, RAM_SAVE_FLAG_PAGE } from "./constants.js";
import type { RamRecord } from "./model.js";
import { applyRamRecord, applyXbzrle, encodeRamRecord, inflatePage, newRamContext, parseRamRecord } from "./ram.js";
import { writeRamImageStream } from "./ram-image.js";
import { RamStreamWriter } from "./ram-writer.js";
import { memorySource } from "./source.js";

function memorySink() {
  const chunks: Uint8Array[] = [];
  return {
    sink: { write: (c: Uint8Array) => void chunks.push(c.slice()) },
    bytes: () => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let p = 0;
      for (const c of chunks) {
        out.set(c, p);
        p += c.length;
      }
      return out;
    },
  };
}

describe("RAM records", () => {
  const ctx = () => {
    const c = newRamContext(4096);
    c.blocks.set("pc.ram", 0x10000);
    return c;
  };

  it.each<RamRecord>([
    { type: "mem-size", flags: 4, total: 0x11000, blocks: [{ id: "pc.ram", length: 0x10000 }, { id: "pc.bios", length: 0x1000 }] },
    { type: "zero", flags: 0x02, block: "pc.ram", addr: 0x3000, fill: 0, count: 1, pageSize: 4096 },
    { type: "page", flags: 0x08, block: "pc.ram", addr: 0, data: new Uint8Array(4096).fill(7) },
    { type: "xbzrle", flags: 0x40, block: "pc.ram", addr: 0x1000, data: Uint8Array.from([0, 2, 9, 9]) },
    { type: "compressed", flags: 0x100, block: "pc.ram", addr: 0x2000, data: Uint8Array.from([0x78, 0x01, 1, 2]) },
    { type: "eos", flags: 0x10 },
  ])("encodes and parses $type records", (rec) => {
    const w = new ByteWriter();
    encodeRamRecord(w, rec);
    const r = new ByteReader(w.result());
    expect(parseRamRecord(r, ctx())).toEqual(rec);
    expect(r.pos).toBe(w.pos);
  });

  it("follows CONTINUE to the last block, across records", () => {
    const c = ctx();
    const w = new ByteWriter();
    encodeRamRecord(w, { type: "zero", flags: 0x02, block: "pc.ram", addr: 0, fill: 0, count: 1, pageSize: 4096 });
    encodeRamRecord(w, { type: "zero", flags: 0x22, block: "pc.ram", addr: 0x1000, fill: 0, count: 1, pageSize: 4096 });
    expect(Buffer.from(w.result()).toString("hex")).toBe("0000000000000002" + "06" + Buffer.from("pc.ram").toString("hex") + "00" + "0000000000001022" + "00");
    const r = new ByteReader(w.result());
    applyRamRecord(c, parseRamRecord(r, c));
    expect(parseRamRecord(r, c)).toMatchObject({ type: "zero", block: "pc.ram", addr: 0x1000 });
  });

  it("writes a run of zero pages as one record each and reads it back as one run", async () => {
    const w = new ByteWriter();
    w.u32(0x5145564d);
    w.u32(3);
    w.bytes(Uint8Array.from([0x01, 0, 0, 0, 2, 3, ...Buffer.from("ram"), 0, 0, 0, 0, 0, 0, 0, 4]));
    encodeRamRecord(w, { type: "mem-size", flags: 4, total: 0x10000, blocks: [{ id: "pc.ram", length: 0x10000 }] });
    encodeRamRecord(w, { type: "page", flags: 0x08, block: "pc.ram", addr: 0, data: new Uint8Array(4096).fill(1) });
    const runStart = w.pos;
    encodeRamRecord(w, { type: "zero", flags: 0x22, block: "pc.ram", addr: 0x1000, fill: 0, count: 5, pageSize: 4096 });
    // Five ZERO|CONTINUE records for 0x1000..0x5000.
    expect(Buffer.from(w.result().subarray(runStart)).toString("hex")).toBe(
      ["0000000000001022", "0000000000002022", "0000000000003022", "0000000000004022", "0000000000005022"].map((h) => h + "00").join(""),
    );
    encodeRamRecord(w, { type: "zero", flags: 0x22, block: "pc.ram", addr: 0x7000, fill: 0, count: 1, pageSize: 4096 });
    encodeRamRecord(w, { type: "eos", flags: 0x10 });
    w.bytes(Uint8Array.from([0x7e, 0, 0, 0, 2, 0]));
    const bytes = w.result().slice();
    const model = await readStream(bytes);
    const zeros = model.items.flatMap((i) => (i.kind === "ram" && i.record.type === "zero" ? [i.record] : []));
    // A gap at 0x6000 ends the first run.
    expect(zeros.map((z) => [z.addr, z.count])).toEqual([
      [0x1000, 5],
      [0x7000, 1],
    ]);
    expect(encodeItems(model.items)).toEqual(bytes);
  });

  it.each([
    ["CONTINUE with no block yet", "0000000000000022" + "00", /no previous block/],
    ["an unknown block", "0000000000000008" + "03" + "616263", /unknown RAM block "abc"/],
    ["a page past the block", "0000000000010008" + "06" + Buffer.from("pc.ram").toString("hex"), /outside block pc.ram/],
    ["two type bits", "000000000000000a", /unknown combination of RAM flags 0xa/],
    ["the obsolete FULL flag", "0000000000000001", /unknown combination of RAM flags 0x1/],
    ["a block list that overruns its total", "0000000000001004" + "06" + Buffer.from("pc.ram").toString("hex") + "0000000000002000", /exceeds the remaining total/],
  ])("refuses %s with the record's offset", (_what, hex, message) => {
    const r = new ByteReader(Uint8Array.from(Buffer.from(hex, "hex")), { base: 0x500 });
    try {
      parseRamRecord(r, ctx());
      expect.unreachable();
    } catch (e) {
      expect(isVmstateError(e) && e.code).toBe("BAD_RAM_RECORD");
      expect((e as Error).message).toMatch(message);
      expect((e as { offset: number }).offset).toBe(0x500);
    }
  });

  it("refuses RDMA hook records as unsupported", () => {
    const r = new ByteReader(Uint8Array.from(Buffer.from("0000000000000080", "hex")));
    expect(() => parseRamRecord(r, ctx())).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
  });
});

describe("XBZRLE", () => {
  it("applies runs of unchanged and changed bytes", () => {
    const page = new Uint8Array(16).fill(1);
    // zrun 2, nzrun 3 "abc"; zrun 4, nzrun 1 "z"
    applyXbzrle(Uint8Array.from([2, 3, 97, 98, 99, 4, 1, 122]), page);
    expect(Array.from(page)).toEqual([1, 1, 97, 98, 99, 1, 1, 1, 1, 122, 1, 1, 1, 1, 1, 1]);
    // Two-byte ULEB128 lengths: zrun 200 (0xc8 0x01).
    const big = new Uint8Array(300);
    applyXbzrle(Uint8Array.from([0xc8, 0x01, 1, 5]), big);
    expect(big[200]).toBe(5);
  });

  it.each([
    ["a changed run past the page", [0, 20, ...new Array(20).fill(1)]],
    ["an empty changed run", [1, 0]],
    ["an empty unchanged run after the first", [0, 1, 5, 0, 1, 6]],
    ["a run length of three bytes", [0x80, 0x80, 0x01, 1, 1]],
    ["a lone zrun at the end", [1, 1, 9, 3]],
  ])("refuses %s", (_what, bytes) => {
    expect(() => applyXbzrle(Uint8Array.from(bytes), new Uint8Array(16))).toThrow(expect.objectContaining({ code: "BAD_RAM_RECORD" }));
  });
});

describe("compressed pages", () => {
  it("inflates a zlib page and refuses one of the wrong size", async () => {
    const { deflateSync } = await import("node:zlib");
    const page = new Uint8Array(4096).map((_, i) => i & 0xff);
    expect(await inflatePage(new Uint8Array(deflateSync(page, { level: 1 })), 4096)).toEqual(page);
    await expect(inflatePage(new Uint8Array(deflateSync(page.subarray(0, 100))), 4096)).rejects.toThrow(/inflates to 100 bytes/);
    await expect(inflatePage(Uint8Array.from([1, 2, 3]), 4096)).rejects.toThrow(/does not inflate/);
  });
});

describe("writing a RAM image", () => {
  it("writes QEMU's precopy framing and reads back the same memory", async () => {
    const ram = new Uint8Array(8 * 4096);
    ram.fill(0xaa, 4096, 8192);
    ram[5 * 4096 + 17] = 1;
    const rom = new Uint8Array(4096).fill(3);
    const out = memorySink();
    const n = await writeRamImageStream(out.sink, { machineType: "virt-7.2", blocks: [{ id: "ram", data: ram }, { id: "rom", data: rom }], sendPageBits: true });
    const bytes = out.bytes();
    expect(n).toBe(bytes.length);

    const rebuilt = new Map([
      ["ram", new Uint8Array(ram.length).fill(0xee)],
      ["rom", new Uint8Array(rom.length).fill(0xee)],
    ]);
    const kinds: string[] = [];
    const result = await decodeStream(memorySource(bytes), (item) => {
      if (item.kind !== "ram") {
        kinds.push(item.kind === "section-begin" ? `begin ${item.section.type}` : item.kind);
        return;
      }
      const rec = item.record;
      if (rec.type === "zero") rebuilt.get(rec.block)!.fill(rec.fill, rec.addr, rec.addr + rec.count * 4096);
      if (rec.type === "page") rebuilt.get(rec.block)!.set(rec.data, rec.addr);
      // Pages after the first of a block say CONTINUE; the first names its block.
      if (rec.type === "zero" || rec.type === "page") expect(Boolean(rec.flags & 0x20)).toBe(rec.addr !== 0);
    });
    expect(rebuilt.get("ram")).toEqual(ram);
    expect(rebuilt.get("rom")).toEqual(rom);
    expect(kinds).toEqual([
      "header",
      "configuration",
      "begin start",
      "section-end",
      "begin part",
      "section-end",
      "begin end",
      "section-end",
      "eof",
      "vmdesc",
    ]);
    expect(result.pageSize).toBe(4096);
    // And the stream survives a decode/encode cycle unchanged.
    expect(encodeItems((await readStream(bytes)).items)).toEqual(bytes);
  });
});

describe("runs of PAGE records", () => {
  const ctx = () => {
    const c = newRamContext(4096);
    c.blocks.set("pc.ram", 16 * 4096);
    c.lastBlock = "pc.ram";
    return c;
  };
  const run = (flags: number, count: number, extra = 0) => {
    const data = new Uint8Array(count * 4104 + extra);
    for (let i = 0; i < count; i++) data.fill(i + 1, i * 4104 + 8, (i + 1) * 4104);
    return { type: "pages" as const, flags, block: "pc.ram", addr: 2 * 4096, count, pageSize: 4096, data };
  };

  it("writes every page after the first as continuing the block, whatever the first record's flags", () => {
    // A hand-made run whose first record names its block (no CONTINUE).
    const w = new ByteWriter();
    encodeRamRecord(w, run(RAM_SAVE_FLAG_PAGE, 3));
    const r = new ByteReader(w.result(), { final: true });
    const c = ctx();
    const pages: { addr: number; flags: number; first: number }[] = [];
    while (r.pos < r.end) {
      const rec = parseRamRecord(r, c);
      if (rec.type !== "page") throw new Error(`unexpected ${rec.type}`);
      applyRamRecord(c, rec);
      pages.push({ addr: rec.addr, flags: rec.flags, first: rec.data[0]! });
    }
    expect(pages).toEqual([
      { addr: 2 * 4096, flags: RAM_SAVE_FLAG_PAGE, first: 1 },
      { addr: 3 * 4096, flags: RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE, first: 2 },
      { addr: 4 * 4096, flags: RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE, first: 3 },
    ]);
  });

  it("refuses a run whose data does not hold its pages", () => {
    expect(() => encodeRamRecord(new ByteWriter(), run(RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE, 3, 5))).toThrow(InvalidStateError);
    // Data for 3 pages, a count of 1.5 that does not match it, and one that would (half a record).
    const r = run(RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE, 3);
    expect(() => encodeRamRecord(new ByteWriter(), { ...r, count: 1.5, data: r.data.subarray(0, 1.5 * 4104) })).toThrow(InvalidStateError);
  });
});

describe("RamStreamWriter", () => {
  /** 64 pages: zero spans, scattered data pages, a page written back to zeros (its written bit set). */
  function image() {
    const ps = 4096;
    const data = new Uint8Array(64 * ps);
    for (const p of [3, 17, 18, 40, 63]) data.fill(p, p * ps + 100, p * ps + 200);
    const written = new Uint8Array(8);
    for (const p of [3, 17, 18, 33, 40, 63]) written[p >> 3]! |= 1 << (p & 7); // page 33 was written, holds zeros again
    return { ps, block: { id: "pc.ram", data, written }, plain: { id: "pc.ram", data } };
  }

  async function bytesOf(write: (rw: RamStreamWriter) => Promise<void> | void): Promise<{ bytes: Uint8Array; zero: number; normal: number }> {
    const m = memorySink();
    const w = new SinkWriter(m.sink, 8192);
    const rw = new RamStreamWriter(w, 4096);
    await write(rw);
    await w.drain();
    return { bytes: m.bytes(), ...rw.counts };
  }

  it("writes the records of a page-by-page walk, whole spans of zeros at once", async () => {
    const { block, plain } = image();
    for (const b of [block, plain]) {
      const onePerPage = await bytesOf((rw) => {
        for (let p = 0; p < 64; p++) rw.writePage(b, p);
      });
      const spans = await bytesOf((rw) => rw.writePages(b));
      expect(Buffer.compare(spans.bytes, onePerPage.bytes)).toBe(0);
      expect([spans.zero, spans.normal]).toEqual([59, 5]);
    }
  });

  it("never lets pages of 16 KiB outgrow the chunk buffer between its flushes", async () => {
    const ps = 16384;
    const data = new Uint8Array(64 * ps).fill(7);
    const m = memorySink();
    const w = new SinkWriter(m.sink, 4 * ps);
    const initial = w.buf.length;
    const rw = new RamStreamWriter(w, ps);
    expect(await rw.writeBitmapPages({ id: "pc.ram", data }, new Uint8Array(8).fill(0xff))).toBe(64);
    expect(w.buf.length).toBe(initial);
    await w.drain();
    expect(m.bytes().length).toBe(64 * (ps + 8) + "pc.ram".length + 1);
  });

  it("writes the same records from a dirty bitmap, clearing it, within its budget", async () => {
    const { block } = image();
    const onePerPage = await bytesOf((rw) => {
      for (let p = 0; p < 64; p++) rw.writePage(block, p);
    });
    const bitmap = new Uint8Array(8).fill(0xff);
    const all = await bytesOf(async (rw) => {
      expect(await rw.writeBitmapPages(block, bitmap)).toBe(64);
    });
    expect(Buffer.compare(all.bytes, onePerPage.bytes)).toBe(0);
    expect([...bitmap]).toEqual(new Array(8).fill(0));
    // A budget of 13 pages: the first eight, then five of the next eight; the rest stays dirty.
    const partial = new Uint8Array(8).fill(0xff);
    const first = await bytesOf(async (rw) => {
      expect(await rw.writeBitmapPages(block, partial, 13)).toBe(13);
    });
    const expected = await bytesOf((rw) => {
      for (let p = 0; p < 13; p++) rw.writePage(block, p);
    });
    expect(Buffer.compare(first.bytes, expected.bytes)).toBe(0);
    expect([...partial]).toEqual([0, 0b1110_0000, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });
});
