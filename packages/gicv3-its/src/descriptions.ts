/**
 * The two VMState sections of a GICv3 with an ITS, laid out as QEMU 7.2
 * writes them on `virt,gic-version=3,its=on`: `arm_gicv3` (the distributor,
 * the per-CPU redistributor and CPU-interface state) and `arm_gicv3_its`
 * (the ITS registers; its translation tables travel in guest RAM).
 *
 * Descriptions are data. QEMU's class hooks behind pre_save / post_load
 * (which differ between the TCG and the KVM device) are device-side work
 * here: see GicV3Its.loaded / beforeSave and Gicv3Redistributors.loaded.
 */
import {
  array,
  bool,
  createState,
  defineVMState,
  MigrationPriority,
  struct,
  subsection,
  uint32,
  uint64,
  uint8,
  varray,
  type StateOf,
} from "@vmstate/core";

/** Interrupt IDs the distributor covers (GICV3_MAXIRQ). */
export const GICV3_MAXIRQ = 1020;
/** SGIs and PPIs: the per-CPU interrupts (GIC_INTERNAL). */
export const GIC_INTERNAL = 32;
/** Words of a distributor bitmap (GICV3_BMP_SIZE). */
export const GICV3_BMP_SIZE = Math.ceil(GICV3_MAXIRQ / 32);
/** List registers the virtualization state carries (GICV3_LR_MAX). */
export const GICV3_LR_MAX = 16;

// ------------------------------------------------------------------ arm_gicv3

/** Sent when the CPU interface has list registers (the CPU implements EL2). */
export const gicv3CpuVirtDescription = defineVMState({
  name: "arm_gicv3_cpu/virt",
  version: 1,
  minimumVersion: 1,
  fields: {
    // A [3][4] array in QEMU: twelve elements on the wire and in the vmdesc.
    ich_apr: array(uint64, 12),
    ich_hcr_el2: uint64,
    ich_lr_el2: array(uint64, GICV3_LR_MAX),
    ich_vmcr_el2: uint64,
  },
});

/** Sent unless ICC_SRE_EL1 holds 7, the value a receiver assumes when it is absent. */
export const gicv3CpuSreEl1Description = defineVMState({
  name: "arm_gicv3_cpu/sre_el1",
  version: 1,
  minimumVersion: 1,
  fields: { icc_sre_el1: uint64 },
});

/** Sent for a GICv4 (revision 4) only. */
export const gicv3CpuGicv4Description = defineVMState({
  name: "arm_gicv3_cpu/gicv4",
  version: 1,
  minimumVersion: 1,
  fields: { gicr_vpropbaser: uint64, gicr_vpendbaser: uint64 },
});

/**
 * One CPU's redistributor and CPU interface. `num_list_regs` and
 * `gic_revision` are not migrated; they decide which subsections are sent
 * (an element created by the engine lacks them and counts as 0 and 3).
 */
export const gicv3CpuDescription = defineVMState({
  name: "arm_gicv3_cpu",
  version: 1,
  minimumVersion: 1,
  locals: ["num_list_regs", "gic_revision"],
  // With no sre_el1 subsection in the stream, ICC_SRE_EL1 is 7.
  preLoad: (s) => {
    s.icc_sre_el1 = 7n;
  },
  fields: {
    level: uint32,
    gicr_ctlr: uint32,
    gicr_statusr: array(uint32, 2),
    gicr_waker: uint32,
    gicr_propbaser: uint64,
    gicr_pendbaser: uint64,
    gicr_igroupr0: uint32,
    gicr_ienabler0: uint32,
    gicr_ipendr0: uint32,
    gicr_iactiver0: uint32,
    edge_trigger: uint32,
    gicr_igrpmodr0: uint32,
    gicr_nsacr: uint32,
    gicr_ipriorityr: array(uint8, GIC_INTERNAL),
    icc_ctlr_el1: array(uint64, 2),
    icc_pmr_el1: uint64,
    icc_bpr: array(uint64, 3),
    // A [3][4] array in QEMU.
    icc_apr: array(uint64, 12),
    icc_igrpen: array(uint64, 3),
    icc_ctlr_el3: uint64,
  },
  subsections: [
    subsection(gicv3CpuVirtDescription, (s: { num_list_regs?: number }) => (s.num_list_regs ?? 0) !== 0),
    subsection(gicv3CpuSreEl1Description, (s) => s.icc_sre_el1 !== 7n),
    subsection(gicv3CpuGicv4Description, (s: { gic_revision?: number }) => (s.gic_revision ?? 3) > 3),
  ],
});
export type Gicv3CpuState = StateOf<typeof gicv3CpuDescription>;

/** Always sent by 7.2: tells the receiver the bitmaps are not shifted by the old KVM bug. */
export const gicv3ShiftBugDescription = defineVMState({
  name: "arm_gicv3/gicd_no_migration_shift_bug",
  version: 1,
  minimumVersion: 1,
  fields: { gicd_no_migration_shift_bug: bool },
});

const SHIFTED_BITMAPS = ["group", "grpmod", "enabled", "pending", "active", "edge_trigger"] as const;

/**
 * `arm_gicv3`. Its pre_load is the TCG one: the shift-bug flag keeps its
 * local value (true after reset), so only a stream that carries the
 * subsection with `false` (or a pre-2.12 KVM source, which sends none and
 * would need the flag cleared beforehand) has its bitmaps moved down.
 */
export const gicv3Description = defineVMState({
  name: "arm_gicv3",
  version: 1,
  minimumVersion: 1,
  priority: MigrationPriority.GICV3,
  locals: ["num_cpu"],
  postLoad: (s) => {
    if (s.gicd_no_migration_shift_bug) return;
    // Old KVM sources put interrupt 32 at bit 64: move every bitmap down by
    // the 32 internal interrupts (one word), leaving the last word as it was.
    for (const key of SHIFTED_BITMAPS) s[key].copyWithin(0, GIC_INTERNAL / 32);
    s.gicd_no_migration_shift_bug = true;
  },
  fields: {
    gicd_ctlr: uint32,
    gicd_statusr: array(uint32, 2),
    group: array(uint32, GICV3_BMP_SIZE),
    grpmod: array(uint32, GICV3_BMP_SIZE),
    enabled: array(uint32, GICV3_BMP_SIZE),
    pending: array(uint32, GICV3_BMP_SIZE),
    active: array(uint32, GICV3_BMP_SIZE),
    level: array(uint32, GICV3_BMP_SIZE),
    edge_trigger: array(uint32, GICV3_BMP_SIZE),
    gicd_ipriority: array(uint8, GICV3_MAXIRQ),
    gicd_irouter: array(uint64, GICV3_MAXIRQ),
    gicd_nsacr: array(uint32, Math.ceil(GICV3_MAXIRQ / 16)),
    cpu: varray(struct(gicv3CpuDescription), "num_cpu", { countType: "uint32" }),
  },
  subsections: [subsection(gicv3ShiftBugDescription, () => true)],
});
export type Gicv3State = StateOf<typeof gicv3Description>;

export interface Gicv3StateOptions {
  /** GIC revision (3; 4 adds the gicv4 subsection). Default 3. */
  revision?: number;
  /** List registers of each CPU interface (0: no EL2, no virt subsection). Default 0. */
  numListRegs?: number;
  /** The GIC has LPIs (an ITS is attached): GICR_CTLR.CES is set at reset. Default true. */
  lpis?: boolean;
}

const GICD_CTLR_ARE = 1 << 4;
const GICD_CTLR_DS = 1 << 6;
const GICR_CTLR_CES = 1 << 1;
const GICR_WAKER_PROCESSOR_SLEEP = 1 << 1;
const GICR_WAKER_CHILDREN_ASLEEP = 1 << 2;

/** One CPU's state as the GIC's reset leaves it (no security extensions). */
export function createGicv3CpuState(options: Gicv3StateOptions = {}): Gicv3CpuState {
  const cpu = createState(gicv3CpuDescription);
  cpu.num_list_regs = options.numListRegs ?? 0;
  cpu.gic_revision = options.revision ?? 3;
  resetGicv3Cpu(cpu, options.lpis ?? true);
  return cpu;
}

/** The `arm_gicv3` state of a GIC with `numCpu` redistributors, as after reset. */
export function createGicv3State(numCpu: number, options: Gicv3StateOptions = {}): Gicv3State {
  const s = createState(gicv3Description);
  s.num_cpu = numCpu;
  s.cpu = Array.from({ length: numCpu }, () => createGicv3CpuState(options));
  s.gicd_ctlr = GICD_CTLR_DS | GICD_CTLR_ARE;
  s.gicd_no_migration_shift_bug = true;
  return s;
}

function resetGicv3Cpu(cpu: Gicv3CpuState, lpis: boolean): void {
  cpu.gicr_ctlr = lpis ? GICR_CTLR_CES : 0;
  cpu.gicr_waker = GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;
  cpu.edge_trigger = 0xffff;
  // The CPU interface resets with the CPU; SRE_EL1 reads 7 with system registers always on.
  cpu.icc_sre_el1 = 7n;
}

// -------------------------------------------------------------- arm_gicv3_its

/**
 * `arm_gicv3_its`: version 0, no subsections. TYPER and the table
 * descriptors are not migrated (recomputed by the receiver); the tables
 * themselves are guest RAM.
 */
export const itsDescription = defineVMState({
  name: "arm_gicv3_its",
  version: 0,
  priority: MigrationPriority.GICV3_ITS,
  fields: {
    ctlr: uint32,
    iidr: uint32,
    cbaser: uint64,
    cwriter: uint64,
    creadr: uint64,
    baser: array(uint64, 8),
  },
});
export type ItsState = StateOf<typeof itsDescription>;

/** A zeroed ITS state (the common reset; GicV3Its.reset fills in the rest). */
export function createItsState(): ItsState {
  return createState(itsDescription);
}
