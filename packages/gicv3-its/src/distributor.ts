/**
 * The distributor's register frame (GICD, QEMU's arm_gicv3_dist.c) with
 * GICD_CTLR.DS = 1 and affinity routing always on: group registers are
 * accessible, IGRPMODR and NSACR are RAZ/WI, ITARGETSR and the SGI
 * registers are RAZ/WI. The SGI/PPI bits (INTIDs 0..31) of the bitmap
 * registers are RAZ/WI here; they live in the redistributors. Reserved or
 * badly sized accesses read as zero and are ignored (reported as guest errors).
 */
import type { MmioDevice } from "@vmstate/core";
import { bmpSet, bmpTest, bmpWord, gatherEven, spreadEven } from "./bitmap.js";
import { GIC_INTERNAL, type Gicv3State } from "./descriptions.js";
import { GICD_CTLR_DS, GICD_CTLR_EN_GRP0, GICD_CTLR_EN_GRP1NS, GICV3_IIDR, GICV3_PIDR0_DIST, GIC_IDREGS, gicIdReg } from "./gicv3-defs.js";

export const GICD_CTLR = 0x0000;
export const GICD_TYPER = 0x0004;
export const GICD_IIDR = 0x0008;
export const GICD_STATUSR = 0x0010;
export const GICD_IGROUPR = 0x0080;
export const GICD_ISENABLER = 0x0100;
export const GICD_ICENABLER = 0x0180;
export const GICD_ISPENDR = 0x0200;
export const GICD_ICPENDR = 0x0280;
export const GICD_ISACTIVER = 0x0300;
export const GICD_ICACTIVER = 0x0380;
export const GICD_IPRIORITYR = 0x0400;
export const GICD_ITARGETSR = 0x0800;
export const GICD_ICFGR = 0x0c00;
export const GICD_IGRPMODR = 0x0d00;
export const GICD_NSACR = 0x0e00;
export const GICD_SGIR = 0x0f00;
export const GICD_CPENDSGIR = 0x0f10;
export const GICD_SPENDSGIR = 0x0f20;
export const GICD_IROUTER = 0x6000;

/** What the distributor needs of the GIC. */
export interface DistributorHost {
  readonly state: Gicv3State;
  readonly numIrq: number;
  readonly lpis: boolean;
  readonly revision: number;
  /** Something the CPUs' pending interrupts depend on changed. */
  update(): void;
  guestError(message: string): void;
}

const inRange = (offset: number, base: number, bytes: number) => offset >= base && offset < base + bytes;

/** The bitmap register banks: offset → state bitmap and whether writes set or clear. */
const BITMAP_BANKS = [
  { base: GICD_ISENABLER, key: "enabled", set: true },
  { base: GICD_ICENABLER, key: "enabled", set: false },
  { base: GICD_ISPENDR, key: "pending", set: true },
  { base: GICD_ICPENDR, key: "pending", set: false },
  { base: GICD_ISACTIVER, key: "active", set: true },
  { base: GICD_ICACTIVER, key: "active", set: false },
] as const;

export class Gicv3Distributor implements MmioDevice {
  constructor(private readonly gic: DistributorHost) {}

  private get s(): Gicv3State {
    return this.gic.state;
  }

  /** An SPI the GIC implements (SGIs and PPIs are not the distributor's). */
  private isSpi(irq: number): boolean {
    return irq >= GIC_INTERNAL && irq < this.gic.numIrq;
  }

  read(offset: number, size: 1 | 2 | 4 | 8): bigint {
    const v = size === 1 ? this.readByte(offset) : size === 4 ? this.readWord(offset) : size === 8 ? this.readQuad(offset) : undefined;
    if (v === undefined) {
      this.gic.guestError(`GICD: bad read of ${size} bytes at 0x${offset.toString(16)}`);
      return 0n;
    }
    return typeof v === "bigint" ? v : BigInt(v >>> 0);
  }

  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    value = BigInt.asUintN(size * 8, value);
    const ok = size === 1 ? this.writeByte(offset, Number(value)) : size === 4 ? this.writeWord(offset, Number(value)) : size === 8 ? this.writeQuad(offset, value) : false;
    if (!ok) this.gic.guestError(`GICD: bad write of ${size} bytes at 0x${offset.toString(16)}`);
  }

  // ------------------------------------------------------------- bytes

  private readByte(offset: number): number | undefined {
    if (inRange(offset, GICD_IPRIORITYR, 0x400)) return this.priority(offset - GICD_IPRIORITYR);
    if (this.razWiByte(offset)) return 0;
    return undefined;
  }

  private writeByte(offset: number, value: number): boolean {
    if (inRange(offset, GICD_IPRIORITYR, 0x400)) {
      const irq = offset - GICD_IPRIORITYR;
      if (this.isSpi(irq)) {
        this.s.gicd_ipriority[irq] = value & 0xff;
        this.gic.update();
      }
      return true;
    }
    return this.razWiByte(offset);
  }

  /** ITARGETSR and the SGI pending registers: RAZ/WI with affinity routing. */
  private razWiByte(offset: number): boolean {
    return inRange(offset, GICD_CPENDSGIR, 0x10) || inRange(offset, GICD_SPENDSGIR, 0x10) || inRange(offset, GICD_ITARGETSR, 0x400);
  }

  private priority(irq: number): number {
    return this.isSpi(irq) ? this.s.gicd_ipriority[irq]! : 0;
  }

  // ------------------------------------------------------------- words

  private readWord(offset: number): number | undefined {
    const s = this.s;
    switch (offset) {
      case GICD_CTLR:
        return s.gicd_ctlr;
      case GICD_TYPER: {
        // No1N, A3V, IDbits 15, LPIS with LPIs, SecurityExtn 0 with DS, ITLinesNumber.
        const itLines = (this.gic.numIrq - GIC_INTERNAL) / 32 - 1;
        const secExtn = s.gicd_ctlr & GICD_CTLR_DS ? 0 : 1;
        return (1 << 25) | (1 << 24) | ((this.gic.revision >= 4 ? 1 : 0) << 18) | (secExtn << 10) | ((this.gic.lpis ? 1 : 0) << 17) | (0xf << 19) | itLines;
      }
      case GICD_IIDR:
        return GICV3_IIDR;
      case GICD_STATUSR:
      case GICD_SGIR: // write-only
        return 0;
    }
    if (inRange(offset, GICD_IGROUPR, 0x80)) return this.word(s.group, (offset - GICD_IGROUPR) * 8);
    for (const bank of BITMAP_BANKS) {
      if (!inRange(offset, bank.base, 0x80)) continue;
      const irq = (offset - bank.base) * 8;
      if (!this.isSpi(irq)) return 0;
      // A level-triggered interrupt reads as pending while its input is high.
      if (bank.key === "pending") return bmpWord(s.pending, irq) | (~bmpWord(s.edge_trigger, irq) & bmpWord(s.level, irq));
      return bmpWord(s[bank.key], irq);
    }
    if (inRange(offset, GICD_IPRIORITYR, 0x400)) {
      const irq = offset - GICD_IPRIORITYR;
      return (this.priority(irq) | (this.priority(irq + 1) << 8) | (this.priority(irq + 2) << 16) | (this.priority(irq + 3) << 24)) >>> 0;
    }
    if (inRange(offset, GICD_ICFGR, 0x100)) {
      const irq = (offset - GICD_ICFGR) * 4;
      if (!this.isSpi(irq)) return 0;
      const half = (bmpWord(s.edge_trigger, irq & ~31) >>> (irq & 31 ? 16 : 0)) & 0xffff;
      return (spreadEven(half) << 1) >>> 0;
    }
    if (inRange(offset, GICD_IROUTER, 0x1fe0)) {
      const r = this.irouter((offset - GICD_IROUTER) >> 3);
      return Number(offset & 4 ? r >> 32n : r & 0xffffffffn);
    }
    if (inRange(offset, GIC_IDREGS, 0x30)) return gicIdReg(offset - GIC_IDREGS, GICV3_PIDR0_DIST, this.gic.revision);
    if (this.razWiWord(offset)) return 0;
    return undefined;
  }

  private writeWord(offset: number, value: number): boolean {
    const s = this.s;
    switch (offset) {
      case GICD_CTLR: {
        // With DS only the group enables are writable; ARE and DS stay set.
        const mask = GICD_CTLR_EN_GRP0 | GICD_CTLR_EN_GRP1NS;
        s.gicd_ctlr = ((s.gicd_ctlr & ~mask) | (value & mask)) >>> 0;
        this.gic.update();
        return true;
      }
      case GICD_TYPER:
      case GICD_IIDR:
        this.gic.guestError(`GICD: write to read-only register at 0x${offset.toString(16)}`);
        return true;
      case GICD_STATUSR:
      case GICD_SGIR: // RES0 with affinity routing
        return true;
    }
    if (inRange(offset, GICD_IGROUPR, 0x80)) {
      const irq = (offset - GICD_IGROUPR) * 8;
      if (this.isSpi(irq)) {
        s.group[irq >> 5] = value >>> 0;
        this.gic.update();
      }
      return true;
    }
    for (const bank of BITMAP_BANKS) {
      if (!inRange(offset, bank.base, 0x80)) continue;
      const irq = (offset - bank.base) * 8;
      if (this.isSpi(irq)) {
        const bmp = s[bank.key];
        bmp[irq >> 5] = bank.set ? bmp[irq >> 5]! | value : bmp[irq >> 5]! & ~value;
        this.gic.update();
      }
      return true;
    }
    if (inRange(offset, GICD_IPRIORITYR, 0x400)) {
      const irq = offset - GICD_IPRIORITYR;
      if (irq < GIC_INTERNAL || irq + 3 >= this.gic.numIrq) return true;
      for (let i = 0; i < 4; i++) s.gicd_ipriority[irq + i] = (value >>> (8 * i)) & 0xff;
      this.gic.update();
      return true;
    }
    if (inRange(offset, GICD_ICFGR, 0x100)) {
      const irq = (offset - GICD_ICFGR) * 4;
      if (!this.isSpi(irq)) return true;
      // Bit 2n+1 of the field selects edge; the edge_trigger bitmap keeps one bit per INTID.
      const shift = irq & 31 ? 16 : 0;
      const mask = (0xffff << shift) >>> 0;
      const w = irq >> 5;
      s.edge_trigger[w] = ((s.edge_trigger[w]! & ~mask) | ((gatherEven(value >>> 1) << shift) & mask)) >>> 0;
      return true;
    }
    if (inRange(offset, GICD_IROUTER, 0x1fe0)) {
      const irq = (offset - GICD_IROUTER) >> 3;
      if (!this.isSpi(irq)) return true;
      const r = this.irouter(irq);
      const v = BigInt(value >>> 0);
      this.setIrouter(irq, offset & 4 ? (r & 0xffffffffn) | (v << 32n) : (r & ~0xffffffffn) | v);
      return true;
    }
    if (inRange(offset, GIC_IDREGS, 0x30)) {
      this.gic.guestError(`GICD: write to ID register at 0x${offset.toString(16)}`);
      return true;
    }
    return this.razWiWord(offset);
  }

  /** IGRPMODR and NSACR (RAZ/WI with DS), ITARGETSR and the SGI pending registers (affinity routing). */
  private razWiWord(offset: number): boolean {
    return inRange(offset, GICD_IGRPMODR, 0x100) || inRange(offset, GICD_NSACR, 0x100) || this.razWiByte(offset);
  }

  /** A 32-INTID word of a group-style register: RAZ for SGIs, PPIs and unimplemented INTIDs. */
  private word(bmp: Uint32Array, irq: number): number {
    return this.isSpi(irq) ? bmpWord(bmp, irq) : 0;
  }

  // ------------------------------------------------------------- quads

  private readQuad(offset: number): bigint | undefined {
    if (inRange(offset, GICD_IROUTER, 0x1fe0) && offset % 8 === 0) return this.irouter((offset - GICD_IROUTER) >> 3);
    return undefined;
  }

  private writeQuad(offset: number, value: bigint): boolean {
    if (!inRange(offset, GICD_IROUTER, 0x1fe0) || offset % 8 !== 0) return false;
    const irq = (offset - GICD_IROUTER) >> 3;
    if (this.isSpi(irq)) this.setIrouter(irq, value);
    return true;
  }

  private irouter(irq: number): bigint {
    return this.isSpi(irq) ? this.s.gicd_irouter[irq]! : 0n;
  }

  private setIrouter(irq: number, value: bigint): void {
    this.s.gicd_irouter[irq] = BigInt.asUintN(64, value);
    this.gic.update();
  }
}

/** gicv3_dist_set_irq: a change of an SPI's input; a rising edge latches pending if edge-triggered. Returns false if unchanged. */
export function setSpiLevel(s: Gicv3State, irq: number, level: boolean): boolean {
  if (bmpTest(s.level, irq) === level) return false;
  bmpSet(s.level, irq, level);
  if (level && bmpTest(s.edge_trigger, irq)) bmpSet(s.pending, irq, true);
  return true;
}
