// Shared fakes for the ITS tests: guest RAM at a guest-physical base, and a
// guest-side driver that programs the ITS and redistributors through their
// registers and the command queue, as a guest kernel would.
import { type ItsCommand, encodeCommand, ITS_CMD_SIZE } from "./abi.js";
import { GuestMemoryError, type GuestMemory, readU64, writeU64 } from "./guest-memory.js";
import type { ItsState } from "./descriptions.js";
import type { ItsSaveError } from "./errors.js";
import { GicV3Its, GITS_BASER, GITS_CBASER, GITS_CTLR, GITS_CWRITER, type ItsCommandFailure } from "./its.js";
import { Gicv3Redistributors, GICR_CTLR_ENABLE_LPIS, LPI_INTID_BASE, type RedistributorRegisters } from "./redistributor.js";

/** Guest RAM: `size` bytes at `base`; records the 4 KiB pages written. */
export class FakeRam implements GuestMemory {
  readonly data: Uint8Array;
  readonly writtenPages = new Set<number>();
  writes = 0;

  constructor(
    readonly base: number,
    size: number,
  ) {
    this.data = new Uint8Array(size);
  }

  private offset(addr: number, length: number): number {
    const o = addr - this.base;
    if (o < 0 || o + length > this.data.length) throw new GuestMemoryError(addr, length);
    return o;
  }

  read(addr: number, length: number): Uint8Array {
    const o = this.offset(addr, length);
    return this.data.slice(o, o + length);
  }

  write(addr: number, bytes: Uint8Array): void {
    const o = this.offset(addr, bytes.length);
    this.data.set(bytes, o);
    this.writes++;
    for (let p = Math.floor(o / 4096); p <= Math.floor((o + bytes.length - 1) / 4096); p++) this.writtenPages.add(p);
  }

  u64(addr: number): bigint {
    return readU64(this, addr);
  }

  setU64(addr: number, v: bigint): void {
    writeU64(this, addr, v);
  }

  /** A copy, as migration would deliver it. */
  clone(): FakeRam {
    const c = new FakeRam(this.base, this.data.length);
    c.data.set(this.data);
    return c;
  }

  /** Whether [addr, addr + length) is all zeros. */
  isZero(addr: number, length: number): boolean {
    return this.read(addr, length).every((b) => b === 0);
  }
}

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 0x100_0000; // 16 MiB
export const DEVICE_TABLE = 0x4010_0000;
export const COLLECTION_TABLE = 0x4012_0000;
export const COMMAND_QUEUE = 0x4013_0000;
export const ITT_BASE = 0x4014_0000;
export const PROP_TABLE = 0x4020_0000;
export const PEND_TABLE = 0x4030_0000; // + cpu * 64 KiB
export const L2_PAGES = 0x4040_0000;

/** ITT of device n (4 KiB apart: room for 512 8-byte ITEs). */
export const ittOf = (deviceId: number) => ITT_BASE + deviceId * 0x1000;
export const pendTableOf = (cpu: number) => PEND_TABLE + cpu * 0x10000;

/** What the guest-side helpers below need: guest memory, the redistributors and the ITS. */
export interface Guest {
  ram: GuestMemory;
  redist: Gicv3Redistributors;
  its: GicV3Its;
}

export interface Rig extends Guest {
  ram: FakeRam;
  failures: ItsCommandFailure[];
  guestErrors: string[];
  saveErrors: ItsSaveError[];
  lines: [number, boolean][];
}

/**
 * A fresh ITS and redistributors over `ram` (a new FakeRam by default).
 * `cpus` may be the live redistributor registers (an `arm_gicv3` state's
 * `cpu` array); `itsState` an existing `arm_gicv3_its` state.
 */
export function rig(cpus: number | RedistributorRegisters[] = 2, ram = new FakeRam(RAM_BASE, RAM_SIZE), itsState?: ItsState): Rig {
  const failures: ItsCommandFailure[] = [];
  const guestErrors: string[] = [];
  const saveErrors: ItsSaveError[] = [];
  const lines: [number, boolean][] = [];
  const redist = new Gicv3Redistributors({ memory: ram, cpus, onIrqLine: (cpu, level) => lines.push([cpu, level]) });
  const its = new GicV3Its({
    memory: ram,
    redistributors: redist,
    ...(itsState ? { state: itsState } : {}),
    onCommandError: (f) => failures.push(f),
    onGuestError: (m) => guestErrors.push(m),
    onSaveError: (e) => saveErrors.push(e),
  });
  return { ram, redist, its, failures, guestErrors, saveErrors, lines };
}

const VALID = 1n << 63n;
const PAGE_64K = 2n << 8n;

/** What a guest kernel does to bring up LPIs on a CPU: property table (all LPIs enabled, priority 0xa0), pending table, EnableLPIs. */
export function enableLpis(r: Guest, cpu: number, options: { idBits?: number; priority?: (intid: number) => number } = {}): void {
  const idBits = options.idBits ?? 16;
  const count = 2 ** idBits - LPI_INTID_BASE;
  const prop = new Uint8Array(count);
  for (let i = 0; i < count; i++) prop[i] = (options.priority?.(LPI_INTID_BASE + i) ?? 0xa0) | 1;
  r.ram.write(PROP_TABLE, prop);
  r.redist.writePropbaser(cpu, BigInt(PROP_TABLE) | BigInt(idBits - 1));
  r.redist.writePendbaser(cpu, BigInt(pendTableOf(cpu)));
  r.redist.writeCtlr(cpu, GICR_CTLR_ENABLE_LPIS);
}

/** Sets one LPI's configuration byte (then an INV makes it take effect). */
export function setLpiConfig(r: Guest, intid: number, enabled: boolean, priority: number): void {
  r.ram.write(PROP_TABLE + intid - LPI_INTID_BASE, Uint8Array.of((priority & 0xfc) | (enabled ? 1 : 0)));
}

/** Programs BASER0/1 and CBASER (ITS disabled), then enables the ITS. */
export function setupIts(r: Guest, options: { indirect?: boolean; devicePages?: number; collectionPages?: number; pageSize?: 0 | 1 | 2 } = {}): void {
  const page = options.pageSize === undefined ? PAGE_64K : BigInt(options.pageSize) << 8n;
  const dev = VALID | (options.indirect ? 1n << 62n : 0n) | page | BigInt(DEVICE_TABLE) | BigInt((options.devicePages ?? 1) - 1);
  const coll = VALID | page | BigInt(COLLECTION_TABLE) | BigInt((options.collectionPages ?? 1) - 1);
  r.its.write(GITS_BASER, 8, dev);
  r.its.write(GITS_BASER + 8, 8, coll);
  r.its.write(GITS_CBASER, 8, VALID | BigInt(COMMAND_QUEUE) | 0n); // one 4 KiB page: 128 commands
  r.its.write(GITS_CTLR, 4, 1n);
}

/** Level-1 entry `index` of a two-level device table → a 64 KiB level-2 page. */
export function mapL2Page(r: Guest, index: number): number {
  const page = L2_PAGES + index * 0x10000;
  writeU64(r.ram, DEVICE_TABLE + index * 8, VALID | BigInt(page));
  return page;
}

/** Writes commands at CWRITER and advances it, wrapping in the one-page queue. */
export function queue(r: Guest, ...commands: ItsCommand[]): void {
  let wr = Number(r.its.state.cwriter & 0xfffe0n);
  for (const c of commands) {
    r.ram.write(COMMAND_QUEUE + wr, encodeCommand(c));
    wr = (wr + ITS_CMD_SIZE) % 0x1000;
    r.its.write(GITS_CWRITER, 8, BigInt(wr));
  }
}

/**
 * A typical bring-up on a 2-CPU GIC: collections 0 → CPU 0 and 1 → CPU 1;
 * device 0x10 with 5 EventID bits (events 0..2 → LPIs 8192..8194 on
 * collection 0, event 7 → 9000 on collection 1); device 0x2a with 3 bits
 * (event 1 → 8300 on collection 1).
 */
export function bringUp(r: Guest): void {
  enableLpis(r, 0);
  enableLpis(r, 1);
  setupIts(r);
  queue(
    r,
    { op: "MAPC", icid: 0, rdbase: 0, valid: true },
    { op: "MAPC", icid: 1, rdbase: 1, valid: true },
    { op: "MAPD", deviceId: 0x10, ittAddr: ittOf(0x10), size: 4, valid: true },
    { op: "MAPD", deviceId: 0x2a, ittAddr: ittOf(0x2a), size: 2, valid: true },
    { op: "MAPTI", deviceId: 0x10, eventId: 0, intid: 8192, icid: 0 },
    { op: "MAPTI", deviceId: 0x10, eventId: 1, intid: 8193, icid: 0 },
    { op: "MAPTI", deviceId: 0x10, eventId: 2, intid: 8194, icid: 0 },
    { op: "MAPTI", deviceId: 0x10, eventId: 7, intid: 9000, icid: 1 },
    { op: "MAPTI", deviceId: 0x2a, eventId: 1, intid: 8300, icid: 1 },
    { op: "SYNC", rdbase: 0 },
  );
}

/** Drains a CPU's pending LPIs in acknowledge order. */
export function drain(r: Guest, cpu: number): number[] {
  const out: number[] = [];
  for (let intid = r.redist.acknowledge(cpu); intid !== 1023; intid = r.redist.acknowledge(cpu)) out.push(intid);
  return out;
}
