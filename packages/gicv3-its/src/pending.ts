/**
 * The highest-priority pending interrupt of each CPU (QEMU's hppi, from
 * gicv3_full_update_noirqset): SGIs and PPIs of its redistributor, SPIs
 * routed to it by GICD_IROUTER, and its LPIs. Always computed from the
 * state, never cached, so a loaded state needs nothing rebuilt.
 */
import { bmpWord } from "./bitmap.js";
import { GIC_INTERNAL, type Gicv3CpuState, type Gicv3State } from "./descriptions.js";
import { GICD_CTLR_DS, GICD_CTLR_EN_GRP0, GICD_CTLR_EN_GRP1NS, GICD_CTLR_EN_GRP1S, GICV3_G0, GICV3_G1, GICV3_G1NS, type GicGroup } from "./gicv3-defs.js";
import { GICR_CTLR_ENABLE_LPIS, SPURIOUS_INTID, type Gicv3Redistributors } from "./redistributor.js";

export interface PendingIrq {
  readonly intid: number;
  /** 0xff: nothing pending. */
  readonly prio: number;
  readonly grp: GicGroup;
}

export const NO_PENDING: PendingIrq = Object.freeze({ intid: SPURIOUS_INTID, prio: 0xff, grp: GICV3_G0 });

/** What the computation reads. */
export interface PendingSource {
  readonly state: Gicv3State;
  readonly numIrq: number;
  /** The GIC has LPIs (GICD_TYPER.LPIS). */
  readonly lpis: boolean;
  readonly redistributors: Gicv3Redistributors;
  /** The CPU an SPI's GICD_IROUTER names, if any. */
  targetOf(irq: number): number | undefined;
}

/** gicv3_irq_group: G1NS if the group bit is set, else G0 (always with DS) or G1 by the group modifier. */
export function irqGroup(s: Gicv3State, cs: Gicv3CpuState, irq: number): GicGroup {
  const groupBit = irq < GIC_INTERNAL ? (cs.gicr_igroupr0 >>> irq) & 1 : (bmpWord(s.group, irq) >>> (irq & 31)) & 1;
  if (groupBit) return GICV3_G1NS;
  if (s.gicd_ctlr & GICD_CTLR_DS) return GICV3_G0;
  const mod = irq < GIC_INTERNAL ? (cs.gicr_igrpmodr0 >>> irq) & 1 : (bmpWord(s.grpmod, irq) >>> (irq & 31)) & 1;
  return mod ? GICV3_G1 : GICV3_G0;
}

/** The groups GICD_CTLR enables, as a mask over 32 interrupts with these group / modifier bits. */
function groupMask(ctlr: number, group: number, grpmod: number): number {
  if (ctlr & GICD_CTLR_DS) grpmod = 0;
  let mask = 0;
  if (ctlr & GICD_CTLR_EN_GRP1NS) mask |= group;
  if (ctlr & GICD_CTLR_EN_GRP1S) mask |= ~group & grpmod;
  if (ctlr & GICD_CTLR_EN_GRP0) mask |= ~group & ~grpmod;
  return mask;
}

/**
 * gicd_int_pending: of the 32 SPIs from `irq`, those that can be signalled:
 * pending (latched, or level-triggered with the input high), enabled, not
 * active, in a group the distributor enables.
 */
export function distributorPending(s: Gicv3State, irq: number): number {
  let pend = bmpWord(s.pending, irq) | (~bmpWord(s.edge_trigger, irq) & bmpWord(s.level, irq));
  pend &= bmpWord(s.enabled, irq) & ~bmpWord(s.active, irq);
  return (pend & groupMask(s.gicd_ctlr, bmpWord(s.group, irq), bmpWord(s.grpmod, irq))) >>> 0;
}

/** gicr_int_pending: the same for one CPU's SGIs and PPIs. */
export function redistributorPending(s: Gicv3State, cs: Gicv3CpuState): number {
  let pend = cs.gicr_ipendr0 | (~cs.edge_trigger & cs.level);
  pend &= cs.gicr_ienabler0 & ~cs.gicr_iactiver0;
  return (pend & groupMask(s.gicd_ctlr, cs.gicr_igroupr0, cs.gicr_igrpmodr0)) >>> 0;
}

/** Lower priority value wins, then the lower INTID (QEMU's irqbetter). Priority 0xff never signals. */
function better(intid: number, prio: number, best: PendingIrq): boolean {
  return prio < best.prio || (prio === best.prio && prio !== 0xff && intid <= best.intid);
}

/** Every CPU's highest-priority pending interrupt. */
export function highestPending(src: PendingSource): PendingIrq[] {
  const s = src.state;
  const best: PendingIrq[] = s.cpu.map(() => NO_PENDING);
  for (let base = GIC_INTERNAL; base < src.numIrq; base += 32) {
    let pend = distributorPending(s, base);
    while (pend !== 0) {
      const n = 31 - Math.clz32(pend & -pend);
      pend &= pend - 1;
      const irq = base + n;
      const cpu = src.targetOf(irq);
      if (cpu === undefined) continue; // routed to no CPU: stays pending
      const prio = s.gicd_ipriority[irq]!;
      if (better(irq, prio, best[cpu]!)) best[cpu] = { intid: irq, prio, grp: irqGroup(s, s.cpu[cpu]!, irq) };
    }
  }
  for (let cpu = 0; cpu < s.cpu.length; cpu++) {
    const cs = s.cpu[cpu]!;
    let pend = redistributorPending(s, cs);
    while (pend !== 0) {
      const irq = 31 - Math.clz32(pend & -pend);
      pend &= pend - 1;
      const prio = cs.gicr_ipriorityr[irq]!;
      if (better(irq, prio, best[cpu]!)) best[cpu] = { intid: irq, prio, grp: irqGroup(s, cs, irq) };
    }
    const lpi = highestLpi(src, cpu);
    if (lpi && better(lpi.intid, lpi.prio, best[cpu]!)) best[cpu] = lpi;
  }
  return best;
}

/** The CPU's best LPI, when LPIs are on for it and Non-secure group 1 is enabled (LPIs are always G1NS). */
function highestLpi(src: PendingSource, cpu: number): PendingIrq | undefined {
  const cs = src.state.cpu[cpu]!;
  if (!src.lpis || !(cs.gicr_ctlr & GICR_CTLR_ENABLE_LPIS) || !(src.state.gicd_ctlr & GICD_CTLR_EN_GRP1NS)) return undefined;
  const intid = src.redistributors.highestPendingLpi(cpu);
  if (intid === SPURIOUS_INTID) return undefined;
  const config = src.redistributors.lpiConfig(cpu, intid);
  return config ? { intid, prio: config.priority, grp: GICV3_G1NS } : undefined;
}
