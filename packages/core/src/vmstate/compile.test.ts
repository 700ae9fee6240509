import { describe, expect, it } from "vitest";
import { isVmstateError, VmstateError } from "../errors.js";
import { JsonObject, stringifyQemuJson } from "../json/qemu-json.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { compile } from "./compile.js";
import { defineVMState, field, subsection, type StateOf } from "./description.js";
import { createState } from "./initial-state.js";
import {
  array,
  bitmap,
  bool,
  buffer,
  cpuDouble,
  int8,
  int16,
  int32,
  int32Equal,
  int32Le,
  int64,
  pointerArray,
  qtailq,
  struct,
  timer,
  uint8,
  uint16,
  uint32,
  uint64,
  uint64Equal,
  unused,
  varray,
  vbuffer,
  vstruct,
  withTmp,
} from "./kinds.js";

function save<S>(desc: Parameters<typeof compile<S>>[0], state: S, version?: number): { bytes: Uint8Array; vmdesc: string } {
  const w = new ByteWriter(16);
  const vd = new JsonObject();
  compile(desc).save(w, state, vd, version);
  return { bytes: w.result().slice(), vmdesc: stringifyQemuJson(vd) };
}

function load<S>(desc: Parameters<typeof compile<S>>[0], bytes: Uint8Array, version: number, into?: S): S {
  const state = into ?? ({} as S);
  const r = new ByteReader(bytes);
  compile(desc).load(r, state, version);
  expect(r.pos).toBe(bytes.length);
  return state;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("scalar kinds", () => {
  const desc = defineVMState({
    name: "scalars",
    version: 1,
    fields: {
      b: bool,
      i8: int8,
      i16: int16,
      i32: int32,
      i64: int64,
      u8: uint8,
      u16: uint16,
      u32: uint32,
      u64: uint64,
      t: timer,
      d: cpuDouble,
      buf: buffer(3),
      gap: unused(2),
    },
  });

  it("encodes every width big-endian and decodes back to the same model", () => {
    const state: StateOf<typeof desc> = {
      b: true,
      i8: -2,
      i16: -300,
      i32: -70000,
      i64: -5n,
      u8: 0xfe,
      u16: 0xbeef,
      u32: 0xdeadbeef,
      u64: 0x0123456789abcdefn,
      t: -1n,
      d: 0x400921fb54442d18n,
      buf: new Uint8Array([1, 2, 3]),
    };
    const { bytes } = save(desc, state);
    expect(hexOf(bytes)).toBe(
      "01" + "fe" + "fed4" + "fffeee90" + "fffffffffffffffb" + "fe" + "beef" + "deadbeef" + "0123456789abcdef" + "ffffffffffffffff" + "400921fb54442d18" + "010203" + "0000",
    );
    const back = load(desc, bytes, 1);
    expect(back).toEqual(state);
    expect(hexOf(save(desc, back).bytes)).toBe(hexOf(bytes));
  });

  it("describes each field in QEMU's vmdesc shape", () => {
    const { vmdesc } = save(desc, createState(desc));
    expect(vmdesc).toBe(
      '{"vmsd_name": "scalars", "version": 1, "fields": [' +
        '{"name": "b", "type": "bool", "size": 1}, {"name": "i8", "type": "int8", "size": 1}, {"name": "i16", "type": "int16", "size": 2}, ' +
        '{"name": "i32", "type": "int32", "size": 4}, {"name": "i64", "type": "int64", "size": 8}, {"name": "u8", "type": "uint8", "size": 1}, ' +
        '{"name": "u16", "type": "uint16", "size": 2}, {"name": "u32", "type": "uint32", "size": 4}, {"name": "u64", "type": "uint64", "size": 8}, ' +
        '{"name": "t", "type": "timer", "size": 8}, {"name": "d", "type": "CPU_Double_U", "size": 8}, {"name": "buf", "type": "buffer", "size": 3}, ' +
        '{"name": "gap", "type": "unused_buffer", "size": 2}]}',
    );
  });

  it("writes unused bytes as zeros and ignores their content on load", () => {
    const bytes = save(desc, createState(desc)).bytes;
    bytes[bytes.length - 1] = 0x55;
    expect(() => load(desc, bytes, 1)).not.toThrow();
  });

  it("refuses values that do not fit, naming the field", () => {
    const s = { ...createState(desc), u8: 256 };
    expect(() => save(desc, s)).toThrow(/does not fit uint8.*field u8/);
    const t = { ...createState(desc), u64: -1n };
    expect(() => save(desc, t)).toThrow(/does not fit uint64/);
  });
});

describe("QEMU's own descriptions, checked against a real stream's vmdesc", () => {
  // migration/savevm.c vmstate_timers and hw/char/serial.c vmstate_serial(_mm), QEMU 7.2
  const timers = defineVMState({
    name: "timer",
    version: 2,
    minimumVersion: 1,
    fields: { cpu_ticks_offset: int64, unused: unused(8), cpu_clock_offset: field(int64, { version: 2 }) },
  });
  const serialPoll = defineVMState({ name: "serial/poll", version: 1, minimumVersion: 1, fields: { poll_msl: int32, modem_status_poll: timer } });
  const serial = defineVMState({
    name: "serial",
    version: 3,
    minimumVersion: 2,
    fields: {
      divider: field(uint16, { version: 2 }),
      rbr: uint8,
      ier: uint8,
      iir: uint8,
      lcr: uint8,
      mcr: uint8,
      lsr: uint8,
      msr: uint8,
      scr: uint8,
      fcr_vmstate: field(uint8, { version: 3 }),
    },
    subsections: [subsection(serialPoll, (s) => s.poll_msl >= 0)],
  });
  const serialMm = defineVMState({ name: "serial", version: 3, minimumVersion: 2, fields: { serial: struct(serial) } });

  it("timer: same entry, same bytes", () => {
    const state = { cpu_ticks_offset: 0x14068a3e4n, cpu_clock_offset: 0x7b6aee85n };
    const { bytes, vmdesc } = save(timers, state);
    expect(vmdesc).toBe(
      '{"vmsd_name": "timer", "version": 2, "fields": [{"name": "cpu_ticks_offset", "type": "int64", "size": 8}, {"name": "unused", "type": "unused_buffer", "size": 8}, {"name": "cpu_clock_offset", "type": "int64", "size": 8}]}',
    );
    expect(hexOf(bytes)).toBe("000000014068a3e4" + "0000000000000000" + "000000007b6aee85");
    // A version-1 stream has no cpu_clock_offset.
    const v1 = load(timers, bytes.subarray(0, 16), 1);
    expect(v1).toEqual({ cpu_ticks_offset: 0x14068a3e4n });
  });

  it("serial: struct wrapper, subsections only when needed", () => {
    const inner = { ...createState(serial), divider: 12, lsr: 0x60, msr: 0xb0, poll_msl: -1, modem_status_poll: -1n };
    const quiet = save(serialMm, { serial: inner });
    expect(quiet.vmdesc).toBe(
      '{"vmsd_name": "serial", "version": 3, "fields": [{"name": "serial", "type": "struct", "struct": {"vmsd_name": "serial", "version": 3, "fields": [' +
        '{"name": "divider", "type": "uint16", "size": 2}, {"name": "rbr", "type": "uint8", "size": 1}, {"name": "ier", "type": "uint8", "size": 1}, ' +
        '{"name": "iir", "type": "uint8", "size": 1}, {"name": "lcr", "type": "uint8", "size": 1}, {"name": "mcr", "type": "uint8", "size": 1}, ' +
        '{"name": "lsr", "type": "uint8", "size": 1}, {"name": "msr", "type": "uint8", "size": 1}, {"name": "scr", "type": "uint8", "size": 1}, ' +
        '{"name": "fcr_vmstate", "type": "uint8", "size": 1}]}, "size": 11}]}',
    );
    const polled = save(serialMm, { serial: { ...inner, poll_msl: 2, modem_status_poll: 123n } });
    expect(hexOf(polled.bytes.subarray(11))).toBe("05" + "0b" + Buffer.from("serial/poll").toString("hex") + "00000001" + "00000002" + "000000000000007b");
    expect(polled.vmdesc).toContain(
      '"subsections": [{"vmsd_name": "serial/poll", "version": 1, "fields": [{"name": "poll_msl", "type": "int32", "size": 4}, {"name": "modem_status_poll", "type": "timer", "size": 8}]}]}, "size": 40}',
    );
    const back = load(serialMm, polled.bytes, 3, { serial: createState(serial) });
    expect(back.serial.poll_msl).toBe(2);
    expect(back.serial.modem_status_poll).toBe(123n);
  });
});

describe("arrays", () => {
  const elem = defineVMState({ name: "e", version: 1, fields: { a: uint32, b: uint8 } });
  const withSub = defineVMState({
    name: "w",
    version: 1,
    fields: { x: uint8 },
    subsections: [subsection(defineVMState({ name: "w/s", version: 1, fields: { y: uint8 } }), (s) => s.y !== 0)],
  });
  const desc = defineVMState({
    name: "arrays",
    version: 1,
    fields: {
      regs: array(uint64, 3),
      small: array(int16, 2),
      flags: array(bool, 2),
      structs: array(struct(elem), 2),
      mixed: array(struct(withSub), 2),
      n: uint32,
      items: varray(uint16, "n", { countType: "uint32" }),
      one: array(uint8, 1),
      none: array(uint8, 0),
    },
  });

  it("uses typed arrays for integers and describes compressible arrays once", () => {
    const s = createState(desc);
    expect(s.regs).toBeInstanceOf(BigUint64Array);
    expect(s.small).toBeInstanceOf(Int16Array);
    s.regs.set([1n, 2n, 3n]);
    s.small.set([-1, 2]);
    s.flags = [true, false];
    s.structs = [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ];
    s.mixed = [
      { x: 1, y: 0 },
      { x: 2, y: 9 },
    ];
    s.n = 3;
    s.items = new Uint16Array([7, 8, 9]);
    const { bytes, vmdesc } = save(desc, s);
    expect(vmdesc).toContain('{"name": "regs", "array_len": 3, "type": "uint64", "size": 8}');
    expect(vmdesc).toContain(
      '{"name": "structs", "array_len": 2, "type": "struct", "struct": {"vmsd_name": "e", "version": 1, "fields": [{"name": "a", "type": "uint32", "size": 4}, {"name": "b", "type": "uint8", "size": 1}]}, "size": 5}',
    );
    // A struct with subsections cannot be compressed: each element is described with its index.
    expect(vmdesc).toContain('{"name": "mixed", "index": 0, "type": "struct", "struct": {"vmsd_name": "w", "version": 1, "fields": [{"name": "x", "type": "uint8", "size": 1}]}, "size": 1}');
    expect(vmdesc).toContain('{"name": "mixed", "index": 1, "type": "struct", "struct": {"vmsd_name": "w", "version": 1, "fields": [{"name": "x", "type": "uint8", "size": 1}], "subsections": [{"vmsd_name": "w/s", "version": 1, "fields": [{"name": "y", "type": "uint8", "size": 1}]}]}, "size": 11}');
    expect(vmdesc).toContain('{"name": "items", "array_len": 3, "type": "uint16", "size": 2}');
    expect(vmdesc).toContain('{"name": "one", "type": "uint8", "size": 1}');
    expect(vmdesc).not.toContain('"none"');
    const back = load(desc, bytes, 1);
    expect(back.regs).toEqual(new BigUint64Array([1n, 2n, 3n]));
    expect(back.items).toEqual(new Uint16Array([7, 8, 9]));
    // Elements start from a reset state, so the first element's unsent subsection field is 0.
    expect(back.mixed).toEqual(s.mixed);
    expect(hexOf(save(desc, back).bytes)).toBe(hexOf(bytes));
  });

  it("reads a varray's count from the state loaded so far, and bounds it by the input", () => {
    const d = defineVMState({ name: "v", version: 1, fields: { n: int32, xs: varray(uint32, "n") } });
    expect(load(d, Uint8Array.from([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]), 1).xs).toEqual(new Uint32Array([1, 2]));
    // A negative int32 count reads nothing, as in QEMU.
    expect(load(d, Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 1).xs).toEqual(new Uint32Array(0));
    // A huge count is refused before anything is allocated.
    const r = new ByteReader(Uint8Array.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]));
    expect(() => compile(d).load(r, {} as StateOf<typeof d>, 1)).toThrow(/stream truncated: array of 2147483647 elements/);
  });

  it("writes NULL slots of pointer arrays as the 0x30 marker and expects it back", () => {
    const d = defineVMState({ name: "p", version: 1, fields: { slots: pointerArray(uint32, 3) } });
    const { bytes, vmdesc } = save(d, { slots: [1, null, 3] });
    expect(hexOf(bytes)).toBe("00000001" + "30" + "00000003");
    expect(vmdesc).toContain('{"name": "slots", "array_len": 3, "type": "uint32", "size": 4}');
    expect(load(d, bytes, 1, { slots: [0, null, 0] }).slots).toEqual([1, null, 3]);
    const wrong = bytes.slice();
    wrong[4] = 0x31;
    expect(() => load(d, wrong, 1, { slots: [0, null, 0] })).toThrow(/nullptr marker.*field slots\[1\]/);
  });
});

describe("field existence", () => {
  const d = defineVMState({
    name: "ex",
    version: 3,
    minimumVersion: 1,
    fields: {
      always: uint8,
      since2: field(uint8, { version: 2 }),
      onlyOdd: field<typeof uint8, { always: number }>(uint8, { exists: (s) => s.always % 2 === 1 }),
      validated: field(unused(0), { exists: (_s, v) => v >= 2, mustExist: true }),
    },
  });

  it("follows version_id, field_exists and VMS_MUST_EXIST", () => {
    expect(hexOf(save(d, { always: 1, since2: 2, onlyOdd: 3 }).bytes)).toBe("010203");
    expect(hexOf(save(d, { always: 2, since2: 2, onlyOdd: 3 }).bytes)).toBe("0202");
    expect(load(d, Uint8Array.from([1, 8, 9]), 2)).toEqual({ always: 1, since2: 8, onlyOdd: 9 });
    expect(load(d, Uint8Array.from([2, 8]), 3)).toEqual({ always: 2, since2: 8 });
    // VMSTATE_VALIDATE: at version 1 the check "does not exist", which fails the load.
    expect(() => load(d, Uint8Array.from([1, 9]), 1)).toThrow(/Input validation failed: ex\/validated/);
    expect(() => save(d, { always: 1, since2: 2, onlyOdd: 3 }, 1)).toThrow(/Output state validation failed: ex\/validated/);
  });

  it("describes fields with a predicate one element at a time", () => {
    const a = defineVMState({ name: "a", version: 1, fields: { xs: field<ReturnType<typeof array<typeof uint8>>, never>(array(uint8, 2), { exists: () => true }) } });
    expect(save(a, { xs: new Uint8Array([5, 6]) }).vmdesc).toBe(
      '{"vmsd_name": "a", "version": 1, "fields": [{"name": "xs", "index": 0, "type": "uint8", "size": 1}, {"name": "xs", "index": 1, "type": "uint8", "size": 1}]}',
    );
  });

  it("checks the incoming version against version_id and minimum_version_id", () => {
    expect(() => load(d, Uint8Array.from([1]), 4)).toThrow(/ex: incoming version_id 4 is too new for local version_id 3/);
    expect(() => load(d, Uint8Array.from([1]), 0)).toThrow(/too old for local minimum version_id 1/);
    try {
      load(d, Uint8Array.from([1]), 4);
    } catch (e) {
      expect((e as VmstateError).code).toBe("VERSION_TOO_NEW");
    }
  });
});

describe("subsections", () => {
  const sub = defineVMState({ name: "dev/extra", version: 2, minimumVersion: 1, fields: { extra: uint32 } });
  const other = defineVMState({ name: "dev/other", version: 1, fields: { other: uint8 } });
  const dev = defineVMState({
    name: "dev",
    version: 1,
    fields: { base: uint8 },
    subsections: [subsection(sub, (s) => s.extra !== 0), subsection(other)],
  });
  const header = (name: string, version: number) => [0x05, name.length, ...Buffer.from(name), 0, 0, 0, version];

  it("writes needed subsections in declared order, sharing the parent's state", () => {
    expect(hexOf(save(dev, { base: 1, extra: 0, other: 7 }).bytes)).toBe("01" + hexOf(Uint8Array.from(header("dev/other", 1))) + "07");
    const full = save(dev, { base: 1, extra: 5, other: 7 });
    expect(hexOf(full.bytes)).toBe("01" + hexOf(Uint8Array.from([...header("dev/extra", 2), 0, 0, 0, 5, ...header("dev/other", 1), 7])));
  });

  it("loads subsections in any order, and stops at a name that is not the parent's", () => {
    const bytes = Uint8Array.from([1, ...header("dev/other", 1), 7, ...header("dev/extra", 1), 0, 0, 0, 9]);
    expect(load(dev, bytes, 1)).toEqual({ base: 1, other: 7, extra: 9 });
    // "xyz/..." does not start with "dev": not ours, left for the caller.
    const foreign = Uint8Array.from([1, ...header("xyz/other", 1)]);
    const r = new ByteReader(foreign);
    compile(dev).load(r, {} as StateOf<typeof dev>, 1);
    expect(r.pos).toBe(1);
    // A length shorter than the parent's name + 1 is not a subsection either.
    const short = new ByteReader(Uint8Array.from([1, 5, 2, 0x64, 0x65]));
    compile(dev).load(short, {} as StateOf<typeof dev>, 1);
    expect(short.pos).toBe(1);
  });

  it("fails on an unknown subsection of ours and on a version out of range", () => {
    expect(() => load(dev, Uint8Array.from([1, ...header("dev/unknown", 1)]), 1)).toThrow(/dev: unknown subsection dev\/unknown/);
    expect(() => load(dev, Uint8Array.from([1, ...header("dev/extra", 3), 0, 0, 0, 1]), 1)).toThrow(/dev\/extra: incoming version_id 3 is too new/);
  });

  it("reads the subsection version as QEMU does, into a uint8", () => {
    const bytes = Uint8Array.from([1, 0x05, 9, ...Buffer.from("dev/extra"), 0, 0, 1, 2, 0, 0, 0, 4]);
    expect(load(dev, bytes, 1).extra).toBe(4); // 0x102 -> 2
  });
});

describe("hooks", () => {
  it("runs them in QEMU's order, post_load after subsections, post_save even on failure", () => {
    const log: string[] = [];
    const sub = defineVMState({
      name: "h/s",
      version: 1,
      fields: { y: uint8 },
      preLoad: () => log.push("sub pre_load"),
      postLoad: () => log.push("sub post_load"),
    });
    const d = defineVMState({
      name: "h",
      version: 1,
      fields: { x: uint8 },
      subsections: [subsection(sub)],
      preSave: () => log.push("pre_save"),
      postSave: () => log.push("post_save"),
      preLoad: () => log.push("pre_load"),
      postLoad: (_s, v) => log.push(`post_load v${v}`),
    });
    const { bytes } = save(d, { x: 1, y: 2 });
    load(d, bytes, 1);
    expect(log).toEqual(["pre_save", "post_save", "pre_load", "sub pre_load", "sub post_load", "post_load v1"]);
    log.length = 0;
    expect(() => save(d, { x: 300, y: 2 })).toThrow(/does not fit/);
    expect(log).toEqual(["pre_save", "post_save"]);
  });

  it("reports a throwing hook as a typed error", () => {
    const d = defineVMState({
      name: "bad",
      version: 1,
      fields: { x: uint8 },
      postLoad: () => {
        throw new Error("table corrupt");
      },
    });
    try {
      load(d, Uint8Array.from([1]), 1);
      expect.unreachable();
    } catch (e) {
      expect(isVmstateError(e) && e.code).toBe("HOOK_FAILED");
      expect((e as Error).message).toContain("post_load of bad failed: table corrupt");
    }
  });
});

describe("checks and special kinds", () => {
  it("enforces *_equal and int32 le against the loading side's values", () => {
    const d = defineVMState({ name: "c", version: 1, fields: { n: int32Equal, big: uint64Equal, le: int32Le } });
    const bytes = save(d, { n: 4, big: 9n, le: 3 }).bytes;
    expect(load(d, bytes, 1, { n: 4, big: 9n, le: 5 })).toEqual({ n: 4, big: 9n, le: 3 });
    expect(() => load(d, bytes, 1, { n: 5, big: 9n, le: 5 })).toThrow(/int32 equal check failed: received 0x4 != local 0x5.*field n/);
    expect(() => load(d, bytes, 1, { n: 4, big: 9n, le: 2 })).toThrow(/int32 le check failed.*field le/);
    expect(save(d, { n: 4, big: 9n, le: 3 }).vmdesc).toContain('"type": "int64 equal"');
  });

  it("sizes vbuffers and bitmaps from other fields; bitmaps travel as be64 words", () => {
    const d = defineVMState({ name: "vb", version: 1, fields: { len: int32, data: vbuffer("len"), bits: int32, map: bitmap("bits") } });
    const state = { len: 3, data: new Uint8Array([9, 8, 7]), bits: 70, map: new Uint8Array(16) };
    state.map[0] = 0b101; // bits 0 and 2
    state.map[8] = 0b10; // bit 65
    const { bytes, vmdesc } = save(d, state);
    expect(hexOf(bytes)).toBe("00000003" + "090807" + "00000046" + "0000000000000005" + "0000000000000002");
    expect(vmdesc).toContain('{"name": "map", "type": "bitmap", "size": 16}');
    expect(load(d, bytes, 1)).toEqual(state);
  });

  it("encodes qtailq elements between 01 markers and a final 00", () => {
    const el = defineVMState({ name: "el", version: 1, fields: { v: uint16 } });
    const d = defineVMState({ name: "q", version: 1, fields: { list: qtailq(el) } });
    const { bytes, vmdesc } = save(d, { list: [{ v: 1 }, { v: 2 }] });
    expect(hexOf(bytes)).toBe("01000101000200");
    expect(vmdesc).toBe(
      '{"vmsd_name": "q", "version": 1, "fields": [{"name": "list", "type": "qtailq", "vmsd_name": "el", "version": 1, "fields": [{"name": "v", "type": "uint16", "size": 2}], "vmsd_name": "el", "version": 1, "fields": [{"name": "v", "type": "uint16", "size": 2}], "size": 7}]}',
    );
    expect(load(d, bytes, 1)).toEqual({ list: [{ v: 1 }, { v: 2 }] });
    expect(() => load(d, Uint8Array.from([2]), 1)).toThrow(/qtailq marker 0x2/);
  });

  it("saves a VMSTATE_WITH_TMP through its temporary and writes its keys inline", () => {
    type Parent = { hi: number; lo: number };
    const tmpDesc = defineVMState({ name: "tmp-pair", version: 1, fields: { both: uint32 } });
    const d = defineVMState({
      name: "t",
      version: 1,
      fields: {
        hi: uint16,
        lo: uint16,
        tmp: withTmp(
          tmpDesc,
          (p: Parent) => ({ both: ((p.hi << 16) | p.lo) >>> 0 }),
          (p: Parent, t) => {
            p.hi = t.both >>> 16;
            p.lo = t.both & 0xffff;
          },
        ),
      },
    });
    const { bytes, vmdesc } = save(d, { hi: 1, lo: 2 });
    expect(hexOf(bytes)).toBe("0001" + "0002" + "00010002");
    expect(vmdesc).toContain('{"name": "tmp", "type": "tmp", "vmsd_name": "tmp-pair", "version": 1, "fields": [{"name": "both", "type": "uint32", "size": 4}], "size": 4}');
    const back = load(d, Uint8Array.from([0, 0, 0, 0, 0, 3, 0, 4]), 1);
    expect(back).toEqual({ hi: 3, lo: 4 });
  });

  it("writes a vstruct's keys into the field object with its own version", () => {
    const child = defineVMState({ name: "child", version: 5, fields: { a: uint8, b: field(uint8, { version: 4 }) } });
    const d = defineVMState({ name: "vs", version: 1, fields: { c: vstruct(child, 3) } });
    const { bytes, vmdesc } = save(d, { c: { a: 1, b: 2 } });
    expect(hexOf(bytes)).toBe("01");
    expect(vmdesc).toBe('{"vmsd_name": "vs", "version": 1, "fields": [{"name": "c", "type": "vstruct", "vmsd_name": "child", "version": 3, "fields": [{"name": "a", "type": "uint8", "size": 1}], "size": 1}]}');
  });

  it("names duplicate field names the way the vmdesc does", () => {
    const d = defineVMState({ name: "dup", version: 1, fields: { u0: unused(1), x: uint8, u1: field(unused(2), { name: "u0" }) } });
    const vmdesc = save(d, { x: 1 }).vmdesc;
    expect(vmdesc).toContain('{"name": "u0[0]", "type": "unused_buffer", "size": 1}');
    expect(vmdesc).toContain('{"name": "u0[1]", "type": "unused_buffer", "size": 2}');
  });
});

describe("errors name where they happen", () => {
  it("gives the field path through structs, arrays and subsections, and the offset", () => {
    const leaf = defineVMState({ name: "leaf", version: 1, fields: { v: uint32 } });
    const sub = defineVMState({ name: "top/sub", version: 1, fields: { entries: array(struct(leaf), 2) } });
    const top = defineVMState({ name: "top", version: 1, fields: { a: uint8 }, subsections: [subsection(sub)] });
    const bytes = save(top, { a: 1, entries: [{ v: 1 }, { v: 2 }] }).bytes;
    try {
      load(top, bytes.subarray(0, bytes.length - 2), 1);
      expect.unreachable();
    } catch (e) {
      expect(isVmstateError(e)).toBe(true);
      const err = e as VmstateError;
      expect(err.code).toBe("STREAM_TRUNCATED");
      expect(err.fieldPath).toBe("top/sub/entries[1].v");
      expect(err.offset).toBe(bytes.length - 4);
      expect(err.message).toMatch(/field top\/sub\/entries\[1\]\.v, offset 0x/);
    }
  });

  it("refuses a description whose varray count field does not exist", () => {
    expect(() => defineVMState({ name: "bad", version: 1, fields: { xs: varray(uint8, "missing") } })).toThrow(/count field missing is neither a field nor a local of bad/);
    // Declared as a local (state read but not migrated), it is fine.
    const fifo = defineVMState({ name: "Fifo8", version: 1, minimumVersion: 1, locals: ["capacity"], fields: { data: vbuffer("capacity"), head: uint32, num: uint32 } });
    const w = new ByteWriter();
    compile(fifo).save(w, { capacity: 2, data: Uint8Array.from([7, 8]), head: 0, num: 1 }, null);
    expect(hexOf(w.result())).toBe("0708" + "00000000" + "00000001");
  });
});
