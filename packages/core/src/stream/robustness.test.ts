import { describe, expect, it } from "vitest";
import { isVmstateError, type VmstateError } from "../errors.js";
import { fixtureNames, loadFixture } from "../fixtures.test-helper.js";
import { readStream } from "./collect.js";
import { decodeStream, type DecodeResult } from "./decoder.js";
import { encodeItems } from "./encoder.js";
import type { StreamItem } from "./model.js";
import { scanTail } from "./find-vmdesc.js";
import { type ByteSource, memorySource } from "./source.js";
import { pieceSource } from "./test-sources.test-helper.js";

/** A small deterministic PRNG, so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Outcome = { ok: DecodeResult } | { error: VmstateError };

async function attempt(bytes: Uint8Array, seekable = true): Promise<Outcome> {
  const source = seekable ? memorySource(bytes) : pieceSource(bytes, 60_000, false);
  try {
    return { ok: await decodeStream(source, () => undefined, { chunkBytes: 64 * 1024 }) };
  } catch (e) {
    if (!isVmstateError(e)) throw new Error(`not a typed error: ${String(e)}`, { cause: e });
    return { error: e };
  }
}

function expectTypedError(o: Outcome, length: number): VmstateError {
  expect("error" in o, "a damaged stream must fail").toBe(true);
  const e = (o as { error: VmstateError }).error;
  expect(e.code).toMatch(/^[A-Z_]+$/);
  expect(e.offset, `${e.message} has an offset`).toBeTypeOf("number");
  expect(e.offset!).toBeGreaterThanOrEqual(0);
  expect(e.offset!).toBeLessThanOrEqual(length);
  return e;
}

/** Offsets where each element starts: the places truncation is most likely to find a bug. */
async function boundaries(bytes: Uint8Array): Promise<number[]> {
  const model = await readStream(bytes);
  const out = new Set<number>();
  let ramRecords = 0;
  for (const item of model.items) {
    if (item.kind === "ram" && ++ramRecords > 4) continue; // a few RAM records stand for the rest
    for (const d of [-1, 0, 1, 5]) out.add(item.offset + d);
  }
  return [...out].filter((o) => o > 0 && o < bytes.length);
}

describe.each(fixtureNames())("damaged %s", (name) => {
  it("fails with a typed, located error when truncated anywhere", async () => {
    const bytes = loadFixture(name);
    const model = await readStream(bytes);
    const eof = model.items.find((i) => i.kind === "eof")!.offset;
    const rnd = prng(name.length * 7919);
    const cuts = new Set(await boundaries(bytes));
    for (let i = 0; i < 40; i++) cuts.add(1 + Math.floor(rnd() * (bytes.length - 1)));
    let checked = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const o = await attempt(bytes.subarray(0, cut), checked % 3 !== 0);
      checked++;
      if (cut === eof + 1 && "ok" in o) {
        // Cut right after EOF: a valid stream without its (optional) vmdesc.
        expect(o.ok.bytes).toBe(cut);
        continue;
      }
      const e = expectTypedError(o, cut);
      expect(["STREAM_TRUNCATED", "MISSING_FOOTER", "BAD_VMDESC", "TRAILING_DATA", "UNSUPPORTED"]).toContain(e.code);
    }
    expect(checked).toBeGreaterThan(40);
  }, 120_000);

  it("never crashes, hangs or loses its place when bytes are changed at random", async () => {
    const bytes = loadFixture(name);
    const model = await readStream(bytes);
    const firstDevice = model.items.find((i) => i.kind === "section-begin" && i.section.type === "full")!.offset;
    const rnd = prng(0xc0ffee ^ bytes.length);
    let failures = 0;
    for (let i = 0; i < 80; i++) {
      const damaged = bytes.slice();
      const flips = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < flips; k++) {
        // Mostly device state, headers and the vmdesc; sometimes the RAM records.
        const at = rnd() < 0.75 ? firstDevice + Math.floor(rnd() * (bytes.length - firstDevice)) : Math.floor(rnd() * Math.min(4096, bytes.length));
        damaged[at] = Math.floor(rnd() * 256);
      }
      const o = await attempt(damaged, i % 4 !== 0);
      if ("error" in o) {
        expectTypedError(o, damaged.length);
        failures++;
      } else {
        // Accepted: then it must re-encode to exactly the bytes it read.
        const again = await readStream(damaged);
        expect(Buffer.compare(encodeItems(again.items), damaged)).toBe(0);
      }
    }
    expect(failures).toBeLessThanOrEqual(80);
  }, 120_000);
});

describe("hand-made bad input", () => {
  const base = () => loadFixture(fixtureNames().find((n) => n.startsWith("riscv64-virt-1cpu"))!);
  const set = (b: Uint8Array, at: number, ...v: number[]) => {
    const c = b.slice();
    c.set(v, at);
    return c;
  };
  async function itemsOf(bytes: Uint8Array): Promise<readonly StreamItem[]> {
    return (await readStream(bytes)).items;
  }

  it.each([
    ["wrong magic", (b: Uint8Array) => set(b, 0, 0x51, 0x45, 0x56, 0x4e), "BAD_MAGIC", 0],
    ["version 2", (b: Uint8Array) => set(b, 4, 0, 0, 0, 2), "BAD_VERSION", 4],
    ["version 4", (b: Uint8Array) => set(b, 4, 0, 0, 0, 4), "BAD_VERSION", 4],
    ["empty input", () => new Uint8Array(0), "STREAM_TRUNCATED", 0],
  ])("refuses %s", async (_what, make, code, offset) => {
    const e = expectTypedError(await attempt(make(base())), Infinity);
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });

  it("refuses an unknown section type, a stray configuration, and an unknown PART", async () => {
    const b = base();
    const items = await itemsOf(b);
    const timer = items.find((i) => i.kind === "section-begin" && i.section.idstr === "timer")!;
    for (const [type, code] of [
      [0x09, "UNKNOWN_SECTION_TYPE"],
      [0x05, "UNKNOWN_SECTION_TYPE"],
      [0x07, "UNKNOWN_SECTION_TYPE"],
      [0x7e, "UNKNOWN_SECTION_TYPE"],
    ] as const) {
      const e = expectTypedError(await attempt(set(b, timer.offset, type)), b.length);
      expect(e.code).toBe(code);
      expect(e.offset).toBe(timer.offset);
      expect(e.message).toContain(`Unknown savevm section type ${type}`);
    }
    // PART naming a section id that was never started
    const e = expectTypedError(await attempt(set(b, timer.offset, 0x02, 0, 0, 0x12, 0x34)), b.length);
    expect(e.code).toBe("UNKNOWN_SECTION");
    expect(e.message).toContain("Unknown savevm section 4660");
  });

  it("names the section when a footer does not match or is missing", async () => {
    const b = base();
    const items = await itemsOf(b);
    const end = items.find((i) => i.kind === "section-end" && i.section.idstr === "cpu")!;
    const mismatch = expectTypedError(await attempt(set(b, end.offset + 4, 0x99)), b.length);
    expect(mismatch.code).toBe("FOOTER_MISMATCH");
    expect(mismatch.section).toBe("cpu[0]");
    expect(mismatch.offset).toBe(end.offset);
    const missing = expectTypedError(await attempt(set(b, end.offset, 0x7d)), b.length);
    expect(missing.code).toBe("MISSING_FOOTER");
    expect(missing.message).toContain("Missing section footer for cpu");
  });

  it("stops at a state field that disagrees with the vmdesc, naming section and field", async () => {
    const b = base();
    const items = await itemsOf(b);
    const cpu = items.find((i) => i.kind === "state" && i.section.idstr === "cpu")!;
    // Insert one byte into the cpu section: the vmdesc-driven read ends one byte early.
    const damaged = new Uint8Array(b.length + 1);
    damaged.set(b.subarray(0, cpu.offset + 3));
    damaged[cpu.offset + 3] = 0xab;
    damaged.set(b.subarray(cpu.offset + 3), cpu.offset + 4);
    const e = expectTypedError(await attempt(damaged), damaged.length);
    expect(e.section).toBe("cpu[0]");
  });

  it("refuses absurd lengths without allocating them", async () => {
    const b = base();
    const items = await itemsOf(b);
    const vmdesc = items.find((i) => i.kind === "vmdesc")!;
    // A vmdesc that claims 2 GiB.
    const huge = set(b, vmdesc.offset + 1, 0x7f, 0xff, 0xff, 0xff);
    const e = expectTypedError(await attempt(huge, false), huge.length);
    expect(e.code).toBe("LIMIT_EXCEEDED");
    // A RAM block list whose total is 2^52 bytes and whose first block claims it all.
    const ram = items.find((i) => i.kind === "ram" && i.record.type === "mem-size")!;
    const blocks = set(b, ram.offset, 0x00, 0x10, 0, 0, 0, 0, 0x00, 0x04);
    expect(expectTypedError(await attempt(blocks), b.length).code).toMatch(/BAD_RAM_RECORD|STREAM_TRUNCATED/);
    // A configuration whose machine name is 4 GiB long.
    const config = items.find((i) => i.kind === "configuration")!;
    const name = set(b, config.offset + 1, 0xff, 0xff, 0xff, 0xff);
    const c = expectTypedError(await attempt(name), b.length);
    expect(c.code).toBe("BAD_CONFIGURATION");
    expect(c.section).toBe("configuration");
  });

  it("refuses hostile vmdesc JSON with a located error", async () => {
    const b = base();
    const items = await itemsOf(b);
    const vd = items.find((i) => i.kind === "vmdesc")!;
    const head = b.subarray(0, vd.offset);
    const withJson = (json: string) => {
      const text = new TextEncoder().encode(json);
      const out = new Uint8Array(head.length + 5 + text.length);
      out.set(head);
      out[head.length] = 6;
      new DataView(out.buffer).setUint32(head.length + 1, text.length);
      out.set(text, head.length + 5);
      return out;
    };
    const cases: [string, RegExp][] = [
      ['{"page_size": 4096, "devices": [' + "[".repeat(500) + "]".repeat(500) + "]}", /nesting deeper/],
      ['{"page_size": 4096}', /no "devices" array/],
      ['{"page_size": 0, "devices": []}', /page_size/],
      ['{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2, "fields": [{"name": "x", "type": "uint8", "size": -1}]}]}', /bad size/],
      ['{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2, "fields": [{"name": "x", "array_len": 1e12, "type": "uint8", "size": 1}]}]}', /bad array_len/],
      ['{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2, "fields": [{"name": "s", "type": "struct", "struct": {"vmsd_name": "x", "version": 1, "fields": []}, "size": 9}]}]}', /struct size 9 does not match/],
      ['{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2, "fields": [{"name": "a", "type": "uint8", "size": 1}, {"name": "a", "type": "uint8", "size": 1}]}]}', /appears twice/],
      ['{"page_size": 4096, "devices": [{"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2, "fields": [{"name": "a", "index": 1, "type": "uint8", "size": 1}]}]}', /index 1 where 0 was expected/],
      ['{"page_size": 4096, "devices": [', /unexpected end/],
    ];
    for (const [json, message] of cases) {
      const bytes = withJson(json);
      for (const seekable of [true, false]) {
        const e = expectTypedError(await attempt(bytes, seekable), bytes.length);
        expect(e.message).toMatch(message);
        expect(["BAD_VMDESC", "VMDESC_MISMATCH"]).toContain(e.code);
      }
    }
  });

  it("keeps bytes after the end as trailing data, with a warning, and writes them back", async () => {
    const b = base();
    const longer = new Uint8Array(b.length + 3);
    longer.set(b);
    longer.set([1, 2, 3], b.length);
    const model = await readStream(longer);
    expect(model.result.warnings.join()).toContain("3 bytes after the end");
    expect(Buffer.compare(encodeItems(model.items), longer)).toBe(0);
  });
});

describe("a vmdesc entry that cannot be compiled", () => {
  /** The fixture with an extra vmdesc device, `fields` not a list, for which the stream has no section. */
  function withBogusDevice(): Uint8Array {
    const bytes = loadFixture("riscv64-virt-1cpu");
    const at = scanTail(bytes, 0, true);
    if (typeof at !== "object") throw new Error("fixture has no vmdesc");
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(at.offset + 5))) as { devices: unknown[] };
    json.devices.unshift({ name: "bogus", instance_id: 0, vmsd_name: "bogus", version: 1, fields: 5 });
    const text = new TextEncoder().encode(JSON.stringify(json));
    const out = new Uint8Array(at.offset + 5 + text.length);
    out.set(bytes.subarray(0, at.offset));
    out[at.offset] = 6;
    new DataView(out.buffer).setUint32(at.offset + 1, text.length);
    out.set(text, at.offset + 5);
    return out;
  }

  it("is harmless when no section needs it, however slowly the input arrives", async () => {
    const bytes = withBogusDevice();
    for (const turns of [0, 3]) {
      // Slow reads leave the decoder waiting, which is when it compiles devices ahead of their sections.
      const source: ByteSource = {
        size: bytes.length,
        read: () => 0,
        readAt: async (position, into) => {
          for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
          const n = Math.max(0, Math.min(into.length, bytes.length - position));
          into.set(bytes.subarray(position, position + n));
          return n;
        },
      };
      const result = await decodeStream(source, () => undefined, { chunkBytes: 16 * 1024 });
      expect(result.bytes, `reads taking ${turns} turns`).toBe(bytes.length);
    }
  });
});
