import { isVmstateError, StateLoadError } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { encodeCte, encodeDte, encodeIte } from "./abi.js";
import { createItsState, type ItsState } from "./descriptions.js";
import { ItsTableError } from "./errors.js";
import { GITS_BASER, GITS_CTLR, type GicV3Its } from "./its.js";
import { bringUp, COLLECTION_TABLE, DEVICE_TABLE, enableLpis, FakeRam, ittOf, mapL2Page, queue, rig, setupIts, type Rig } from "./test-kit.test-helper.js";

/** A saved source: the bring-up of test-kit, its tables written by a save. */
function saved(prepare: (r: Rig) => void = bringUp): Rig {
  const r = rig();
  prepare(r);
  r.its.beforeSave();
  const report = r.its.saveTables("paused");
  expect(report.ok).toBe(true);
  return r;
}

/** A fresh ITS loading the source's registers over its RAM, changed by `corrupt` first. */
function load(src: Rig, corrupt: (ram: FakeRam, state: ItsState) => void): { its: GicV3Its; error: unknown } {
  const ram = src.ram.clone();
  const state = createItsState();
  state.ctlr = src.its.state.ctlr;
  state.iidr = src.its.state.iidr;
  state.cbaser = src.its.state.cbaser;
  state.cwriter = src.its.state.cwriter;
  state.creadr = src.its.state.creadr;
  state.baser.set(src.its.state.baser);
  corrupt(ram, state);
  const dst = rig(2, ram, state);
  try {
    dst.its.loaded();
    return { its: dst.its, error: undefined };
  } catch (error) {
    return { its: dst.its, error };
  }
}

function expectTableError(result: { its: GicV3Its; error: unknown }, where: Partial<ItsTableError>, message: RegExp): void {
  const { error, its } = result;
  expect(error).toBeInstanceOf(ItsTableError);
  expect(error).toBeInstanceOf(StateLoadError);
  expect(isVmstateError(error)).toBe(true);
  expect(error).toMatchObject({ code: "BAD_FIELD_VALUE", ...where });
  expect((error as Error).message).toMatch(message);
  // Nothing half-restored is left behind.
  expect(its.mappings()).toEqual([]);
  expect(its.collectionTargets().size).toBe(0);
}

const CTE = (i: number) => COLLECTION_TABLE + i * 8;
const DTE = (id: number) => DEVICE_TABLE + id * 8;
const ITE = (dev: number, ev: number) => ittOf(dev) + ev * 8;

describe("restoring corrupt tables", () => {
  it("restores the uncorrupted tables (the baseline)", () => {
    const src = saved();
    const { its, error } = load(src, () => {});
    expect(error).toBeUndefined();
    expect(its.mappings()).toEqual(src.its.mappings());
  });

  it("a CTE whose RDBase is not a CPU", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(CTE(1), encodeCte({ valid: true, rdbase: 7, icid: 1 }))),
      { table: "collection", index: 1, addr: CTE(1) },
      /^ITS collection table, entry 1 at 0x40120008: RDBase 7 is not a CPU \(the GIC has 2\)$/,
    );
  });

  it("a collection that appears twice", () => {
    const src = saved();
    expectTableError(load(src, (ram) => ram.setU64(CTE(1), ram.u64(CTE(0)))), { table: "collection", index: 1 }, /collection 0 appears twice/);
  });

  it("an ICID that does not fit the collection table", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(CTE(2), encodeCte({ valid: true, rdbase: 0, icid: 9000 }))),
      { table: "collection", index: 2 },
      /ICID 9000 does not fit the collection table \(8192 entries\)/,
    );
  });

  it("a DTE with more EventID bits than the ITS has", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(DTE(0x10), encodeDte({ valid: true, next: 26, ittAddr: ittOf(0x10), size: 20 }))),
      { table: "device", index: 0x10, addr: DTE(0x10) },
      /ITS device table, entry 16 at 0x40100080: 21 EventID bits is more than 16/,
    );
  });

  it("an ITE whose pINTID is not an LPI", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(ITE(0x10, 1), encodeIte({ next: 1, intid: 100, icid: 0 }))),
      { table: "itt", deviceId: 0x10, index: 1, addr: ITE(0x10, 1) },
      /^ITS ITT of device 16, entry 1 at 0x40150008: pINTID 100 is not an LPI/,
    );
  });

  it("an ITE naming a collection the table does not have", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(ITE(0x2a, 1), encodeIte({ next: 0, intid: 8300, icid: 5 }))),
      { table: "itt", deviceId: 0x2a, index: 1 },
      /ICID 5 is not in the collection table/,
    );
  });

  it("an ITE whose next step leaves the device's EventIDs", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(ITE(0x10, 7), encodeIte({ next: 30, intid: 9000, icid: 1 }))),
      { table: "itt", deviceId: 0x10, index: 7 },
      /next EventID 37 is beyond the device's 32 EventIDs/,
    );
  });

  it("an ITT outside guest RAM", () => {
    const src = saved();
    expectTableError(
      load(src, (ram) => ram.setU64(DTE(0x2a), encodeDte({ valid: true, next: 0, ittAddr: 0x7000_0000, size: 2 }))),
      { table: "itt", deviceId: 0x2a, index: 0, addr: 0x7000_0000 },
      /ITT of device 42, entry 0 at 0x70000000: the entry is not in guest RAM/,
    );
  });

  it("a device table outside guest RAM", () => {
    const src = saved();
    expectTableError(
      load(src, (_ram, state) => void (state.baser[0] = (1n << 63n) | (0x0107n << 48n) | (2n << 8n) | 0x8000_0000n)),
      { table: "device", index: 0, addr: 0x8000_0000 },
      /device table, entry 0 at 0x80000000: the entry is not in guest RAM/,
    );
  });

  it("a level-1 entry pointing outside guest RAM, in a two-level device table", () => {
    const src = saved((r) => {
      enableLpis(r, 0);
      setupIts(r, { indirect: true });
      mapL2Page(r, 2);
      queue(r, { op: "MAPC", icid: 0, rdbase: 0, valid: true }, { op: "MAPD", deviceId: 2 * 8192 + 5, ittAddr: ittOf(1), size: 0, valid: true });
    });
    expectTableError(
      load(src, (ram) => ram.setU64(DEVICE_TABLE + 2 * 8, (1n << 63n) | 0x7000_0000n)),
      { table: "device", index: 2 * 8192, addr: 0x7000_0000 },
      /not in guest RAM/,
    );
  });

  it("an IIDR asking for an ABI revision KVM does not have, and a CREADR outside the queue", () => {
    const src = saved();
    const iidr = load(src, (_ram, state) => void (state.iidr = 0x4b00143b));
    expect(iidr.error).toBeInstanceOf(StateLoadError);
    expect(iidr.error).toMatchObject({ code: "BAD_FIELD_VALUE", fieldPath: "iidr" });
    expect((iidr.error as Error).message).toMatch(/ABI revision 1/);
    const creadr = load(src, (_ram, state) => void (state.creadr = 0x2000n));
    expect(creadr.error).toMatchObject({ code: "BAD_FIELD_VALUE", fieldPath: "creadr" });
  });

  it("a save of a DeviceID that no longer fits its table is reported, not thrown", () => {
    const r = rig();
    bringUp(r);
    queue(r, { op: "MAPD", deviceId: 0x1ff0, ittAddr: ittOf(1), size: 0, valid: true });
    r.its.write(GITS_CTLR, 4, 0n);
    r.its.write(GITS_BASER, 8, (1n << 63n) | BigInt(DEVICE_TABLE)); // one 4 KiB page: 512 DeviceIDs, still valid
    expect(r.its.deviceTable().numEntries).toBe(512);
    const report = r.its.saveTables("paused");
    expect(report).toMatchObject({ ok: false, devices: 2, collections: 0 });
    expect(report.error).toMatchObject({ code: "IO_ERROR", table: "device", index: 0x1ff0 });
    expect(r.saveErrors).toEqual([report.error]);
    expect(report.error!.message).toMatch(/DeviceID 8176 does not fit the device table \(512 entries\)/);
  });
});
