/**
 * Facts about the GICv3 of QEMU 7.2's virt board (gic-version=3, no
 * security extensions): frame sizes, interrupt groups, register bits, the
 * CPU interface's priority bits, and the ID registers (gicv3_internal.h).
 */

/** The distributor frame (GICD). */
export const GICD_SIZE = 0x10000;
/** One CPU's redistributor: the RD_base frame, then the SGI_base frame. */
export const GICR_STRIDE = 0x20000;
export const GICR_SGI_BASE = 0x10000;

/** Interrupts the virt board's GIC has: 256 SPIs after the 32 SGIs and PPIs (num-irq). */
export const VIRT_NUM_IRQ = 288;
/** SGIs are INTIDs 0..15 (GIC_NR_SGIS); PPIs 16..31. */
export const GIC_NR_SGIS = 16;
/** INTIDs 1020..1023 are special: never activated or deactivated. */
export const INTID_SPECIAL_FIRST = 1020;

/** Interrupt groups, as QEMU indexes icc_bpr, icc_apr and icc_igrpen by them. */
export const GICV3_G0 = 0;
export const GICV3_G1 = 1;
export const GICV3_G1NS = 2;
export type GicGroup = typeof GICV3_G0 | typeof GICV3_G1 | typeof GICV3_G1NS;
/** Banks of icc_ctlr_el1: Secure, Non-secure. */
export const GICV3_S = 0;
export const GICV3_NS = 1;

export const GICD_CTLR_EN_GRP0 = 1 << 0;
export const GICD_CTLR_EN_GRP1NS = 1 << 1;
export const GICD_CTLR_EN_GRP1S = 1 << 2;
export const GICD_CTLR_DS = 1 << 6;

export const GICR_TYPER_PLPIS = 1n << 0n;
export const GICR_TYPER_LAST = 1n << 4n;
/** CommonLPIAff = 1: redistributors with the same Aff3 share LPI tables. */
export const GICR_TYPER_COMMON_LPI_AFF = 1n << 24n;
export const GICR_WAKER_PROCESSOR_SLEEP = 1 << 1;
export const GICR_WAKER_CHILDREN_ASLEEP = 1 << 2;

/** GICD_IIDR / GICR_IIDR: an Arm r0p0 with product ID 0, like a GIC-500 (gicv3_iidr). */
export const GICV3_IIDR = 0x43b;
/** CoreSight PIDR0 of each frame. */
export const GICV3_PIDR0_DIST = 0x92;
export const GICV3_PIDR0_REDIST = 0x93;
/** The ID register block at 0xffd0..0xfffc of the GICD and RD_base frames. */
export const GIC_IDREGS = 0xffd0;
const ID_BYTES = [0x44, 0x00, 0x00, 0x00, 0x92, 0xb4, 0x0b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** The ID register at `offset` from GIC_IDREGS (PIDR2 carries the architecture revision in [7:4]). */
export function gicIdReg(offset: number, pidr0: number, revision: number): number {
  const i = offset >>> 2;
  if (i === 4) return pidr0;
  const id = ID_BYTES[i] ?? 0;
  return i === 6 ? id | (revision << 4) : id;
}

/** Physical priority bits of the CPU interface (every QEMU 7.2 aarch64 CPU: 5), and preemption bits. */
export const GIC_PRIBITS = 5;
export const GIC_PREBITS = 5;
/** Priority bits a priority value keeps: the top GIC_PRIBITS. */
export const ICC_FULLPRIO_MASK = (0xff << (8 - GIC_PRIBITS)) & 0xff;
/** Smallest BPR for group 0 (and Secure group 1); Non-secure group 1 is one more. */
export const ICC_MIN_BPR = 7 - GIC_PREBITS;
export const ICC_MIN_BPR_NS = ICC_MIN_BPR + 1;
/** Active-priority registers per group: 1 with 5 preemption bits. */
export const ICC_NUM_APRS = 1 << Math.max(GIC_PREBITS - 5, 0);

export const ICC_CTLR_EL1_CBPR = 1n << 0n;
export const ICC_CTLR_EL1_EOIMODE = 1n << 1n;
/** ICC_CTLR_EL1 at reset: A3V, IDbits = 1 (24 bits), PRIbits = pribits - 1. */
export const ICC_CTLR_EL1_RESET = (1n << 15n) | (1n << 11n) | (BigInt(GIC_PRIBITS - 1) << 8n);
/** ICC_CTLR_EL3 at reset: nDS, A3V, IDbits, PRIbits. */
export const ICC_CTLR_EL3_RESET = (1n << 17n) | ICC_CTLR_EL1_RESET;
/** ICC_SRE_EL1 reads as 7 (SRE, DFB, DIB): system registers always on. */
export const ICC_SRE_EL1_VALUE = 7n;
