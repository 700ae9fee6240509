import { describe, expect, it } from "vitest";
import { encodeCommand } from "./abi.js";
import {
  GITS_BASER,
  GITS_CBASER,
  GITS_CREADR,
  GITS_CTLR,
  GITS_CWRITER,
  GITS_IIDR,
  GITS_TRANSLATER,
  GITS_TYPER,
  tableGeometry,
} from "./its.js";
import {
  bringUp,
  COLLECTION_TABLE,
  COMMAND_QUEUE,
  DEVICE_TABLE,
  drain,
  enableLpis,
  ittOf,
  mapL2Page,
  queue,
  rig,
  setLpiConfig,
  setupIts,
} from "./test-kit.test-helper.js";

describe("ITS registers", () => {
  it("reads KVM's TYPER, IIDR and ID registers, and is quiescent at reset", () => {
    const { its } = rig();
    expect(its.read(GITS_TYPER, 8)).toBe(0x1ef71n);
    expect(its.read(GITS_TYPER, 4)).toBe(0x1ef71n);
    expect(its.read(GITS_TYPER + 4, 4)).toBe(0n);
    expect(its.read(GITS_IIDR, 4)).toBe(0x4b00043bn);
    expect(its.read(GITS_CTLR, 4)).toBe(0x80000000n);
    expect(its.read(0xffe0, 4)).toBe(0x92n); // PIDR0
    expect(its.read(0xffe8, 4)).toBe(0x3bn); // PIDR2: GICv3
    expect(its.read(0xfffc, 4)).toBe(0xb1n); // CIDR3
    expect(its.state.iidr).toBe(0x4b00043b);
  });

  it("has a device and a collection BASER with read-only type and entry size, the others RAZ/WI", () => {
    const { its } = rig();
    expect(its.read(GITS_BASER, 8)).toBe(0x0107_0000_0000_0200n);
    expect(its.read(GITS_BASER + 8, 8)).toBe(0x0407_0000_0000_0200n);
    its.write(GITS_BASER, 8, 0x8000_0000_4010_0000n); // the guest leaves Type and EntrySize 0
    expect(its.read(GITS_BASER, 8)).toBe(0x8107_0000_4010_0000n);
    its.write(GITS_BASER + 8 + 4, 4, 0xc000_0000n); // high half, Indirect set: cleared for collections
    expect(its.read(GITS_BASER + 8, 8)).toBe(0x8407_0000_0000_0200n);
    its.write(GITS_BASER + 16, 8, 0x8000_0000_4010_0000n);
    expect(its.read(GITS_BASER + 16, 8)).toBe(0n);
  });

  it("derives the tables as QEMU does: page sizes, flat and two-level sizes, capped at 2^16 IDs", () => {
    const flat4k = tableGeometry(0x8107_0000_4090_0000n, 16);
    expect(flat4k).toMatchObject({ valid: true, indirect: false, base: 0x40900000, pageSize: 4096, bytes: 4096, entrySize: 8, numEntries: 512 });
    const twoLevel = tableGeometry(0xc107_0000_4010_0201n, 16);
    expect(twoLevel).toMatchObject({ indirect: true, pageSize: 0x10000, bytes: 0x20000, numEntries: 65536 });
    expect(tableGeometry(0x0107_0000_4010_0200n, 16).numEntries).toBe(0);
    // 64 KiB pages carry PA[51:48] in bits [15:12].
    expect(tableGeometry(0x8107_0000_4010_3200n, 16).base).toBe(0x3_0000_4010_0000);
  });

  it("ignores BASER and CBASER writes while enabled; a CBASER write empties the queue", () => {
    const r = rig();
    bringUp(r);
    const before = r.its.read(GITS_BASER, 8);
    r.its.write(GITS_BASER, 8, 0n);
    r.its.write(GITS_CBASER, 8, 0n);
    expect(r.its.read(GITS_BASER, 8)).toBe(before);
    expect(r.guestErrors).toHaveLength(2);
    expect(r.its.read(GITS_CREADR, 8)).toBe(r.its.read(GITS_CWRITER, 8));
    r.its.write(GITS_CTLR, 4, 0n);
    r.its.write(GITS_CBASER, 8, (1n << 63n) | BigInt(COMMAND_QUEUE));
    expect(r.its.read(GITS_CREADR, 8)).toBe(0n);
    expect(r.its.read(GITS_CWRITER, 8)).toBe(0n);
  });

  it("accepts 4- and 8-byte control-frame accesses only; other widths and offsets are RAZ/WI and logged", () => {
    const r = rig();
    expect(r.its.read(GITS_CTLR, 2)).toBe(0n);
    expect(r.its.read(GITS_CTLR, 8)).toBe(0n);
    expect(r.its.read(0x40, 4)).toBe(0n);
    r.its.write(GITS_TYPER, 8, 0n);
    r.its.write(GITS_CREADR, 8, 0x20n);
    expect(r.its.read(GITS_CREADR, 8)).toBe(0n);
    expect(r.guestErrors).toHaveLength(5);
    expect(r.its.read(GITS_TRANSLATER, 4)).toBe(0n);
  });

  it("keeps translations in the device: commands write nothing into the device table, ITTs or collection table", () => {
    const r = rig();
    bringUp(r);
    expect(r.failures).toEqual([]);
    expect(r.ram.isZero(DEVICE_TABLE, 0x10000)).toBe(true);
    expect(r.ram.isZero(COLLECTION_TABLE, 0x10000)).toBe(true);
    expect(r.ram.isZero(ittOf(0x10), 0x1000)).toBe(true);
    expect(r.its.mappings()).toEqual([
      { deviceId: 0x10, eventId: 0, intid: 8192, icid: 0, cpu: 0 },
      { deviceId: 0x10, eventId: 1, intid: 8193, icid: 0, cpu: 0 },
      { deviceId: 0x10, eventId: 2, intid: 8194, icid: 0, cpu: 0 },
      { deviceId: 0x10, eventId: 7, intid: 9000, icid: 1, cpu: 1 },
      { deviceId: 0x2a, eventId: 1, intid: 8300, icid: 1, cpu: 1 },
    ]);
  });
});

describe("ITS commands", () => {
  it("INT and MSIs make the mapped LPI pending on its collection's CPU; acknowledge takes the highest priority", () => {
    const r = rig();
    bringUp(r);
    setLpiConfig(r, 8194, true, 0x20);
    queue(r, { op: "INT", deviceId: 0x10, eventId: 0 }, { op: "INT", deviceId: 0x10, eventId: 2 });
    r.its.write(GITS_TRANSLATER, 4, 7n, 0x10); // MSI: device 0x10, event 7
    expect(r.its.sendMsi(0x2a, 1)).toBe(true);
    expect(r.redist.pendingLpis(0)).toEqual([8192, 8194]);
    expect(r.redist.pendingLpis(1)).toEqual([8300, 9000]);
    expect(r.redist.irqLevel(0)).toBe(true);
    expect(drain(r, 0)).toEqual([8194, 8192]); // priority 0x20 before 0xa0
    expect(drain(r, 1)).toEqual([8300, 9000]);
    expect(r.lines).toEqual([
      [0, true],
      [1, true],
      [0, false],
      [1, false],
    ]);
  });

  it("drops an MSI for an unmapped event, or while disabled", () => {
    const r = rig();
    bringUp(r);
    expect(r.its.sendMsi(0x10, 3)).toBe(false);
    expect(r.its.sendMsi(0x11, 0)).toBe(false);
    r.its.write(GITS_CTLR, 4, 0n);
    expect(r.its.sendMsi(0x10, 0)).toBe(false);
    expect(r.redist.pendingLpis(0)).toEqual([]);
  });

  it("CLEAR and DISCARD remove the pending state; DISCARD also the ITE, zeroing its slot in guest RAM", () => {
    const r = rig();
    bringUp(r);
    r.its.sendMsi(0x10, 0);
    r.its.sendMsi(0x10, 1);
    r.ram.setU64(ittOf(0x10) + 8, 0xdead_beefn); // stale content from an earlier save
    queue(r, { op: "CLEAR", deviceId: 0x10, eventId: 0 }, { op: "DISCARD", deviceId: 0x10, eventId: 1 });
    expect(r.redist.pendingLpis(0)).toEqual([]);
    expect(r.its.translate(0x10, 1)).toBeUndefined();
    expect(r.its.translate(0x10, 0)).toEqual({ intid: 8192, cpu: 0 });
    expect(r.ram.u64(ittOf(0x10) + 8)).toBe(0n);
  });

  it("INV and INVALL make a changed property table take effect", () => {
    const r = rig();
    bringUp(r);
    setLpiConfig(r, 8192, false, 0xa0);
    queue(r, { op: "INV", deviceId: 0x10, eventId: 0 });
    r.its.sendMsi(0x10, 0);
    expect(r.redist.pendingLpis(0)).toEqual([8192]);
    expect(r.redist.irqLevel(0)).toBe(false); // pending but disabled
    setLpiConfig(r, 8192, true, 0xa0);
    queue(r, { op: "INVALL", icid: 0 });
    expect(r.redist.irqLevel(0)).toBe(true);
    expect(r.redist.acknowledge(0)).toBe(8192);
  });

  it("MOVI retargets an event and moves its pending state; MOVALL moves every pending LPI", () => {
    const r = rig();
    bringUp(r);
    r.its.sendMsi(0x10, 0);
    queue(r, { op: "MOVI", deviceId: 0x10, eventId: 0, icid: 1 });
    expect(r.redist.pendingLpis(0)).toEqual([]);
    expect(r.redist.pendingLpis(1)).toEqual([8192]);
    expect(r.its.translate(0x10, 0)).toEqual({ intid: 8192, cpu: 1 });
    r.its.sendMsi(0x2a, 1);
    queue(r, { op: "MOVALL", rdbase1: 1, rdbase2: 0 });
    expect(r.redist.pendingLpis(0)).toEqual([8192, 8300]);
    expect(r.redist.pendingLpis(1)).toEqual([]);
    expect(r.failures).toEqual([]);
  });

  it("MAPC retargets a collection; unmapping it keeps the ITEs but stops delivery", () => {
    const r = rig();
    bringUp(r);
    queue(r, { op: "MAPC", icid: 0, rdbase: 1, valid: true });
    r.its.sendMsi(0x10, 2);
    expect(r.redist.pendingLpis(1)).toEqual([8194]);
    queue(r, { op: "MAPC", icid: 0, rdbase: 0, valid: false });
    expect(r.its.sendMsi(0x10, 2)).toBe(false);
    expect(r.its.collectionTargets()).toEqual(
      new Map([
        [0, undefined],
        [1, 1],
      ]),
    );
    expect(r.its.mappings()[0]).toEqual({ deviceId: 0x10, eventId: 0, intid: 8192, icid: 0, cpu: undefined });
  });

  it("MAPI maps an event to the LPI of the same number; MAPTI of an unknown collection creates it unmapped", () => {
    const r = rig();
    bringUp(r);
    queue(r, { op: "MAPD", deviceId: 3, ittAddr: ittOf(3), size: 15, valid: true }, { op: "MAPI", deviceId: 3, eventId: 8500, icid: 9 });
    expect(r.its.translate(3, 8500)).toBeUndefined();
    expect(r.its.collectionTargets().get(9)).toBeUndefined();
    expect(r.its.collectionTargets().has(9)).toBe(true);
    queue(r, { op: "MAPC", icid: 9, rdbase: 0, valid: true });
    expect(r.its.translate(3, 8500)).toEqual({ intid: 8500, cpu: 0 });
  });

  it("MAPD V=0 unmaps the device and zeroes its DTE; remapping drops the old ITEs", () => {
    const r = rig();
    bringUp(r);
    r.ram.setU64(DEVICE_TABLE + 0x2a * 8, 0x8000_0000_0000_1234n);
    queue(r, { op: "MAPD", deviceId: 0x2a, ittAddr: 0, size: 0, valid: false });
    expect(r.its.translate(0x2a, 1)).toBeUndefined();
    expect(r.ram.u64(DEVICE_TABLE + 0x2a * 8)).toBe(0n);
    queue(r, { op: "MAPD", deviceId: 0x10, ittAddr: ittOf(0x10), size: 4, valid: true });
    expect(r.its.mappings()).toEqual([]);
  });

  it("reports bad parameters and goes on with the queue", () => {
    const r = rig();
    bringUp(r);
    queue(
      r,
      { op: "MAPTI", deviceId: 0x11, eventId: 0, intid: 8192, icid: 0 }, // device not mapped
      { op: "MAPTI", deviceId: 0x10, eventId: 32, intid: 8192, icid: 0 }, // beyond 5 EventID bits
      { op: "MAPTI", deviceId: 0x10, eventId: 3, intid: 100, icid: 0 }, // not an LPI
      { op: "MAPC", icid: 2, rdbase: 2, valid: true }, // no CPU 2
      { op: "MAPD", deviceId: 0x12, ittAddr: ittOf(0x12), size: 16, valid: true }, // 17 EventID bits
      { op: "MAPD", deviceId: 0x2000, ittAddr: ittOf(1), size: 1, valid: true }, // beyond the 8192-entry table
      { op: "INT", deviceId: 0x10, eventId: 3 },
      { op: "MOVALL", rdbase1: 0, rdbase2: 5 },
      { op: "INT", deviceId: 0x10, eventId: 0 },
    );
    expect(r.failures.map((f) => [f.command, f.stalled])).toEqual([
      ["MAPTI", false],
      ["MAPTI", false],
      ["MAPTI", false],
      ["MAPC", false],
      ["MAPD", false],
      ["MAPD", false],
      ["INT", false],
      ["MOVALL", false],
    ]);
    expect(r.failures[0]!.reason).toMatch(/DeviceID 17 is not mapped/);
    expect(r.redist.pendingLpis(0)).toEqual([8192]);
    expect(r.its.read(GITS_CREADR, 8)).toBe(r.its.read(GITS_CWRITER, 8));
  });

  it("stalls on a command outside guest RAM and keeps CREADR there; a CBASER rewrite clears the stall", () => {
    const r = rig();
    enableLpis(r, 0);
    setupIts(r);
    r.its.write(GITS_CTLR, 4, 0n);
    r.its.write(GITS_CBASER, 8, (1n << 63n) | 0x1000_0000n); // not RAM
    r.its.write(GITS_CTLR, 4, 1n);
    r.its.write(GITS_CWRITER, 8, 0x40n);
    expect(r.its.read(GITS_CREADR, 8)).toBe(1n); // offset 0, Stalled
    expect(r.failures).toEqual([expect.objectContaining({ stalled: true })]);
    r.its.write(GITS_CTLR, 4, 0n);
    r.its.write(GITS_CBASER, 8, (1n << 63n) | BigInt(COMMAND_QUEUE));
    expect(r.its.read(GITS_CREADR, 8)).toBe(0n);
  });

  it("processes the queue when the ITS is enabled, and wraps around the end of the queue", () => {
    const r = rig(1);
    enableLpis(r, 0);
    setupIts(r);
    for (let i = 0; i < 126; i++) queue(r, { op: "SYNC", rdbase: 0 });
    expect(r.its.read(GITS_CREADR, 8)).toBe(126n * 32n);
    r.its.write(GITS_CTLR, 4, 0n);
    // Written while disabled, in slots 126, 127 and 0: not processed yet.
    queue(
      r,
      { op: "MAPC", icid: 0, rdbase: 0, valid: true },
      { op: "MAPD", deviceId: 1, ittAddr: ittOf(1), size: 0, valid: true },
      { op: "MAPTI", deviceId: 1, eventId: 1, intid: 8195, icid: 0 },
    );
    expect(r.its.mappings()).toEqual([]);
    r.its.write(GITS_CTLR, 4, 1n);
    expect(r.its.translate(1, 1)).toEqual({ intid: 8195, cpu: 0 });
    expect(r.its.read(GITS_CREADR, 8)).toBe(0x20n);
  });

  it("uses a two-level device table: a DeviceID needs a valid level-1 entry", () => {
    const r = rig();
    enableLpis(r, 0);
    setupIts(r, { indirect: true });
    mapL2Page(r, 1); // DeviceIDs 8192..16383
    queue(
      r,
      { op: "MAPC", icid: 0, rdbase: 0, valid: true },
      { op: "MAPD", deviceId: 5, ittAddr: ittOf(5), size: 1, valid: true },
      { op: "MAPD", deviceId: 8200, ittAddr: ittOf(6), size: 1, valid: true },
      { op: "MAPTI", deviceId: 8200, eventId: 1, intid: 8888, icid: 0 },
    );
    expect(r.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/level-1 device table entry for DeviceID 5 is not valid/)]);
    expect(r.its.translate(8200, 1)).toEqual({ intid: 8888, cpu: 0 });
  });

  it("encodes commands as QEMU and Linux lay them out", () => {
    const mapti = new DataView(encodeCommand({ op: "MAPTI", deviceId: 0x1234, eventId: 5, intid: 8200, icid: 3 }).buffer);
    expect(mapti.getBigUint64(0, true)).toBe(0x0000_1234_0000_000an);
    expect(mapti.getBigUint64(8, true)).toBe(0x0000_2008_0000_0005n);
    expect(mapti.getBigUint64(16, true)).toBe(3n);
    const mapd = new DataView(encodeCommand({ op: "MAPD", deviceId: 1, ittAddr: 0x4090_3000, size: 4, valid: true }).buffer);
    expect(mapd.getBigUint64(16, true)).toBe(0x8000_0000_4090_3000n);
    const mapc = new DataView(encodeCommand({ op: "MAPC", icid: 7, rdbase: 1, valid: true }).buffer);
    expect(mapc.getBigUint64(16, true)).toBe(0x8000_0000_0001_0007n);
  });
});

describe("redistributor LPIs", () => {
  it("ignores LPIs while disabled or beyond PROPBASER.IDbits, and writes pending state back when LPIs are disabled", () => {
    const r = rig(1);
    r.redist.setLpiPending(0, 8192, true);
    expect(r.redist.pendingLpis(0)).toEqual([]);
    enableLpis(r, 0, { idBits: 14 });
    r.redist.setLpiPending(0, 16384, true); // 2^14: beyond
    r.redist.setLpiPending(0, 8193, true);
    expect(r.redist.pendingLpis(0)).toEqual([8193]);
    r.redist.writeCtlr(0, 0);
    expect(r.redist.pendingLpis(0)).toEqual([]);
    expect(r.ram.read(0x4030_0000 + 1024, 1)[0]).toBe(0b10);
    r.redist.writeCtlr(0, 1);
    expect(r.redist.pendingLpis(0)).toEqual([8193]);
  });
});
