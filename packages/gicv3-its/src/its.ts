/**
 * The GICv3 ITS: its register frames, its command queue, and its
 * translation state kept in the device (a device map with an ITT per
 * device, a collection map), as KVM's in-kernel ITS keeps it, not in guest
 * RAM. Guest RAM holds the command queue while running, and the tables in
 * KVM's ABI revision 0 layout only after a save: on every VM stop (the
 * change-state handler) the caches are written out, and after a load they
 * are rebuilt from there (`loaded`, the post_load side of `arm_gicv3_its`).
 *
 * Register and command semantics follow QEMU 7.2's TCG ITS (4- and 8-byte
 * control-frame accesses, RAZ/WI on unknown offsets, BASERn and CBASER
 * writable only while disabled, page sizes honoured, queue processing on
 * CWRITER writes and on enable, stall on an unreadable command), except
 * where the TCG and KVM ITS differ and the saved tables must match KVM:
 *  - GITS_TYPER is KVM's 0x1EF71: 8-byte ITT entries, 16 DeviceID and
 *    EventID bits, CIL = 0 (16-bit ICIDs), PTA = 0;
 *  - GITS_IIDR reads 0x4B00043B (ABI revision 0), and the migrated `iidr`
 *    carries it; the ID registers are KVM's;
 *  - only BASER0 (devices) and BASER1 (collections) exist; BASER1 is
 *    never indirect (the KVM collection table is a packed list);
 *  - a CBASER write empties the queue (CREADR = CWRITER = 0);
 *  - clearing BASERn.Valid drops the cached devices or collections;
 *  - MAPD of a mapped device drops its ITEs, MAPC V=0 leaves a collection
 *    that ITEs still name in place as "unmapped" (so the saved ITEs keep a
 *    CTE to refer to), MAPTI of an unknown ICID creates it unmapped, and
 *    MAPD V=0 / DISCARD zero the DTE / ITE in guest RAM (as Linux 6.12
 *    does), so that a later save cannot resurrect them.
 * With 64 KiB pages (the only size KVM offers) the saved tables are
 * exactly KVM's; with 4 or 16 KiB pages, which a TCG guest may program,
 * the same entries are used with the page size honoured (table size =
 * pages × page size, level-2 pages of one page).
 */
import { type ChangeStateEntry, type ChangeStateHandlers, type RunState, StateLoadError } from "@vmstate/core";
import {
  ABI_ENTRY_SIZE,
  COLLECTION_UNMAPPED,
  decodeCte,
  decodeDte,
  decodeIte,
  DTE_MAX_NEXT,
  encodeCte,
  encodeDte,
  encodeIte,
  ITE_MAX_NEXT,
  ITS_ABI_REVISION,
  ITS_CMD,
  ITS_CMD_SIZE,
  type ItsCommandName,
} from "./abi.js";
import { createItsState, type ItsState } from "./descriptions.js";
import { ItsSaveError, ItsTableError, type ItsTableLocation } from "./errors.js";
import { type GuestMemory, readU64, writeU64 } from "./guest-memory.js";
import { GIC_ID_BITS, LPI_INTID_BASE, type LpiTarget } from "./redistributor.js";

/** The control frame; the translation frame follows it. */
export const ITS_CONTROL_SIZE = 0x10000;
/** Both frames. */
export const ITS_SIZE = 0x20000;
/** GITS_TRANSLATER, from the ITS base. */
export const GITS_TRANSLATER = ITS_CONTROL_SIZE + 0x40;

export const GITS_CTLR = 0x000;
export const GITS_IIDR = 0x004;
export const GITS_TYPER = 0x008;
export const GITS_CBASER = 0x080;
export const GITS_CWRITER = 0x088;
export const GITS_CREADR = 0x090;
export const GITS_BASER = 0x100;

export const GITS_CTLR_ENABLED = 0x1;
export const GITS_CTLR_QUIESCENT = 0x80000000;
/** KVM's GITS_TYPER: PLPIS, ITT entry size 8, IDbits 15, Devbits 15, CIL 0. */
export const GITS_TYPER_VALUE = 0x1ef71n;
/** KVM's GITS_IIDR for ABI revision 0: product 0x4B, implementer ARM. */
export const GITS_IIDR_VALUE = (0x4b00043b | (ITS_ABI_REVISION << 12)) >>> 0;
/** DeviceID, EventID and ICID widths (TYPER.Devbits + 1, IDbits + 1, CIL = 0). */
export const ITS_DEVICE_ID_BITS = 16;
export const ITS_EVENT_ID_BITS = 16;
export const ITS_COLLECTION_ID_BITS = 16;

export const BASER_TYPE_DEVICE = 1;
export const BASER_TYPE_COLLECTION = 4;
const BASER_VALID = 1n << 63n;
const BASER_INDIRECT = 1n << 62n;
/** EntrySize [52:48] and Type [58:56] are read-only. */
const BASER_RO_MASK = (0x1fn << 48n) | (0x7n << 56n);
/** Reset values: the type, 8-byte entries, 64 KiB pages, not valid. */
const BASER_RESET: readonly bigint[] = [
  (BigInt(BASER_TYPE_DEVICE) << 56n) | (BigInt(ABI_ENTRY_SIZE - 1) << 48n) | (2n << 8n),
  (BigInt(BASER_TYPE_COLLECTION) << 56n) | (BigInt(ABI_ENTRY_SIZE - 1) << 48n) | (2n << 8n),
];
const CBASER_VALID = 1n << 63n;
/** CREADR / CWRITER: the byte offset of a command, [19:5]. */
const CMD_OFFSET_MASK = 0xfffe0n;
const CREADR_STALLED = 1n;

/** ID registers (KVM's values), by offset. */
const ID_REGS = new Map<number, number>([
  [0xffd0, 0x40], // PIDR4
  [0xffe0, 0x92], // PIDR0
  [0xffe4, 0xb4], // PIDR1
  [0xffe8, 0x3b], // PIDR2: GICv3
  [0xfff0, 0x0d], // CIDR0
  [0xfff4, 0xf0],
  [0xfff8, 0x05],
  [0xfffc, 0xb1],
]);

const U64 = (1n << 64n) - 1n;
const bits = (n: number): bigint => (1n << BigInt(n)) - 1n;

/** A table as a BASER register describes it (QEMU's TableDesc). */
export interface ItsTableGeometry {
  readonly valid: boolean;
  readonly indirect: boolean;
  readonly base: number;
  readonly pageSize: number;
  /** pages × page size: the flat table, or the level-1 table. */
  readonly bytes: number;
  readonly entrySize: number;
  /** IDs the table can hold (0 when not valid), at most 2^ID bits. */
  readonly numEntries: number;
}

/** Decodes a GITS_BASERn for a table of `idBits`-bit IDs. */
export function tableGeometry(baser: bigint, idBits: number): ItsTableGeometry {
  const pageSize = [0x1000, 0x4000, 0x10000, 0x10000][Number((baser >> 8n) & 3n)]!;
  const bytes = (Number(baser & 0xffn) + 1) * pageSize;
  const entrySize = Number((baser >> 48n) & 0x1fn) + 1;
  const valid = (baser & BASER_VALID) !== 0n;
  const indirect = (baser & BASER_INDIRECT) !== 0n;
  // 64 KiB pages: PA [47:16] in place, PA [51:48] in [15:12]; otherwise PA [47:12].
  const base =
    pageSize === 0x10000
      ? Number(baser & (bits(48) & ~0xffffn)) + Number((baser >> 12n) & 0xfn) * 2 ** 48
      : Number(baser & (bits(48) & ~0xfffn));
  let numEntries = 0;
  if (valid) {
    numEntries = indirect ? (bytes / 8) * Math.floor(pageSize / entrySize) : Math.floor(bytes / entrySize);
    numEntries = Math.min(numEntries, 2 ** idBits);
  }
  return { valid, indirect, base, pageSize, bytes, entrySize, numEntries };
}

/** A command that did not take effect (the queue still advances unless it stalled). */
export interface ItsCommandFailure {
  /** The command's name, or its opcode if unknown. */
  readonly command: ItsCommandName | number;
  /** Byte offset of the command in the queue. */
  readonly offset: number;
  readonly reason: string;
  /** A memory fault: CREADR.Stalled is set and the queue stops here. */
  readonly stalled: boolean;
}

/** One translation: DeviceID/EventID → LPI, collection, and the CPU if the collection is mapped. */
export interface ItsMapping {
  readonly deviceId: number;
  readonly eventId: number;
  readonly intid: number;
  readonly icid: number;
  readonly cpu: number | undefined;
}

/** The outcome of one table save (one per stop). */
export interface ItsSaveReport {
  /** The run state the VM stopped into, when the save came from the stop handler. */
  readonly state: RunState | undefined;
  readonly ok: boolean;
  readonly devices: number;
  readonly ites: number;
  readonly collections: number;
  /** Why the save stopped early (KVM's SAVE_TABLES error, which QEMU only reports). */
  readonly error?: ItsSaveError;
}

export interface ItsOptions {
  memory: GuestMemory;
  /** Where LPIs go: Gicv3Redistributors, or the machine's own GICv3. */
  redistributors: LpiTarget;
  /** The live `arm_gicv3_its` state to work on (e.g. the one registered with a machine). Default: a new one, reset. */
  state?: ItsState;
  /** A command failed (QEMU logs these as guest errors). */
  onCommandError?: (failure: ItsCommandFailure) => void;
  /** A guest access the ITS ignores (bad offset or width, write to a read-only register). */
  onGuestError?: (message: string) => void;
  /** A table save failed (reported, never thrown into the run-state bus). */
  onSaveError?: (error: ItsSaveError) => void;
}

interface DeviceEntry {
  readonly ittAddr: number;
  /** EventID bits − 1. */
  readonly size: number;
  readonly ites: Map<number, IteEntry>;
}
interface IteEntry {
  readonly intid: number;
  icid: number;
}

type Failure = { readonly reason: string; readonly stall?: true };
const fail = (reason: string): Failure => ({ reason });
const stall = (reason: string): Failure => ({ reason, stall: true });

const COMMAND_NAMES = new Map<number, ItsCommandName>(Object.entries(ITS_CMD).map(([k, v]) => [v, k as ItsCommandName]));

export class GicV3Its {
  readonly state: ItsState;
  /** The last table save. */
  lastSave: ItsSaveReport | undefined;
  /** How many table saves ran (one per stop while the handler is registered). */
  saveCount = 0;
  private readonly memory: GuestMemory;
  private readonly lpis: LpiTarget;
  private readonly options: ItsOptions;
  /** DeviceID → device; translation state lives here, not in guest RAM. */
  private readonly devices = new Map<number, DeviceEntry>();
  /** ICID → target CPU or COLLECTION_UNMAPPED; insertion order is the saved CTE order. */
  private readonly collections = new Map<number, number>();

  constructor(options: ItsOptions) {
    this.options = options;
    this.memory = options.memory;
    this.lpis = options.redistributors;
    if (options.state) this.state = options.state;
    else {
      this.state = createItsState();
      this.reset();
    }
  }

  get enabled(): boolean {
    return (this.state.ctlr & GITS_CTLR_ENABLED) !== 0;
  }

  /** Device reset: registers as after QEMU's reset, no devices, no collections. */
  reset(): void {
    const s = this.state;
    s.ctlr = GITS_CTLR_QUIESCENT;
    s.iidr = GITS_IIDR_VALUE;
    s.cbaser = 0n;
    s.cwriter = 0n;
    s.creadr = 0n;
    for (let i = 0; i < 8; i++) s.baser[i] = BASER_RESET[i] ?? 0n;
    this.devices.clear();
    this.collections.clear();
  }

  // ---------------------------------------------------------------- MMIO

  /** A read of the ITS region (control frame, then translation frame). */
  read(offset: number, size: 1 | 2 | 4 | 8): bigint {
    if (offset >= ITS_CONTROL_SIZE) return 0n; // the translation frame reads as zero
    if (size !== 4 && size !== 8) return this.ignoredRead(`ITS read of ${size} bytes at 0x${offset.toString(16)}`);
    const s = this.state;
    const half = (v: bigint, hi: boolean) => (hi ? v >> 32n : v & 0xffffffffn);
    if (size === 8) {
      if (offset === GITS_TYPER) return GITS_TYPER_VALUE;
      if (offset === GITS_CBASER) return s.cbaser;
      if (offset === GITS_CWRITER) return s.cwriter;
      if (offset === GITS_CREADR) return s.creadr;
      if (offset >= GITS_BASER && offset < GITS_BASER + 64 && offset % 8 === 0) return s.baser[(offset - GITS_BASER) / 8]!;
      return this.ignoredRead(`ITS 8-byte read at 0x${offset.toString(16)}`);
    }
    switch (offset) {
      case GITS_CTLR:
        return BigInt(s.ctlr >>> 0);
      case GITS_IIDR:
        return BigInt(GITS_IIDR_VALUE >>> 0);
      case GITS_TYPER:
      case GITS_TYPER + 4:
        return half(GITS_TYPER_VALUE, offset !== GITS_TYPER);
      case GITS_CBASER:
      case GITS_CBASER + 4:
        return half(s.cbaser, offset !== GITS_CBASER);
      case GITS_CWRITER:
      case GITS_CWRITER + 4:
        return half(s.cwriter, offset !== GITS_CWRITER);
      case GITS_CREADR:
      case GITS_CREADR + 4:
        return half(s.creadr, offset !== GITS_CREADR);
    }
    if (offset >= GITS_BASER && offset < GITS_BASER + 64 && offset % 4 === 0) {
      return half(s.baser[(offset - GITS_BASER) >> 3]!, offset % 8 !== 0);
    }
    const id = ID_REGS.get(offset);
    if (id !== undefined || (offset >= 0xffd0 && offset <= 0xfffc && offset % 4 === 0)) return BigInt(id ?? 0);
    return this.ignoredRead(`ITS read at bad offset 0x${offset.toString(16)}`);
  }

  /**
   * A write to the ITS region. `requesterId` is the bus requester of a
   * GITS_TRANSLATER write: the DeviceID of the MSI.
   */
  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint, requesterId = 0): void {
    value = BigInt.asUintN(size * 8, value);
    if (offset >= ITS_CONTROL_SIZE) {
      if (offset === GITS_TRANSLATER && (size === 2 || size === 4)) this.sendMsi(requesterId, Number(value));
      else this.guestError(`ITS write of ${size} bytes at bad offset 0x${offset.toString(16)}`);
      return;
    }
    if (size !== 4 && size !== 8) return this.guestError(`ITS write of ${size} bytes at 0x${offset.toString(16)}`);
    const s = this.state;
    // A 4-byte write to half of a 64-bit register.
    const merge = (old: bigint, hi: boolean) => (size === 8 ? value : hi ? (old & 0xffffffffn) | (value << 32n) : (old & ~0xffffffffn & U64) | value);
    if (size === 8 && ![GITS_TYPER, GITS_CBASER, GITS_CWRITER, GITS_CREADR].includes(offset) && !(offset >= GITS_BASER && offset < GITS_BASER + 64 && offset % 8 === 0)) {
      return this.guestError(`ITS 8-byte write at 0x${offset.toString(16)}`);
    }
    if (offset === GITS_CTLR) {
      if (value & 1n) {
        s.ctlr = (s.ctlr | GITS_CTLR_ENABLED) >>> 0;
        this.processQueue();
      } else s.ctlr = (s.ctlr & ~GITS_CTLR_ENABLED) >>> 0;
      return;
    }
    if (offset === GITS_CBASER || offset === GITS_CBASER + 4) {
      if (this.enabled) return this.guestError("GITS_CBASER written while the ITS is enabled");
      s.cbaser = merge(s.cbaser, offset !== GITS_CBASER);
      s.creadr = 0n;
      s.cwriter = 0n;
      return;
    }
    if (offset === GITS_CWRITER) {
      // The offset field only: Retry (bit 0) and the reserved bits are dropped.
      s.cwriter = (s.cwriter & ~0xffffffffn & U64) | (value & CMD_OFFSET_MASK);
      if (size === 8) s.cwriter = value & CMD_OFFSET_MASK;
      if (s.cwriter !== s.creadr) this.processQueue();
      return;
    }
    if (offset === GITS_CWRITER + 4) {
      s.cwriter = merge(s.cwriter, true);
      return;
    }
    if (offset >= GITS_BASER && offset < GITS_BASER + 64 && offset % 4 === 0) {
      const n = (offset - GITS_BASER) >> 3;
      if (this.enabled) return this.guestError(`GITS_BASER${n} written while the ITS is enabled`);
      if (n > 1) return; // not implemented: RAZ/WI
      const old = s.baser[n]!;
      let v = (merge(old, offset % 8 !== 0) & ~BASER_RO_MASK) | (old & BASER_RO_MASK);
      if (n === 1) v &= ~BASER_INDIRECT;
      s.baser[n] = v;
      if ((v & BASER_VALID) === 0n) {
        if (n === 0) this.devices.clear();
        else this.collections.clear();
      }
      return;
    }
    if (offset === GITS_IIDR || offset === GITS_TYPER || offset === GITS_TYPER + 4 || offset === GITS_CREADR || offset === GITS_CREADR + 4 || ID_REGS.has(offset)) {
      return this.guestError(`write to the read-only ITS register at 0x${offset.toString(16)}`);
    }
    this.guestError(`ITS write at bad offset 0x${offset.toString(16)}`);
  }

  /**
   * An MSI: a write of `eventId` to GITS_TRANSLATER by device `deviceId`
   * (QEMU's send_msi; KVM_SIGNAL_MSI). Makes the mapped LPI pending on its
   * collection's CPU. False if the ITS is disabled or nothing is mapped.
   */
  sendMsi(deviceId: number, eventId: number): boolean {
    if (!this.enabled) return false;
    const r = this.interrupt(deviceId, eventId, true);
    if (r) this.guestError(`MSI from device ${deviceId}, event ${eventId}: ${r.reason}`);
    return r === undefined;
  }

  // -------------------------------------------------------- command queue

  private processQueue(): void {
    if (!this.enabled) return;
    const s = this.state;
    const cq = this.commandQueue();
    let rd = Number(s.creadr & CMD_OFFSET_MASK) / ITS_CMD_SIZE;
    const wr = Number(s.cwriter & CMD_OFFSET_MASK) / ITS_CMD_SIZE;
    if (rd >= cq.entries || wr >= cq.entries) {
      this.guestError(`ITS command queue offsets out of range: CREADR 0x${s.creadr.toString(16)}, CWRITER 0x${s.cwriter.toString(16)}, ${cq.entries} entries`);
      return;
    }
    while (rd !== wr) {
      const at = rd * ITS_CMD_SIZE;
      let bytes: Uint8Array;
      try {
        bytes = this.memory.read(cq.base + at, ITS_CMD_SIZE);
      } catch {
        s.creadr |= CREADR_STALLED;
        this.options.onCommandError?.({ command: -1, offset: at, reason: `the command at 0x${(cq.base + at).toString(16)} is not in guest RAM`, stalled: true });
        return;
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, ITS_CMD_SIZE);
      const dw = [0, 1, 2, 3].map((i) => view.getBigUint64(i * 8, true)) as [bigint, bigint, bigint, bigint];
      const op = Number(dw[0] & 0xffn);
      const r = this.execute(op, dw);
      if (r) {
        this.options.onCommandError?.({ command: COMMAND_NAMES.get(op) ?? op, offset: at, reason: r.reason, stalled: r.stall === true });
        if (r.stall) {
          s.creadr |= CREADR_STALLED;
          return;
        }
      }
      rd = (rd + 1) % cq.entries;
      s.creadr = (s.creadr & ~CMD_OFFSET_MASK & U64) | BigInt(rd * ITS_CMD_SIZE);
    }
  }

  private commandQueue(): { base: number; entries: number } {
    const c = this.state.cbaser;
    if ((c & CBASER_VALID) === 0n) return { base: 0, entries: 0 };
    return { base: Number(c & (bits(52) & ~0xfffn)), entries: ((Number(c & 0xffn) + 1) * 0x1000) / ITS_CMD_SIZE };
  }

  private execute(op: number, dw: readonly [bigint, bigint, bigint, bigint]): Failure | undefined {
    const deviceId = Number(dw[0] >> 32n);
    const eventId = Number(dw[1] & 0xffffffffn);
    const icid = Number(dw[2] & 0xffffn);
    const valid = dw[2] >> 63n === 1n;
    const rdbase = (w: bigint) => Number((w >> 16n) & bits(36));
    switch (op) {
      case ITS_CMD.MAPD:
        return this.mapd(deviceId, Number(dw[1] & 0x1fn), Number(dw[2] & (bits(52) & ~0xffn)), valid);
      case ITS_CMD.MAPC:
        return this.mapc(icid, rdbase(dw[2]), valid);
      case ITS_CMD.MAPTI:
        return this.mapti(deviceId, eventId, Number(dw[1] >> 32n), icid);
      case ITS_CMD.MAPI:
        return this.mapti(deviceId, eventId, eventId, icid);
      case ITS_CMD.INT:
        return this.interrupt(deviceId, eventId, true);
      case ITS_CMD.CLEAR:
        return this.interrupt(deviceId, eventId, false);
      case ITS_CMD.DISCARD:
        return this.discard(deviceId, eventId);
      case ITS_CMD.INV: {
        const found = this.lookupIte(deviceId, eventId);
        if ("reason" in found) return found;
        const cpu = this.lookupCte(found.ite.icid);
        if (typeof cpu !== "number") return cpu;
        this.lpis.invalidateLpi(cpu, found.ite.intid);
        return undefined;
      }
      case ITS_CMD.INVALL:
        // As QEMU's ITS: the ICID is not looked at, every redistributor rescans.
        for (let cpu = 0; cpu < this.lpis.cpuCount; cpu++) this.lpis.invalidateAll(cpu);
        return undefined;
      case ITS_CMD.MOVI:
        return this.movi(deviceId, eventId, icid);
      case ITS_CMD.MOVALL: {
        const from = rdbase(dw[2]);
        const to = rdbase(dw[3]);
        const n = this.lpis.cpuCount;
        if (from >= n || to >= n) return fail(`MOVALL between RDbase ${from} and ${to}: the GIC has ${n} CPUs`);
        if (from !== to) this.lpis.moveAllLpis(from, to);
        return undefined;
      }
      case ITS_CMD.SYNC:
        return undefined; // always in sync
      default:
        return undefined; // unknown commands are skipped
    }
  }

  private lookupDevice(deviceId: number): DeviceEntry | Failure {
    const dt = this.deviceTable();
    if (deviceId >= dt.numEntries) return fail(`DeviceID ${deviceId} does not fit the device table (${dt.numEntries} entries)`);
    return this.devices.get(deviceId) ?? fail(`DeviceID ${deviceId} is not mapped`);
  }

  private lookupIte(deviceId: number, eventId: number): { dev: DeviceEntry; ite: IteEntry } | Failure {
    const dev = this.lookupDevice(deviceId);
    if ("reason" in dev) return dev;
    if (eventId >= 2 ** (dev.size + 1)) return fail(`EventID ${eventId} is beyond the ${dev.size + 1} EventID bits of device ${deviceId}`);
    const ite = dev.ites.get(eventId);
    return ite ? { dev, ite } : fail(`EventID ${eventId} of device ${deviceId} is not mapped`);
  }

  /** The CPU of a mapped collection. */
  private lookupCte(icid: number): number | Failure {
    const ct = this.collectionTable();
    if (icid >= ct.numEntries) return fail(`ICID ${icid} does not fit the collection table (${ct.numEntries} entries)`);
    const cpu = this.collections.get(icid);
    if (cpu === undefined || cpu === COLLECTION_UNMAPPED) return fail(`collection ${icid} is not mapped`);
    if (cpu >= this.lpis.cpuCount) return fail(`collection ${icid} targets CPU ${cpu}, which does not exist`);
    return cpu;
  }

  private interrupt(deviceId: number, eventId: number, pending: boolean): Failure | undefined {
    const found = this.lookupIte(deviceId, eventId);
    if ("reason" in found) return found;
    const cpu = this.lookupCte(found.ite.icid);
    if (typeof cpu !== "number") return cpu;
    this.lpis.setLpiPending(cpu, found.ite.intid, pending);
    return undefined;
  }

  private mapd(deviceId: number, size: number, ittAddr: number, valid: boolean): Failure | undefined {
    const dt = this.deviceTable();
    if (deviceId >= dt.numEntries) return fail(`MAPD: DeviceID ${deviceId} does not fit the device table (${dt.numEntries} entries)`);
    if (size + 1 > ITS_EVENT_ID_BITS) return fail(`MAPD: ${size + 1} EventID bits is more than ${ITS_EVENT_ID_BITS}`);
    let slot: number | undefined;
    try {
      slot = this.entryAddress(dt, deviceId);
    } catch {
      return stall(`MAPD: the level-1 device table entry for DeviceID ${deviceId} is not in guest RAM`);
    }
    if (slot === undefined) return fail(`MAPD: the level-1 device table entry for DeviceID ${deviceId} is not valid`);
    // Remapping forgets the old ITEs, as KVM does.
    this.devices.delete(deviceId);
    if (valid) this.devices.set(deviceId, { ittAddr, size, ites: new Map() });
    else this.zeroEntry(slot);
    return undefined;
  }

  private mapc(icid: number, rdbase: number, valid: boolean): Failure | undefined {
    const ct = this.collectionTable();
    if (icid >= ct.numEntries) return fail(`MAPC: ICID ${icid} does not fit the collection table (${ct.numEntries} entries)`);
    if (valid) {
      if (rdbase >= this.lpis.cpuCount) return fail(`MAPC: RDbase ${rdbase} is not a CPU (the GIC has ${this.lpis.cpuCount})`);
      this.collections.set(icid, rdbase);
    } else if (this.collectionInUse(icid)) this.collections.set(icid, COLLECTION_UNMAPPED);
    else this.collections.delete(icid);
    return undefined;
  }

  private collectionInUse(icid: number): boolean {
    for (const dev of this.devices.values()) for (const ite of dev.ites.values()) if (ite.icid === icid) return true;
    return false;
  }

  private mapti(deviceId: number, eventId: number, intid: number, icid: number): Failure | undefined {
    const dev = this.lookupDevice(deviceId);
    if ("reason" in dev) return fail(`MAPTI: ${dev.reason}`);
    const ct = this.collectionTable();
    if (icid >= ct.numEntries) return fail(`MAPTI: ICID ${icid} does not fit the collection table (${ct.numEntries} entries)`);
    if (eventId >= 2 ** (dev.size + 1)) return fail(`MAPTI: EventID ${eventId} is beyond the ${dev.size + 1} EventID bits of device ${deviceId}`);
    if (intid < LPI_INTID_BASE || intid >= 2 ** GIC_ID_BITS) return fail(`MAPTI: INTID ${intid} is not an LPI`);
    dev.ites.set(eventId, { intid, icid });
    if (!this.collections.has(icid)) this.collections.set(icid, COLLECTION_UNMAPPED);
    return undefined;
  }

  private discard(deviceId: number, eventId: number): Failure | undefined {
    const found = this.lookupIte(deviceId, eventId);
    if ("reason" in found) return found;
    const cpu = this.lookupCte(found.ite.icid);
    if (typeof cpu !== "number") return cpu;
    this.lpis.setLpiPending(cpu, found.ite.intid, false);
    found.dev.ites.delete(eventId);
    this.zeroEntry(found.dev.ittAddr + eventId * ABI_ENTRY_SIZE);
    return undefined;
  }

  private movi(deviceId: number, eventId: number, icid: number): Failure | undefined {
    const found = this.lookupIte(deviceId, eventId);
    if ("reason" in found) return found;
    const from = this.lookupCte(found.ite.icid);
    if (typeof from !== "number") return from;
    const to = this.lookupCte(icid);
    if (typeof to !== "number") return to;
    if (from !== to) this.lpis.moveLpi(from, to, found.ite.intid);
    found.ite.icid = icid;
    return undefined;
  }

  /** Clears a table entry in guest RAM; a fault is ignored (nothing there to resurrect). */
  private zeroEntry(addr: number): void {
    try {
      writeU64(this.memory, addr, 0n);
    } catch {
      /* not RAM */
    }
  }

  // -------------------------------------------------------------- tables

  /** The device table, as GITS_BASER0 describes it. */
  deviceTable(): ItsTableGeometry {
    return tableGeometry(this.state.baser[0]!, ITS_DEVICE_ID_BITS);
  }

  /** The collection table, as GITS_BASER1 describes it. */
  collectionTable(): ItsTableGeometry {
    return tableGeometry(this.state.baser[1]!, ITS_COLLECTION_ID_BITS);
  }

  /**
   * Guest-physical address of entry `id` of a table; undefined if its
   * level-1 entry is not valid. Throws if the level-1 entry is not RAM.
   */
  private entryAddress(t: ItsTableGeometry, id: number): number | undefined {
    if (!t.indirect) return t.base + id * t.entrySize;
    const perPage = Math.floor(t.pageSize / t.entrySize);
    const l1 = readU64(this.memory, t.base + Math.floor(id / perPage) * 8);
    if (l1 >> 63n === 0n) return undefined;
    return Number(l1 & bits(52) & ~BigInt(t.pageSize - 1)) + (id % perPage) * t.entrySize;
  }

  // --------------------------------------------------------- introspection

  /** Every translation, by DeviceID then EventID. */
  mappings(): ItsMapping[] {
    const out: ItsMapping[] = [];
    for (const deviceId of [...this.devices.keys()].sort((a, b) => a - b)) {
      const dev = this.devices.get(deviceId)!;
      for (const eventId of [...dev.ites.keys()].sort((a, b) => a - b)) {
        const ite = dev.ites.get(eventId)!;
        const target = this.collections.get(ite.icid);
        out.push({ deviceId, eventId, intid: ite.intid, icid: ite.icid, cpu: target === undefined || target === COLLECTION_UNMAPPED ? undefined : target });
      }
    }
    return out;
  }

  /** Mapped devices: DeviceID → ITT address and EventID bits. */
  mappedDevices(): Map<number, { ittAddr: number; eventIdBits: number }> {
    return new Map([...this.devices].sort(([a], [b]) => a - b).map(([id, d]) => [id, { ittAddr: d.ittAddr, eventIdBits: d.size + 1 }]));
  }

  /** Collections in table order: ICID → target CPU, or undefined if unmapped. */
  collectionTargets(): Map<number, number | undefined> {
    return new Map([...this.collections].map(([icid, cpu]) => [icid, cpu === COLLECTION_UNMAPPED ? undefined : cpu]));
  }

  /** Where an MSI from `deviceId` with `eventId` would go now. */
  translate(deviceId: number, eventId: number): { intid: number; cpu: number } | undefined {
    const found = this.lookupIte(deviceId, eventId);
    if ("reason" in found) return undefined;
    const cpu = this.lookupCte(found.ite.icid);
    return typeof cpu === "number" ? { intid: found.ite.intid, cpu } : undefined;
  }

  // ------------------------------------------------------ save and restore

  /**
   * KVM's SAVE_TABLES: writes the device table with each device's ITT
   * (devices by DeviceID, each ITT's entries before its DTE) if BASER0 is
   * valid, then the collection table (packed, in collection order, with a
   * zero terminator if room is left) if BASER1 is valid. Stops at the first
   * failure, which it reports (onSaveError and the report), never throws.
   */
  saveTables(state?: RunState): ItsSaveReport {
    let devices = 0;
    let ites = 0;
    let collections = 0;
    let error: ItsSaveError | undefined;
    const put = (where: ItsTableLocation & { addr: number }, value: bigint) => {
      try {
        writeU64(this.memory, where.addr, value);
      } catch (e) {
        throw new ItsSaveError(where, "the entry is not in guest RAM", { cause: e });
      }
    };
    try {
      const dt = this.deviceTable();
      if (dt.valid) {
        const ids = [...this.devices.keys()].sort((a, b) => a - b);
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i]!;
          const dev = this.devices.get(id)!;
          if (id >= dt.numEntries) throw new ItsSaveError({ table: "device", index: id }, `DeviceID ${id} does not fit the device table (${dt.numEntries} entries)`);
          let slot: number | undefined;
          const l1 = { table: "device-l1" as const, index: Math.floor(id / Math.floor(dt.pageSize / dt.entrySize)) };
          try {
            slot = this.entryAddress(dt, id);
          } catch (e) {
            throw new ItsSaveError(l1, "the level-1 entry is not in guest RAM", { cause: e });
          }
          if (slot === undefined) throw new ItsSaveError(l1, `the level-1 entry for DeviceID ${id} is not valid`);
          const evs = [...dev.ites.keys()].sort((a, b) => a - b);
          for (let k = 0; k < evs.length; k++) {
            const ev = evs[k]!;
            const ite = dev.ites.get(ev)!;
            const following = evs[k + 1];
            const next = following === undefined ? 0 : Math.min(following - ev, ITE_MAX_NEXT);
            put({ table: "itt", deviceId: id, index: ev, addr: dev.ittAddr + ev * ABI_ENTRY_SIZE }, encodeIte({ next, intid: ite.intid, icid: ite.icid }));
            ites++;
          }
          const following = ids[i + 1];
          const next = following === undefined ? 0 : Math.min(following - id, DTE_MAX_NEXT);
          put({ table: "device", index: id, addr: slot }, encodeDte({ valid: true, next, ittAddr: dev.ittAddr, size: dev.size }));
          devices++;
        }
      }
      const ct = this.collectionTable();
      if (ct.valid) {
        const end = ct.base + ct.bytes;
        let addr = ct.base;
        for (const [icid, cpu] of this.collections) {
          if (addr + ABI_ENTRY_SIZE > end) throw new ItsSaveError({ table: "collection", index: collections }, `no room for collection ${icid}`);
          put({ table: "collection", index: collections, addr }, encodeCte({ valid: true, rdbase: cpu, icid }));
          addr += ABI_ENTRY_SIZE;
          collections++;
        }
        if (addr < end) put({ table: "collection", index: collections, addr }, 0n);
      }
    } catch (e) {
      error = e instanceof ItsSaveError ? e : new ItsSaveError({ table: "device", index: -1 }, e instanceof Error ? e.message : String(e), { cause: e });
    }
    this.saveCount++;
    this.lastSave = { state, ok: error === undefined, devices, ites, collections, ...(error ? { error } : {}) };
    if (error) {
      try {
        this.options.onSaveError?.(error);
      } catch {
        // A failing listener must not turn a reported save error into a failed stop.
      }
    }
    return this.lastSave;
  }

  /**
   * KVM's RESTORE_TABLES: rebuilds the devices, ITTs and collections from
   * the tables in guest RAM (collections first). On a bad entry everything
   * restored so far is dropped and an ItsTableError names the table and
   * the entry. Each restored LPI takes its pending state from its CPU's
   * pending table.
   */
  restoreTables(): void {
    this.devices.clear();
    this.collections.clear();
    try {
      this.restoreCollections();
      this.restoreDevices();
    } catch (e) {
      this.devices.clear();
      this.collections.clear();
      throw e;
    }
  }

  private readEntry(where: ItsTableLocation & { addr: number }): bigint {
    try {
      return readU64(this.memory, where.addr);
    } catch (e) {
      throw new ItsTableError(where, "the entry is not in guest RAM", { cause: e });
    }
  }

  private restoreCollections(): void {
    const ct = this.collectionTable();
    if (!ct.valid) return;
    const count = Math.floor(ct.bytes / ABI_ENTRY_SIZE);
    const cpus = this.lpis.cpuCount;
    for (let i = 0; i < count; i++) {
      const where = { table: "collection" as const, index: i, addr: ct.base + i * ABI_ENTRY_SIZE };
      const c = decodeCte(this.readEntry(where));
      if (!c.valid) return;
      if (c.rdbase !== COLLECTION_UNMAPPED && c.rdbase >= cpus) throw new ItsTableError(where, `RDBase ${c.rdbase} is not a CPU (the GIC has ${cpus})`);
      if (this.collections.has(c.icid)) throw new ItsTableError(where, `collection ${c.icid} appears twice`);
      if (c.icid >= ct.numEntries) throw new ItsTableError(where, `ICID ${c.icid} does not fit the collection table (${ct.numEntries} entries)`);
      this.collections.set(c.icid, c.rdbase);
    }
  }

  private restoreDevices(): void {
    const dt = this.deviceTable();
    if (!dt.valid) return;
    if (dt.entrySize !== ABI_ENTRY_SIZE) {
      throw new ItsTableError({ table: "device", index: 0, addr: dt.base }, `entry size ${dt.entrySize}: ABI revision 0 has 8-byte entries`);
    }
    if (!dt.indirect) {
      this.scanDeviceTable(dt, dt.base, dt.bytes, 0);
      return;
    }
    const perPage = dt.pageSize / ABI_ENTRY_SIZE;
    for (let l1 = 0; l1 < dt.bytes / 8; l1++) {
      const entry = this.readEntry({ table: "device-l1", index: l1, addr: dt.base + l1 * 8 });
      if (entry >> 63n === 0n) continue;
      const page = Number(entry & bits(52) & ~BigInt(dt.pageSize - 1));
      if (this.scanDeviceTable(dt, page, dt.pageSize, l1 * perPage) === "last") return;
    }
  }

  /** Walks DTEs from `startId`, following their `next` steps. "last" when an entry said it was the last. */
  private scanDeviceTable(dt: ItsTableGeometry, base: number, bytes: number, startId: number): "last" | "end" {
    let id = startId;
    let offset = 0;
    for (;;) {
      const where = { table: "device" as const, index: id, addr: base + offset };
      const d = decodeDte(this.readEntry(where));
      let step = 1;
      if (d.valid) {
        if (d.size + 1 > ITS_EVENT_ID_BITS) throw new ItsTableError(where, `${d.size + 1} EventID bits is more than ${ITS_EVENT_ID_BITS}`);
        if (id >= dt.numEntries) throw new ItsTableError(where, `DeviceID ${id} does not fit the device table (${dt.numEntries} entries)`);
        const dev: DeviceEntry = { ittAddr: d.ittAddr, size: d.size, ites: new Map() };
        this.devices.set(id, dev);
        this.restoreItt(id, dev);
        if (d.next === 0) return "last";
        step = d.next;
      }
      offset += step * ABI_ENTRY_SIZE;
      if (offset >= bytes) return "end";
      id += step;
    }
  }

  private restoreItt(deviceId: number, dev: DeviceEntry): void {
    const events = 2 ** (dev.size + 1);
    let ev = 0;
    for (;;) {
      const where = { table: "itt" as const, deviceId, index: ev, addr: dev.ittAddr + ev * ABI_ENTRY_SIZE };
      const e = decodeIte(this.readEntry(where));
      let step = 1;
      if (e.intid !== 0) {
        if (e.intid < LPI_INTID_BASE) throw new ItsTableError(where, `pINTID ${e.intid} is not an LPI (LPIs start at ${LPI_INTID_BASE})`);
        if (e.intid >= 2 ** GIC_ID_BITS) throw new ItsTableError(where, `pINTID ${e.intid} is beyond the GIC's ${GIC_ID_BITS} INTID bits`);
        if (ev + e.next >= events) throw new ItsTableError(where, `next EventID ${ev + e.next} is beyond the device's ${events} EventIDs`);
        const cpu = this.collections.get(e.icid);
        if (cpu === undefined) throw new ItsTableError(where, `ICID ${e.icid} is not in the collection table`);
        dev.ites.set(ev, { intid: e.intid, icid: e.icid });
        if (cpu !== COLLECTION_UNMAPPED && cpu < this.lpis.cpuCount) this.lpis.syncLpiFromPendingTable(cpu, e.intid);
        if (e.next === 0) return;
        step = e.next;
      }
      ev += step;
      if (ev >= events) return;
    }
  }

  // ------------------------------------------------------------ migration

  /**
   * pre_save (the `beforeSave` hook of the machine's entry): what KVM's
   * pre_save reads back from the kernel. The registers live in `state`
   * already; IIDR and CTLR.Quiescent are brought to the values this ITS reads.
   */
  beforeSave(): void {
    this.state.iidr = GITS_IIDR_VALUE;
    this.state.ctlr = ((this.state.ctlr & GITS_CTLR_ENABLED) | GITS_CTLR_QUIESCENT) >>> 0;
  }

  /**
   * post_load (the `loaded` hook), in the order QEMU's KVM ITS restores:
   * IIDR (must select ABI revision 0), CBASER, CREADR (must lie in the
   * queue), CWRITER, BASERn (read-only fields as this ITS has them), then
   * the tables from guest RAM, then CTLR. Throws StateLoadError (an
   * ItsTableError for a table) if the state or the tables do not restore.
   */
  loaded(): void {
    const s = this.state;
    const revision = (s.iidr >>> 12) & 0xf;
    if (revision !== ITS_ABI_REVISION) {
      throw new StateLoadError("BAD_FIELD_VALUE", `GITS_IIDR 0x${(s.iidr >>> 0).toString(16)} asks for ITS ABI revision ${revision}; only revision ${ITS_ABI_REVISION} exists`, {
        fieldPath: "iidr",
      });
    }
    s.iidr = GITS_IIDR_VALUE;
    const queueBytes = (Number(s.cbaser & 0xffn) + 1) * 0x1000;
    const rd = Number(s.creadr & CMD_OFFSET_MASK);
    if (rd >= queueBytes) {
      throw new StateLoadError("BAD_FIELD_VALUE", `GITS_CREADR offset 0x${rd.toString(16)} is beyond the 0x${queueBytes.toString(16)}-byte command queue`, {
        fieldPath: "creadr",
      });
    }
    for (let i = 0; i < 8; i++) {
      const reset = BASER_RESET[i];
      if (reset === undefined) s.baser[i] = 0n;
      else {
        let v = (s.baser[i]! & ~BASER_RO_MASK) | (reset & BASER_RO_MASK);
        if (i === 1) v &= ~BASER_INDIRECT;
        s.baser[i] = v;
      }
    }
    this.restoreTables();
    s.ctlr = ((s.ctlr & GITS_CTLR_ENABLED) | GITS_CTLR_QUIESCENT) >>> 0;
  }

  // ---------------------------------------------------------- run state

  /**
   * The stop handler of QEMU 7.2's KVM ITS: on every stop (running ===
   * false, whatever the state) the tables are saved into guest RAM; starts
   * are ignored. Like QEMU it sets nothing else and never fails the stop:
   * a save error is only reported. Priority 0, as QEMU registers it with
   * plain qemu_add_vm_change_state_handler (not the qdev depth-based
   * helper); registered after the GIC's handler, it runs before it on a stop.
   */
  registerStopHandler(handlers: ChangeStateHandlers, options: { priority?: number; name?: string } = {}): ChangeStateEntry {
    return handlers.add(
      (running, state) => {
        if (!running) this.saveTables(state);
      },
      { priority: options.priority ?? 0, name: options.name ?? "arm-its-kvm" },
    );
  }

  private guestError(message: string): void {
    this.options.onGuestError?.(message);
  }

  /** RAZ: a read the ITS does not decode. */
  private ignoredRead(message: string): bigint {
    this.guestError(message);
    return 0n;
  }
}
