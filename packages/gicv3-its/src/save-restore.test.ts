import { ByteReader, ByteWriter, compile, createState, Machine, migrate, RunStateMachine, VmControl, type ByteSink, type Description } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { decodeCte, decodeDte, decodeIte } from "./abi.js";
import { createGicv3State, gicv3Description, itsDescription, type Gicv3State, type ItsState } from "./descriptions.js";
import { attachGicv3Its } from "./machine.js";
import {
  bringUp,
  COLLECTION_TABLE,
  DEVICE_TABLE,
  drain,
  ittOf,
  mapL2Page,
  queue,
  RAM_BASE,
  RAM_SIZE,
  rig,
  setupIts,
  enableLpis,
  type Guest,
  type Rig,
} from "./test-kit.test-helper.js";

/** A state through its description's bytes, as migration carries it. */
function roundTrip<S extends object>(desc: Description<S>, state: S, fresh: S, beforeSave?: () => void): S {
  beforeSave?.();
  const w = new ByteWriter();
  compile(desc).save(w, state, null);
  compile(desc).load(new ByteReader(w.result()), fresh, desc.version);
  return fresh;
}

/** A source GIC + ITS on 2 CPUs with its own `arm_gicv3` state and a VM to stop. */
function source(): Rig & { gic: Gicv3State; vm: VmControl } {
  const gic = createGicv3State(2);
  const r = rig(gic.cpu);
  const vm = new VmControl({ machine: new RunStateMachine({ initial: "running" }) });
  r.redist.registerStopHandler(vm.handlers);
  r.its.registerStopHandler(vm.handlers);
  return { ...r, gic, vm };
}

/** A fresh GIC + ITS loading the source's states and a copy of its RAM, as a destination would. */
function restore(src: Rig & { gic: Gicv3State }): Rig {
  const gic = roundTrip(gicv3Description, src.gic, createGicv3State(2));
  const its = roundTrip(itsDescription, src.its.state, createState(itsDescription) as ItsState, () => src.its.beforeSave());
  const dst = rig(gic.cpu, src.ram.clone(), its);
  // In stream order: arm_gicv3 (priority GICV3) before arm_gicv3_its.
  dst.redist.loaded();
  dst.its.loaded();
  return dst;
}

/** What a guest sees afterwards: every mapped event fired once, drained CPU by CPU. */
function deliveries(r: Guest): number[][] {
  for (const m of r.its.mappings()) r.its.sendMsi(m.deviceId, m.eventId);
  return [drain(r, 0), drain(r, 1)];
}

describe("tables in guest RAM, KVM ABI revision 0", () => {
  it("saves DTEs, ITEs and CTEs with their next offsets", () => {
    const src = source();
    bringUp(src);
    src.vm.vmStop("paused");
    const dte10 = decodeDte(src.ram.u64(DEVICE_TABLE + 0x10 * 8));
    expect(dte10).toEqual({ valid: true, next: 0x2a - 0x10, ittAddr: ittOf(0x10), size: 4 });
    expect(decodeDte(src.ram.u64(DEVICE_TABLE + 0x2a * 8))).toEqual({ valid: true, next: 0, ittAddr: ittOf(0x2a), size: 2 });
    expect(src.ram.u64(DEVICE_TABLE + 0x10 * 8)).toBe((1n << 63n) | (26n << 49n) | (BigInt(ittOf(0x10) >> 8) << 5n) | 4n);
    const ite = (dev: number, ev: number) => decodeIte(src.ram.u64(ittOf(dev) + ev * 8));
    expect([0, 1, 2, 7].map((ev) => ite(0x10, ev))).toEqual([
      { next: 1, intid: 8192, icid: 0 },
      { next: 1, intid: 8193, icid: 0 },
      { next: 5, intid: 8194, icid: 0 },
      { next: 0, intid: 9000, icid: 1 },
    ]);
    expect(src.ram.u64(ittOf(0x10) + 7 * 8)).toBe((9000n << 16n) | 1n);
    expect(ite(0x2a, 1)).toEqual({ next: 0, intid: 8300, icid: 1 });
    expect([0, 1, 2].map((i) => decodeCte(src.ram.u64(COLLECTION_TABLE + i * 8)))).toEqual([
      { valid: true, rdbase: 0, icid: 0 },
      { valid: true, rdbase: 1, icid: 1 },
      { valid: false, rdbase: 0, icid: 0 },
    ]);
    expect(src.ram.u64(COLLECTION_TABLE + 8)).toBe((1n << 63n) | (1n << 16n) | 1n);
  });

  it("saves an unmapped collection that ITEs still name with RDBase 0xFFFFFFFF", () => {
    const src = source();
    bringUp(src);
    queue(src, { op: "MAPC", icid: 1, rdbase: 0, valid: false });
    src.vm.vmStop("paused");
    expect(decodeCte(src.ram.u64(COLLECTION_TABLE + 8))).toEqual({ valid: true, rdbase: 0xffffffff, icid: 1 });
    const dst = restore(src);
    expect(dst.its.collectionTargets()).toEqual(src.its.collectionTargets());
    queue(dst, { op: "MAPC", icid: 1, rdbase: 0, valid: true });
    expect(dst.its.translate(0x2a, 1)).toEqual({ intid: 8300, cpu: 0 });
  });

  it("save then restore: same devices, collections and pending LPIs, and the same interrupts afterwards", () => {
    const src = source();
    bringUp(src);
    src.its.sendMsi(0x10, 1); // pending on CPU 0
    src.its.sendMsi(0x2a, 1); // pending on CPU 1
    src.vm.vmStop("save-vm");
    const dst = restore(src);
    expect(dst.failures).toEqual([]);
    expect(dst.its.mappings()).toEqual(src.its.mappings());
    expect(dst.its.mappedDevices()).toEqual(src.its.mappedDevices());
    expect(dst.its.collectionTargets()).toEqual(src.its.collectionTargets());
    expect(dst.redist.pendingLpis(0)).toEqual([8193]);
    expect(dst.redist.pendingLpis(1)).toEqual([8300]);
    expect(dst.redist.irqLevel(0)).toBe(true);
    expect(dst.its.state).toEqual(src.its.state);
    expect(deliveries(dst)).toEqual(deliveries(src));
    expect(deliveries(dst)).toEqual([
      [8192, 8193, 8194],
      [8300, 9000],
    ]);
    // The restored ITS goes on taking commands.
    queue(dst, { op: "MAPTI", deviceId: 0x2a, eventId: 2, intid: 8400, icid: 0 });
    expect(dst.its.translate(0x2a, 2)).toEqual({ intid: 8400, cpu: 0 });
  });

  it("restores a two-level device table", () => {
    const src = source();
    enableLpis(src, 0);
    enableLpis(src, 1);
    setupIts(src, { indirect: true, devicePages: 2 });
    mapL2Page(src, 0);
    mapL2Page(src, 9); // DeviceIDs 73728..: beyond 16 bits, not usable
    mapL2Page(src, 3);
    queue(
      src,
      { op: "MAPC", icid: 5, rdbase: 1, valid: true },
      { op: "MAPD", deviceId: 3, ittAddr: ittOf(3), size: 0, valid: true },
      { op: "MAPD", deviceId: 3 * 8192 + 17, ittAddr: ittOf(4), size: 7, valid: true },
      { op: "MAPTI", deviceId: 3, eventId: 1, intid: 8200, icid: 5 },
      { op: "MAPTI", deviceId: 3 * 8192 + 17, eventId: 200, intid: 8201, icid: 5 },
    );
    expect(src.failures).toEqual([]);
    src.vm.vmStop("paused");
    const dst = restore(src);
    expect(dst.its.mappings()).toEqual(src.its.mappings());
    expect(dst.its.mappings()).toHaveLength(2);
  });

  it("does not resurrect a device unmapped after an earlier save, nor a discarded event", () => {
    const src = source();
    bringUp(src);
    src.vm.vmStop("paused");
    src.vm.vmStart();
    queue(src, { op: "MAPD", deviceId: 0x10, ittAddr: 0, size: 0, valid: false }, { op: "DISCARD", deviceId: 0x2a, eventId: 1 });
    queue(src, { op: "MAPD", deviceId: 0x40, ittAddr: ittOf(0x40), size: 1, valid: true }, { op: "MAPTI", deviceId: 0x40, eventId: 0, intid: 8500, icid: 1 });
    src.vm.vmStop("paused");
    const dst = restore(src);
    expect(dst.its.mappings()).toEqual([{ deviceId: 0x40, eventId: 0, intid: 8500, icid: 1, cpu: 1 }]);
    expect([...dst.its.mappedDevices().keys()]).toEqual([0x2a, 0x40]);
  });

  it("restores what the last stop saved: a pause, then a save of the already paused VM", () => {
    const src = source();
    bringUp(src);
    src.vm.vmStop("paused");
    src.vm.vmStopForceState("finish-migrate"); // already stopped: no second save
    expect(src.its.saveCount).toBe(1);
    expect(restore(src).its.mappings()).toEqual(src.its.mappings());
  });
});

// ---------------------------------------------------------------- machines

function memorySink() {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  return { sink, bytes: () => new Uint8Array(Buffer.concat(chunks)) };
}

function virt(options: { saveOnStop?: boolean } = {}) {
  const m = new Machine({ machineType: "virt-7.2", sendPageBits: true, pagesPerIteration: 1024 });
  m.ram.add("mach-virt.ram", RAM_SIZE, RAM_BASE);
  const parts = attachGicv3Its(m, { numCpus: 2, ...options });
  const guest: Guest = { ram: parts.memory, redist: parts.redistributors, its: parts.its };
  return { m, ...parts, redist: parts.redistributors, guest };
}

async function snapshot(m: Machine): Promise<Uint8Array> {
  const out = memorySink();
  await m.save(out.sink);
  return out.bytes();
}

describe("through a machine's savevm / loadvm and migration", () => {
  it("a restored machine has the mappings and pending LPIs, and delivers the same interrupts", async () => {
    const src = virt();
    src.m.vm.vmStart();
    bringUp(src.guest);
    src.its.sendMsi(0x10, 2);
    const bytes = await snapshot(src.m);
    expect(src.m.runState).toBe("running");
    expect(src.its.lastSave).toMatchObject({ state: "save-vm", ok: true });
    const dst = virt();
    await dst.m.load(bytes);
    expect(dst.its.mappings()).toEqual(src.its.mappings());
    expect(dst.redist.pendingLpis(0)).toEqual([8194]);
    expect(deliveries(dst.guest)).toEqual(deliveries(src.guest));
  });

  it("with the handler disabled, a restored machine has lost its mappings", async () => {
    const src = virt({ saveOnStop: false });
    src.m.vm.vmStart();
    bringUp(src.guest);
    src.its.sendMsi(0x10, 2);
    const bytes = await snapshot(src.m);
    expect(src.its.saveCount).toBe(0);
    const dst = virt();
    await dst.m.load(bytes);
    expect(dst.its.state).toEqual(src.its.state); // the registers made it
    expect(src.its.mappings()).toHaveLength(5);
    expect(dst.its.mappings()).toEqual([]);
    expect(dst.its.collectionTargets().size).toBe(0);
    expect(dst.redist.pendingLpis(0)).toEqual([]);
    expect(dst.its.sendMsi(0x10, 0)).toBe(false);
    expect(drain(dst.guest, 0)).toEqual([]);
  });

  it("live migration: the stop at switchover saves the tables, the final RAM pass carries them", async () => {
    const src = virt();
    src.m.vm.vmStart();
    bringUp(src.guest);
    let round = 0;
    const dst = virt();
    const { outgoing, incoming } = await migrate(src.m, dst.m, {
      switchoverPending: 0,
      maxIterations: 4,
      runGuest: () => {
        // The guest keeps mapping while RAM is being sent.
        round++;
        queue(src.guest, { op: "MAPTI", deviceId: 0x2a, eventId: round + 1, intid: 8400 + round, icid: 0 });
        src.its.sendMsi(0x2a, round + 1);
      },
    });
    expect(outgoing.error).toBeUndefined();
    expect(incoming.error).toBeUndefined();
    expect(round).toBeGreaterThan(0);
    expect(src.its.lastSave?.state).toBe("finish-migrate");
    expect(incoming.runState).toBe("running");
    expect(dst.its.mappings()).toEqual(src.its.mappings());
    expect(dst.redist.pendingLpis(0)).toEqual(src.redist.pendingLpis(0));
    expect(deliveries(dst.guest)).toEqual(deliveries(src.guest));
  });

  it("a bad table in the stream fails the load with a typed error naming the table and entry", async () => {
    const src = virt();
    src.m.vm.vmStart();
    bringUp(src.guest);
    // After the ITS saved (lower priority: runs later on a stop), something scribbles on the collection table.
    src.m.vm.handlers.add((running) => void (running || src.memory.write(COLLECTION_TABLE + 8, new Uint8Array([1, 0, 7, 0, 0, 0, 0, 0x80]))), {
      priority: -1,
      name: "scribbler",
    });
    const bytes = await snapshot(src.m);
    const dst = virt();
    const error = await dst.m.load(bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: "ItsTableError", code: "BAD_FIELD_VALUE", table: "collection", index: 1 });
    expect((error as Error).message).toMatch(/collection table, entry 1 at 0x40120008: RDBase 7 is not a CPU/);
  });
});

describe("guest RAM over GuestRam", () => {
  it("reads and writes across adjacent blocks and marks the pages written", () => {
    const m = new Machine({ machineType: "virt-7.2" });
    const a = m.ram.add("a", 0x2000, 0x1000);
    const b = m.ram.add("b", 0x2000, 0x3000);
    const own = attachGicv3Its(m, { numCpus: 1 }).memory; // the machine's RAM by default
    own.write(0x2ffc, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(Array.from(own.read(0x2ffe, 4))).toEqual([3, 4, 5, 6]);
    expect(a.written[0]).toBe(0b10);
    expect(b.written[0]).toBe(0b1);
    expect(() => own.read(0x4ff8, 16)).toThrow(/not RAM/);
    expect(() => own.read(0x500, 1)).toThrow(/not RAM/);
  });
});
