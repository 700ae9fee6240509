/**
 * The redistributors' register frames (GICR, QEMU's arm_gicv3_redist.c),
 * 0x20000 bytes per CPU: RD_base (control, LPI tables, wake-up) then
 * SGI_base (the SGI/PPI registers), with GICD_CTLR.DS = 1. The LPI
 * registers (EnableLPIs, PROPBASER, PENDBASER) go through the LPI model,
 * Gicv3Redistributors, which ignores table changes while LPIs are enabled.
 */
import type { MmioDevice } from "@vmstate/core";
import { gatherEven, spreadEven } from "./bitmap.js";
import type { Gicv3CpuState } from "./descriptions.js";
import {
  GICR_SGI_BASE,
  GICR_STRIDE,
  GICR_WAKER_CHILDREN_ASLEEP,
  GICR_WAKER_PROCESSOR_SLEEP,
  GICV3_IIDR,
  GICV3_PIDR0_REDIST,
  GIC_IDREGS,
  gicIdReg,
} from "./gicv3-defs.js";
import type { Gicv3Redistributors } from "./redistributor.js";

export const GICR_CTLR = 0x0000;
export const GICR_IIDR = 0x0004;
export const GICR_TYPER = 0x0008;
export const GICR_STATUSR = 0x0010;
export const GICR_WAKER = 0x0014;
export const GICR_PROPBASER = 0x0070;
export const GICR_PENDBASER = 0x0078;
export const GICR_IGROUPR0 = GICR_SGI_BASE + 0x0080;
export const GICR_ISENABLER0 = GICR_SGI_BASE + 0x0100;
export const GICR_ICENABLER0 = GICR_SGI_BASE + 0x0180;
export const GICR_ISPENDR0 = GICR_SGI_BASE + 0x0200;
export const GICR_ICPENDR0 = GICR_SGI_BASE + 0x0280;
export const GICR_ISACTIVER0 = GICR_SGI_BASE + 0x0300;
export const GICR_ICACTIVER0 = GICR_SGI_BASE + 0x0380;
export const GICR_IPRIORITYR = GICR_SGI_BASE + 0x0400;
export const GICR_ICFGR0 = GICR_SGI_BASE + 0x0c00;
export const GICR_ICFGR1 = GICR_SGI_BASE + 0x0c04;
export const GICR_IGRPMODR0 = GICR_SGI_BASE + 0x0d00;
export const GICR_NSACR = GICR_SGI_BASE + 0x0e00;

/** What the frames need of the GIC. */
export interface RedistributorHost {
  readonly cpuCount: number;
  readonly lpis: boolean;
  readonly revision: number;
  readonly redistributors: Gicv3Redistributors;
  cpuState(cpu: number): Gicv3CpuState;
  /** GICR_TYPER of the CPU's redistributor. */
  typer(cpu: number): bigint;
  /** Something the CPU's pending interrupts depend on changed. */
  updateCpu(cpu: number): void;
  guestError(message: string): void;
}

type Reg32 = "gicr_ienabler0" | "gicr_ipendr0" | "gicr_iactiver0";
const SET_CLEAR: ReadonlyMap<number, { key: Reg32; set: boolean }> = new Map([
  [GICR_ISENABLER0, { key: "gicr_ienabler0", set: true }],
  [GICR_ICENABLER0, { key: "gicr_ienabler0", set: false }],
  [GICR_ISPENDR0, { key: "gicr_ipendr0", set: true }],
  [GICR_ICPENDR0, { key: "gicr_ipendr0", set: false }],
  [GICR_ISACTIVER0, { key: "gicr_iactiver0", set: true }],
  [GICR_ICACTIVER0, { key: "gicr_iactiver0", set: false }],
]);

const inRange = (offset: number, base: number, bytes: number) => offset >= base && offset < base + bytes;
const lo = (v: bigint) => Number(v & 0xffffffffn);
const hi = (v: bigint) => Number(v >> 32n);

export class Gicv3RedistributorFrames implements MmioDevice {
  constructor(private readonly gic: RedistributorHost) {}

  /** Bytes of the whole region: one stride per CPU. */
  get size(): number {
    return this.gic.cpuCount * GICR_STRIDE;
  }

  read(offset: number, size: 1 | 2 | 4 | 8): bigint {
    const cpu = Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    let v: number | bigint | undefined;
    if (cpu < this.gic.cpuCount && offset % size === 0) {
      v = size === 1 ? this.readByte(cpu, off) : size === 4 ? this.readWord(cpu, off) : size === 8 ? this.readQuad(cpu, off) : undefined;
    }
    if (v === undefined) {
      this.gic.guestError(`GICR: bad read of ${size} bytes at 0x${offset.toString(16)}`);
      return 0n;
    }
    return typeof v === "bigint" ? v : BigInt(v >>> 0);
  }

  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    const cpu = Math.floor(offset / GICR_STRIDE);
    const off = offset % GICR_STRIDE;
    value = BigInt.asUintN(size * 8, value);
    let ok = false;
    if (cpu < this.gic.cpuCount && offset % size === 0) {
      ok = size === 1 ? this.writeByte(cpu, off, Number(value)) : size === 4 ? this.writeWord(cpu, off, Number(value)) : size === 8 ? this.writeQuad(cpu, off, value) : false;
    }
    if (!ok) this.gic.guestError(`GICR: bad write of ${size} bytes at 0x${offset.toString(16)}`);
  }

  // ------------------------------------------------------------- bytes

  private readByte(cpu: number, off: number): number | undefined {
    return inRange(off, GICR_IPRIORITYR, 0x20) ? this.gic.cpuState(cpu).gicr_ipriorityr[off - GICR_IPRIORITYR]! : undefined;
  }

  private writeByte(cpu: number, off: number, value: number): boolean {
    if (!inRange(off, GICR_IPRIORITYR, 0x20)) return false;
    this.gic.cpuState(cpu).gicr_ipriorityr[off - GICR_IPRIORITYR] = value;
    this.gic.updateCpu(cpu);
    return true;
  }

  // ------------------------------------------------------------- words

  private readWord(cpu: number, off: number): number | undefined {
    const cs = this.gic.cpuState(cpu);
    switch (off) {
      case GICR_CTLR:
        return cs.gicr_ctlr;
      case GICR_IIDR:
        return GICV3_IIDR;
      case GICR_TYPER:
        return lo(this.gic.typer(cpu));
      case GICR_TYPER + 4:
        return hi(this.gic.typer(cpu));
      case GICR_STATUSR:
        return 0;
      case GICR_WAKER:
        return cs.gicr_waker;
      case GICR_PROPBASER:
        return lo(cs.gicr_propbaser);
      case GICR_PROPBASER + 4:
        return hi(cs.gicr_propbaser);
      case GICR_PENDBASER:
        return lo(cs.gicr_pendbaser);
      case GICR_PENDBASER + 4:
        return hi(cs.gicr_pendbaser);
      case GICR_IGROUPR0:
        return cs.gicr_igroupr0;
      case GICR_ISPENDR0:
      case GICR_ICPENDR0:
        // A level-triggered PPI reads as pending while its input is high.
        return cs.gicr_ipendr0 | (~cs.edge_trigger & cs.level);
      case GICR_ICFGR0:
      case GICR_ICFGR1:
        return (spreadEven((cs.edge_trigger >>> (off === GICR_ICFGR1 ? 16 : 0)) & 0xffff) << 1) >>> 0;
      case GICR_IGRPMODR0:
      case GICR_NSACR:
        return 0; // RAZ/WI with DS
    }
    const bank = SET_CLEAR.get(off);
    if (bank) return cs[bank.key];
    if (inRange(off, GICR_IPRIORITYR, 0x20)) {
      const p = cs.gicr_ipriorityr;
      const i = off - GICR_IPRIORITYR;
      return (p[i]! | (p[i + 1]! << 8) | (p[i + 2]! << 16) | (p[i + 3]! << 24)) >>> 0;
    }
    if (inRange(off, GIC_IDREGS, 0x30)) return gicIdReg(off - GIC_IDREGS, GICV3_PIDR0_REDIST, this.gic.revision);
    return undefined;
  }

  private writeWord(cpu: number, off: number, value: number): boolean {
    const cs = this.gic.cpuState(cpu);
    const r = this.gic.redistributors;
    switch (off) {
      case GICR_CTLR:
        // Only EnableLPIs is writable, and only with LPIs; DPG*, RWP and UWP are RAZ/WI.
        if (this.gic.lpis) r.writeCtlr(cpu, value);
        return true;
      case GICR_STATUSR:
        return true;
      case GICR_WAKER: {
        // The interface quiesces at once: ChildrenAsleep follows ProcessorSleep.
        const sleep = value & GICR_WAKER_PROCESSOR_SLEEP;
        cs.gicr_waker = sleep ? sleep | GICR_WAKER_CHILDREN_ASLEEP : 0;
        return true;
      }
      case GICR_PROPBASER:
      case GICR_PROPBASER + 4:
        r.writePropbaser(cpu, merge(cs.gicr_propbaser, off !== GICR_PROPBASER, value));
        return true;
      case GICR_PENDBASER:
      case GICR_PENDBASER + 4:
        r.writePendbaser(cpu, merge(cs.gicr_pendbaser, off !== GICR_PENDBASER, value));
        return true;
      case GICR_IGROUPR0:
        cs.gicr_igroupr0 = value >>> 0;
        this.gic.updateCpu(cpu);
        return true;
      case GICR_ICFGR0:
        return true; // SGIs are always edge-triggered, PPI 16..31 configuration is in ICFGR1
      case GICR_ICFGR1:
        cs.edge_trigger = ((cs.edge_trigger & 0xffff) | (gatherEven(value >>> 1) << 16)) >>> 0;
        this.gic.updateCpu(cpu);
        return true;
      case GICR_IGRPMODR0:
      case GICR_NSACR:
        return true;
      case GICR_IIDR:
      case GICR_TYPER:
      case GICR_TYPER + 4:
        this.gic.guestError(`GICR: write to read-only register at 0x${off.toString(16)}`);
        return true;
    }
    const bank = SET_CLEAR.get(off);
    if (bank) {
      cs[bank.key] = (bank.set ? cs[bank.key] | value : cs[bank.key] & ~value) >>> 0;
      this.gic.updateCpu(cpu);
      return true;
    }
    if (inRange(off, GICR_IPRIORITYR, 0x20)) {
      const i = off - GICR_IPRIORITYR;
      for (let k = 0; k < 4; k++) cs.gicr_ipriorityr[i + k] = (value >>> (8 * k)) & 0xff;
      this.gic.updateCpu(cpu);
      return true;
    }
    if (inRange(off, GIC_IDREGS, 0x30)) {
      this.gic.guestError(`GICR: write to ID register at 0x${off.toString(16)}`);
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------- quads

  private readQuad(cpu: number, off: number): bigint | undefined {
    const cs = this.gic.cpuState(cpu);
    switch (off) {
      case GICR_TYPER:
        return this.gic.typer(cpu);
      case GICR_PROPBASER:
        return cs.gicr_propbaser;
      case GICR_PENDBASER:
        return cs.gicr_pendbaser;
    }
    return undefined;
  }

  private writeQuad(cpu: number, off: number, value: bigint): boolean {
    switch (off) {
      case GICR_PROPBASER:
        this.gic.redistributors.writePropbaser(cpu, value);
        return true;
      case GICR_PENDBASER:
        this.gic.redistributors.writePendbaser(cpu, value);
        return true;
      case GICR_TYPER:
        this.gic.guestError("GICR: write to read-only GICR_TYPER");
        return true;
    }
    return false;
  }
}

/** A 32-bit write into the low or high half of a 64-bit register. */
function merge(old: bigint, high: boolean, value: number): bigint {
  const v = BigInt(value >>> 0);
  return high ? (old & 0xffffffffn) | (v << 32n) : (old & ~0xffffffffn & 0xffffffffffffffffn) | v;
}
