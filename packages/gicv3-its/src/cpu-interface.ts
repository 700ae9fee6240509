/**
 * The GICv3 CPU interface's AArch64 system registers (QEMU's
 * arm_gicv3_cpuif.c, physical interface only), as a Non-secure EL1 on a
 * CPU without EL3 sees them with GICD_CTLR.DS = 1: group 1 registers use
 * the G1NS bank (icc_bpr[2], icc_apr[2][n], icc_igrpen[2]), ICC_CTLR_EL1
 * the Non-secure bank (icc_ctlr_el1[1]). Everything lives in the CPU's
 * `arm_gicv3_cpu` state; the running priority comes from the
 * active-priority registers.
 */
import { ctz32 } from "./bitmap.js";
import type { Gicv3CpuState } from "./descriptions.js";
import {
  GICD_CTLR_DS,
  GICV3_G0,
  GICV3_G1,
  GICV3_G1NS,
  GICV3_NS,
  GICV3_S,
  GIC_PREBITS,
  ICC_CTLR_EL1_CBPR,
  ICC_CTLR_EL1_EOIMODE,
  ICC_CTLR_EL1_RESET,
  ICC_CTLR_EL3_RESET,
  ICC_FULLPRIO_MASK,
  ICC_MIN_BPR,
  ICC_MIN_BPR_NS,
  ICC_NUM_APRS,
  ICC_SRE_EL1_VALUE,
  INTID_SPECIAL_FIRST,
  type GicGroup,
} from "./gicv3-defs.js";
import type { PendingIrq } from "./pending.js";
import { LPI_INTID_BASE, SPURIOUS_INTID } from "./redistributor.js";

/** A system register key as MRS/MSR encode it: op0:op1:CRn:CRm:op2. */
export const sysregKey = (op0: number, op1: number, crn: number, crm: number, op2: number): number =>
  (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

/** The ICC_* registers this CPU interface implements. */
export const ICC = Object.freeze({
  PMR_EL1: sysregKey(3, 0, 4, 6, 0),
  IAR0_EL1: sysregKey(3, 0, 12, 8, 0),
  EOIR0_EL1: sysregKey(3, 0, 12, 8, 1),
  HPPIR0_EL1: sysregKey(3, 0, 12, 8, 2),
  BPR0_EL1: sysregKey(3, 0, 12, 8, 3),
  AP0R0_EL1: sysregKey(3, 0, 12, 8, 4),
  AP1R0_EL1: sysregKey(3, 0, 12, 9, 0),
  DIR_EL1: sysregKey(3, 0, 12, 11, 1),
  RPR_EL1: sysregKey(3, 0, 12, 11, 3),
  SGI1R_EL1: sysregKey(3, 0, 12, 11, 5),
  ASGI1R_EL1: sysregKey(3, 0, 12, 11, 6),
  SGI0R_EL1: sysregKey(3, 0, 12, 11, 7),
  IAR1_EL1: sysregKey(3, 0, 12, 12, 0),
  EOIR1_EL1: sysregKey(3, 0, 12, 12, 1),
  HPPIR1_EL1: sysregKey(3, 0, 12, 12, 2),
  BPR1_EL1: sysregKey(3, 0, 12, 12, 3),
  CTLR_EL1: sysregKey(3, 0, 12, 12, 4),
  SRE_EL1: sysregKey(3, 0, 12, 12, 5),
  IGRPEN0_EL1: sysregKey(3, 0, 12, 12, 6),
  IGRPEN1_EL1: sysregKey(3, 0, 12, 12, 7),
});

/** What the CPU interface needs of the GIC. */
export interface CpuInterfaceHost {
  readonly numIrq: number;
  readonly lpis: boolean;
  readonly cpuCount: number;
  gicdCtlr(): number;
  cpuState(cpu: number): Gicv3CpuState;
  /** The CPU's highest-priority pending interrupt now. */
  hppi(cpu: number): PendingIrq;
  /** Pending → active (an SGI/PPI or SPI), or no longer pending (an LPI). */
  activate(cpu: number, intid: number): void;
  deactivate(cpu: number, intid: number): void;
  /** An SGI of group `grp` generated for `target` (gicv3_redist_send_sgi). */
  sendSgi(target: number, grp: GicGroup, sgi: number): void;
  /** The affinity of a CPU as GICR_TYPER[63:32] has it. */
  affinity(cpu: number): number;
  /** Re-evaluate one CPU's interrupt lines. */
  updateCpu(cpu: number): void;
}

const U32 = 0xffffffffn;
const aprIndex = (grp: GicGroup, n: number) => grp * 4 + n;

/** icc_reset: the CPU interface's part of a CPU reset. */
export function resetCpuInterface(cs: Gicv3CpuState): void {
  cs.icc_ctlr_el1[GICV3_S] = ICC_CTLR_EL1_RESET;
  cs.icc_ctlr_el1[GICV3_NS] = ICC_CTLR_EL1_RESET;
  cs.icc_pmr_el1 = 0n;
  cs.icc_bpr[GICV3_G0] = BigInt(ICC_MIN_BPR);
  cs.icc_bpr[GICV3_G1] = BigInt(ICC_MIN_BPR);
  cs.icc_bpr[GICV3_G1NS] = BigInt(ICC_MIN_BPR_NS);
  cs.icc_apr.fill(0n);
  cs.icc_igrpen.fill(0n);
  cs.icc_ctlr_el3 = ICC_CTLR_EL3_RESET;
  // TCG keeps ICC_SRE_EL1 as a constant register: the migrated field stays 0.
  cs.icc_sre_el1 = 0n;
}

/** icc_highest_active_prio: the running priority, 0xff when nothing is active. */
export function runningPriority(cs: Gicv3CpuState): number {
  for (let i = 0; i < ICC_NUM_APRS; i++) {
    const apr = Number((cs.icc_apr[aprIndex(GICV3_G0, i)]! | cs.icc_apr[aprIndex(GICV3_G1, i)]! | cs.icc_apr[aprIndex(GICV3_G1NS, i)]!) & U32);
    if (apr !== 0) return ((i * 32 + ctz32(apr)) << (ICC_MIN_BPR + 1)) & 0xff;
  }
  return 0xff;
}

/** icc_gprio_mask: the group-priority bits of a priority in `grp`, by its BPR (CBPR sharing BPR0). */
function groupPriorityMask(cs: Gicv3CpuState, grp: GicGroup): number {
  if ((grp === GICV3_G1 && cs.icc_ctlr_el1[GICV3_S]! & ICC_CTLR_EL1_CBPR) || (grp === GICV3_G1NS && cs.icc_ctlr_el1[GICV3_NS]! & ICC_CTLR_EL1_CBPR)) grp = GICV3_G0;
  let bpr = Number(cs.icc_bpr[grp]! & 7n);
  if (grp === GICV3_G1NS) bpr = Math.max(bpr - 1, 0);
  return (0xff << (bpr + 1)) & 0xff;
}

/** icc_hppi_can_preempt: enabled at the interface, above PMR, and above the running priority's group priority. */
export function canPreempt(cs: Gicv3CpuState, hppi: PendingIrq): boolean {
  if (hppi.prio === 0xff || cs.icc_igrpen[hppi.grp] === 0n) return false;
  if (BigInt(hppi.prio) >= cs.icc_pmr_el1) return false;
  const running = runningPriority(cs);
  if (running === 0xff) return true;
  const mask = groupPriorityMask(cs, hppi.grp);
  return (hppi.prio & mask) < (running & mask);
}

/** Whether the CPU's interface signals IRQ or FIQ (gicv3_cpuif_update): group 0 is FIQ, Non-secure group 1 IRQ. */
export function cpuLines(cs: Gicv3CpuState, hppi: PendingIrq): { irq: boolean; fiq: boolean } {
  // Without EL3 a Secure group 1 interrupt is taken as group 0.
  const p = hppi.grp === GICV3_G1 ? { ...hppi, grp: GICV3_G0 as GicGroup } : hppi;
  if (!canPreempt(cs, p)) return { irq: false, fiq: false };
  return p.grp === GICV3_G0 ? { irq: false, fiq: true } : { irq: true, fiq: false };
}

export class Gicv3CpuInterface {
  constructor(private readonly gic: CpuInterfaceHost) {}

  /** MRS: the value, or undefined when `key` is not a register this interface reads. */
  read(cpu: number, key: number): bigint | undefined {
    const cs = this.gic.cpuState(cpu);
    switch (key) {
      case ICC.PMR_EL1:
        return cs.icc_pmr_el1;
      case ICC.IAR0_EL1:
        return BigInt(this.acknowledge(cpu, GICV3_G0));
      case ICC.IAR1_EL1:
        return BigInt(this.acknowledge(cpu, GICV3_G1NS));
      case ICC.HPPIR0_EL1:
        return BigInt(this.visible(cpu, this.gic.hppi(cpu), GICV3_G0));
      case ICC.HPPIR1_EL1:
        return BigInt(this.visible(cpu, this.gic.hppi(cpu), GICV3_G1NS));
      case ICC.BPR0_EL1:
        return cs.icc_bpr[GICV3_G0]!;
      case ICC.BPR1_EL1:
        // With CBPR, BPR1 reads as BPR0 + 1, saturating at 7.
        if (cs.icc_ctlr_el1[GICV3_NS]! & ICC_CTLR_EL1_CBPR) return cs.icc_bpr[GICV3_G0]! + 1n > 7n ? 7n : cs.icc_bpr[GICV3_G0]! + 1n;
        return cs.icc_bpr[GICV3_G1NS]!;
      case ICC.AP0R0_EL1:
        return cs.icc_apr[aprIndex(GICV3_G0, 0)]!;
      case ICC.AP1R0_EL1:
        return cs.icc_apr[aprIndex(GICV3_G1NS, 0)]!;
      case ICC.RPR_EL1:
        return BigInt(runningPriority(cs));
      case ICC.CTLR_EL1:
        return cs.icc_ctlr_el1[GICV3_NS]!;
      case ICC.SRE_EL1:
        return ICC_SRE_EL1_VALUE;
      case ICC.IGRPEN0_EL1:
        return cs.icc_igrpen[GICV3_G0]!;
      case ICC.IGRPEN1_EL1:
        return cs.icc_igrpen[GICV3_G1NS]!;
      default:
        return undefined; // write-only, or not ours: UNDEFINED
    }
  }

  /** MSR: false when `key` is not a register this interface writes. */
  write(cpu: number, key: number, value: bigint): boolean {
    const cs = this.gic.cpuState(cpu);
    value = BigInt.asUintN(64, value);
    switch (key) {
      case ICC.PMR_EL1:
        // QEMU clears the unimplemented priority bits with a 32-bit mask, so bits [31:8] are kept as written.
        cs.icc_pmr_el1 = value & (U32 & ~BigInt(~ICC_FULLPRIO_MASK & 0xff));
        break;
      case ICC.EOIR0_EL1:
        this.endOfInterrupt(cpu, value, GICV3_G0);
        return true;
      case ICC.EOIR1_EL1:
        this.endOfInterrupt(cpu, value, GICV3_G1NS);
        return true;
      case ICC.DIR_EL1:
        this.deactivateDirect(cpu, value);
        return true;
      case ICC.BPR0_EL1:
        cs.icc_bpr[GICV3_G0] = (value < BigInt(ICC_MIN_BPR) ? BigInt(ICC_MIN_BPR) : value) & 7n;
        break;
      case ICC.BPR1_EL1:
        if (cs.icc_ctlr_el1[GICV3_NS]! & ICC_CTLR_EL1_CBPR) return true; // BPR0 rules: ignored
        cs.icc_bpr[GICV3_G1NS] = (value < BigInt(ICC_MIN_BPR_NS) ? BigInt(ICC_MIN_BPR_NS) : value) & 7n;
        break;
      case ICC.AP0R0_EL1:
        cs.icc_apr[aprIndex(GICV3_G0, 0)] = value & U32;
        break;
      case ICC.AP1R0_EL1:
        cs.icc_apr[aprIndex(GICV3_G1NS, 0)] = value & U32;
        break;
      case ICC.CTLR_EL1: {
        // Only CBPR and EOImode are writable (no EL3).
        const mask = ICC_CTLR_EL1_CBPR | ICC_CTLR_EL1_EOIMODE;
        cs.icc_ctlr_el1[GICV3_NS] = (cs.icc_ctlr_el1[GICV3_NS]! & ~mask) | (value & mask);
        break;
      }
      case ICC.SRE_EL1:
        return true; // constant
      case ICC.IGRPEN0_EL1:
        cs.icc_igrpen[GICV3_G0] = value & 1n;
        break;
      case ICC.IGRPEN1_EL1:
        cs.icc_igrpen[GICV3_G1NS] = value & 1n;
        break;
      case ICC.SGI1R_EL1:
        this.generateSgi(cpu, value, GICV3_G1NS);
        return true;
      case ICC.ASGI1R_EL1:
        this.generateSgi(cpu, value, GICV3_G1);
        return true;
      case ICC.SGI0R_EL1:
        this.generateSgi(cpu, value, GICV3_G0);
        return true;
      default:
        return false; // read-only, or not ours
    }
    this.gic.updateCpu(cpu);
    return true;
  }

  /**
   * icc_hppir0_value / icc_hppir1_value for a Non-secure EL1: the pending
   * interrupt if it is enabled and of the register's group, else 1023.
   */
  private visible(cpu: number, hppi: PendingIrq, grp: GicGroup): number {
    const cs = this.gic.cpuState(cpu);
    if (hppi.prio === 0xff || cs.icc_igrpen[hppi.grp] === 0n) return SPURIOUS_INTID;
    const secure = !(this.gic.gicdCtlr() & GICD_CTLR_DS) && hppi.grp !== GICV3_G1NS;
    if (secure) return SPURIOUS_INTID;
    if (grp === GICV3_G0) return hppi.grp === GICV3_G0 ? hppi.intid : SPURIOUS_INTID;
    return hppi.grp === GICV3_G0 ? SPURIOUS_INTID : hppi.intid;
  }

  /** icc_iar0_read / icc_iar1_read: take the interrupt if it may preempt, raising the running priority. */
  private acknowledge(cpu: number, grp: GicGroup): number {
    const cs = this.gic.cpuState(cpu);
    const hppi = this.gic.hppi(cpu);
    const intid = canPreempt(cs, hppi) ? this.visible(cpu, hppi, grp) : SPURIOUS_INTID;
    if (intid >= INTID_SPECIAL_FIRST && intid <= SPURIOUS_INTID) return intid;
    // icc_activate_irq: the group priority's bit in the active-priority register.
    const prio = hppi.prio & groupPriorityMask(cs, hppi.grp);
    const aprbit = prio >> (8 - GIC_PREBITS);
    const i = aprIndex(hppi.grp, aprbit >> 5);
    cs.icc_apr[i] = cs.icc_apr[i]! | (1n << BigInt(aprbit & 31));
    this.gic.activate(cpu, intid);
    return intid;
  }

  /** icc_highest_active_group: the group whose active-priority bit is lowest; -1 if none. */
  private highestActiveGroup(cs: Gicv3CpuState): GicGroup | -1 {
    for (let i = 0; i < 4; i++) {
      const g0 = ctz32(Number(cs.icc_apr[aprIndex(GICV3_G0, i)]! & U32));
      const g1 = ctz32(Number(cs.icc_apr[aprIndex(GICV3_G1, i)]! & U32));
      const g1ns = ctz32(Number(cs.icc_apr[aprIndex(GICV3_G1NS, i)]! & U32));
      if (g1ns < g0 && g1ns < g1) return GICV3_G1NS;
      if (g1 < g0) return GICV3_G1;
      if (g0 < 32) return GICV3_G0;
    }
    return -1;
  }

  /** icc_eoir_write: drop the running priority of the register's group; with EOImode 0 also deactivate. */
  private endOfInterrupt(cpu: number, value: bigint, grp: GicGroup): void {
    const cs = this.gic.cpuState(cpu);
    const intid = Number(value & 0xffffffn);
    if (intid >= this.gic.numIrq && !(this.gic.lpis && intid >= LPI_INTID_BASE)) return; // spurious or no such interrupt
    // EOIR0 ends group 0; EOIR1 ends Non-secure group 1 (Secure group 1 needs a Secure state).
    if (this.highestActiveGroup(cs) !== grp) return;
    for (let i = 0; i < ICC_NUM_APRS; i++) {
      const k = aprIndex(grp, i);
      const apr = cs.icc_apr[k]!;
      if (apr === 0n) continue;
      cs.icc_apr[k] = apr & (apr - 1n);
      break;
    }
    this.gic.updateCpu(cpu);
    if (!(cs.icc_ctlr_el1[GICV3_NS]! & ICC_CTLR_EL1_EOIMODE)) this.gic.deactivate(cpu, intid);
  }

  /** icc_dir_write: with EOImode 1, deactivate an SGI, PPI or SPI. */
  private deactivateDirect(cpu: number, value: bigint): void {
    const cs = this.gic.cpuState(cpu);
    const intid = Number(value & 0xffffffn);
    if (intid >= this.gic.numIrq) return; // special INTIDs and LPIs
    if (!(cs.icc_ctlr_el1[GICV3_NS]! & ICC_CTLR_EL1_EOIMODE)) return;
    this.gic.deactivate(cpu, intid);
  }

  /** icc_generate_sgi: to the CPUs of Aff3.Aff2.Aff1 named in the target list, or (IRM) to every other CPU. */
  private generateSgi(cpu: number, value: bigint, grp: GicGroup): void {
    const aff = Number((((value >> 48n) & 0xffn) << 16n) | (((value >> 32n) & 0xffn) << 8n) | ((value >> 16n) & 0xffn));
    const targets = Number(value & 0xffffn);
    const sgi = Number((value >> 24n) & 0xfn);
    const irm = ((value >> 40n) & 1n) === 1n;
    // With DS, a Secure group 1 SGI is a group 0 one.
    if (grp === GICV3_G1 && this.gic.gicdCtlr() & GICD_CTLR_DS) grp = GICV3_G0;
    for (let other = 0; other < this.gic.cpuCount; other++) {
      if (irm) {
        if (other === cpu) continue;
      } else {
        const affid = this.gic.affinity(other);
        const aff0 = affid & 0xff;
        if (affid >>> 8 !== aff || aff0 > 15 || !((targets >>> aff0) & 1)) continue;
      }
      this.gic.sendSgi(other, grp, sgi);
    }
  }
}
