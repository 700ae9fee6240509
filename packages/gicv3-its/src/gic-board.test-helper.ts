// A virt-like board for the GICv3 tests: a machine with RAM, a system bus,
// the controller from the package's device plugin, and guest-side helpers
// that program it only through MMIO and ICC_* system registers.
import { type InterruptControllerRequest, Machine, SystemBus } from "@vmstate/core";
import { encodeCommand, type ItsCommand, ITS_CMD_SIZE } from "./abi.js";
import { ICC } from "./cpu-interface.js";
import { GICD_CTLR, GICD_IROUTER, GICD_ISENABLER, GICD_IGROUPR, GICD_IPRIORITYR, GICD_ICFGR } from "./distributor.js";
import { GICR_STRIDE } from "./gicv3-defs.js";
import type { Gicv3 } from "./gicv3.js";
import { GITS_BASER, GITS_CBASER, GITS_CTLR, GITS_CWRITER, GITS_TRANSLATER } from "./its.js";
import plugin from "./index.js";
import { GICR_CTLR, GICR_IGROUPR0, GICR_IPRIORITYR, GICR_ISENABLER0, GICR_PENDBASER, GICR_PROPBASER, GICR_WAKER } from "./redistributor-frames.js";
import { LPI_INTID_BASE } from "./redistributor.js";

/** virt's memory map. */
export const GICD_BASE = 0x0800_0000;
export const ITS_BASE = 0x0808_0000;
export const GICR_BASE = 0x080a_0000;
export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 0x100_0000;

/** Guest RAM layout for the LPI and ITS tables. */
export const PROP_TABLE = 0x4020_0000;
export const PEND_TABLE = 0x4030_0000; // + cpu * 64 KiB
export const DEVICE_TABLE = 0x4010_0000;
export const COLLECTION_TABLE = 0x4012_0000;
export const COMMAND_QUEUE = 0x4013_0000;
export const ITT_BASE = 0x4014_0000;

export interface Board {
  readonly machine: Machine;
  readonly bus: SystemBus;
  readonly gic: Gicv3;
  /** CPU IRQ inputs as the controller last drove them. */
  readonly irq: boolean[];
  /** Every setCpuIrq call. */
  readonly log: [number, boolean][];
}

export function board(options: { cpus?: number; features?: string[] } = {}): Board {
  const cpus = options.cpus ?? 2;
  const machine = new Machine({ machineType: "virt-7.2", sendPageBits: true, pagesPerIteration: 1024 });
  machine.ram.add("mach-virt.ram", RAM_SIZE, RAM_BASE);
  const bus = new SystemBus();
  const irq: boolean[] = Array.from({ length: cpus }, () => false);
  const log: [number, boolean][] = [];
  const request: InterruptControllerRequest = {
    machine,
    bus,
    cpus,
    // virt: Aff1 = cpu / 16, Aff0 = cpu % 16.
    affinity: Array.from({ length: cpus }, (_, i) => BigInt(((i >> 4) << 8) | (i & 15))),
    regions: { gicd: GICD_BASE, gicr: GICR_BASE, its: ITS_BASE },
    features: options.features ?? [],
    setCpuIrq(cpu, level) {
      irq[cpu] = level;
      log.push([cpu, level]);
    },
  };
  const gic = plugin.interruptControllers.gicv3!(request) as Gicv3;
  return { machine, bus, gic, irq, log };
}

// ----------------------------------------------------------- bus access

export function mmioRead(b: Board, addr: number, size: 1 | 4 | 8 = 4): bigint {
  const w = b.bus.mmioAt(addr);
  if (!w) throw new Error(`nothing at 0x${addr.toString(16)}`);
  return w.device.read(addr - w.base, size);
}

export function mmioWrite(b: Board, addr: number, value: number | bigint, size: 1 | 4 | 8 = 4): void {
  const w = b.bus.mmioAt(addr);
  if (!w) throw new Error(`nothing at 0x${addr.toString(16)}`);
  w.device.write(addr - w.base, size, BigInt(value));
}

export const gicr = (cpu: number, offset: number) => GICR_BASE + cpu * GICR_STRIDE + offset;

export function mrs(b: Board, cpu: number, key: number): bigint {
  const v = b.gic.readSysreg(cpu, key);
  if (v === undefined) throw new Error(`MRS of 0x${key.toString(16)} is UNDEFINED`);
  return v;
}

export function msr(b: Board, cpu: number, key: number, value: number | bigint): void {
  if (!b.gic.writeSysreg(cpu, key, BigInt(value))) throw new Error(`MSR of 0x${key.toString(16)} is UNDEFINED`);
}

/** ICC_IAR1_EL1 as a number. */
export const ack = (b: Board, cpu: number) => Number(mrs(b, cpu, ICC.IAR1_EL1));
export const eoi = (b: Board, cpu: number, intid: number) => msr(b, cpu, ICC.EOIR1_EL1, intid);

// ------------------------------------------------------- guest bring-up

/** What Linux's GICv3 driver does first: distributor groups on, every CPU's redistributor awake, interface on. */
export function bringUp(b: Board, options: { pmr?: number } = {}): void {
  mmioWrite(b, GICD_BASE + GICD_CTLR, 0x2); // EnableGrp1NS (ARE is RAO)
  for (let cpu = 0; cpu < b.gic.cpuCount; cpu++) {
    mmioWrite(b, gicr(cpu, GICR_WAKER), 0);
    mmioWrite(b, gicr(cpu, GICR_IGROUPR0), 0xffffffff);
    msr(b, cpu, ICC.PMR_EL1, options.pmr ?? 0xf0);
    msr(b, cpu, ICC.IGRPEN1_EL1, 1);
  }
}

/** Enables an SGI or PPI on a CPU with a priority (byte write, as Linux does). */
export function enablePrivate(b: Board, cpu: number, intid: number, priority: number): void {
  mmioWrite(b, gicr(cpu, GICR_IPRIORITYR + intid), priority, 1);
  mmioWrite(b, gicr(cpu, GICR_ISENABLER0), 1 << intid);
}

/** Configures an SPI: group 1, priority, route to CPU `cpu`'s affinity, edge or level, enabled. */
export function enableSpi(b: Board, intid: number, priority: number, cpu: number, edge = false): void {
  const w = intid >> 5;
  const group = Number(mmioRead(b, GICD_BASE + GICD_IGROUPR + w * 4));
  mmioWrite(b, GICD_BASE + GICD_IGROUPR + w * 4, (group | (1 << (intid & 31))) >>> 0);
  mmioWrite(b, GICD_BASE + GICD_IPRIORITYR + intid, priority, 1);
  mmioWrite(b, GICD_BASE + GICD_IROUTER + intid * 8, BigInt(b.gic.affinity(cpu)), 8);
  const cfgAddr = GICD_BASE + GICD_ICFGR + (intid >> 4) * 4;
  const cfg = Number(mmioRead(b, cfgAddr));
  const bit = 2 * (intid & 15) + 1;
  mmioWrite(b, cfgAddr, (edge ? cfg | (1 << bit) : cfg & ~(1 << bit)) >>> 0);
  mmioWrite(b, GICD_BASE + GICD_ISENABLER + w * 4, (1 << (intid & 31)) >>> 0);
}

// ------------------------------------------------------------ LPIs, ITS

/** LPI property table (all LPIs enabled at `priority`, or per INTID), pending table, EnableLPIs: through GICR MMIO. */
export function enableLpis(b: Board, cpu: number, priority: (intid: number) => number = () => 0xa0): void {
  const idBits = 16;
  const prop = new Uint8Array(2 ** idBits - LPI_INTID_BASE);
  for (let i = 0; i < prop.length; i++) prop[i] = (priority(LPI_INTID_BASE + i) & 0xfc) | 1;
  b.gic.memory.write(PROP_TABLE, prop);
  mmioWrite(b, gicr(cpu, GICR_PROPBASER), BigInt(PROP_TABLE) | BigInt(idBits - 1), 8);
  mmioWrite(b, gicr(cpu, GICR_PENDBASER), BigInt(PEND_TABLE + cpu * 0x10000), 8);
  mmioWrite(b, gicr(cpu, GICR_CTLR), 1);
}

/** Device and collection tables (flat, 64 KiB pages), a one-page command queue, ITS enabled: through ITS MMIO. */
export function setupIts(b: Board): void {
  const valid = 1n << 63n;
  const page64k = 2n << 8n;
  mmioWrite(b, ITS_BASE + GITS_BASER, valid | page64k | BigInt(DEVICE_TABLE), 8);
  mmioWrite(b, ITS_BASE + GITS_BASER + 8, valid | page64k | BigInt(COLLECTION_TABLE), 8);
  mmioWrite(b, ITS_BASE + GITS_CBASER, valid | BigInt(COMMAND_QUEUE), 8);
  mmioWrite(b, ITS_BASE + GITS_CTLR, 1);
}

/** Writes commands into the queue in guest RAM and advances GITS_CWRITER. */
export function itsCommands(b: Board, ...commands: ItsCommand[]): void {
  let wr = Number(mmioRead(b, ITS_BASE + GITS_CWRITER, 8) & 0xfffe0n);
  for (const c of commands) {
    b.gic.memory.write(COMMAND_QUEUE + wr, encodeCommand(c));
    wr = (wr + ITS_CMD_SIZE) % 0x1000;
  }
  mmioWrite(b, ITS_BASE + GITS_CWRITER, BigInt(wr), 8);
}

/** An MSI by the guest's write to GITS_TRANSLATER (requester 0: DeviceID 0). */
export function msi(b: Board, eventId: number): void {
  mmioWrite(b, ITS_BASE + GITS_TRANSLATER, eventId);
}

export const ittOf = (deviceId: number) => ITT_BASE + deviceId * 0x1000;
