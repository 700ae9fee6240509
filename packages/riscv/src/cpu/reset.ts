/**
 * A hart's state right after reset, for a given configuration: what QEMU
 * 7.2's riscv_cpu_realize and riscv_cpu_reset (target/riscv/cpu.c) leave in
 * the migrated fields. The configuration is written into the migrated words
 * QEMU's needed() rules read (misa, features, priv_ver, misa_mxl_max), so the
 * subsections a reset hart sends follow from it.
 */
import { createState } from "@vmstate/core";
import { Feature, IPRIO_COUNT, misaBit, Mxl, Priv, PrivVersion, RV_MAX_TRIGGERS, VEXT_VERSION_1_00_0 } from "./constants.js";
import { riscvCpuDescription, type RiscvCpuState } from "./description.js";

export interface RiscvCpuConfig {
  /** mhartid. Default 0. */
  readonly hartId?: number | bigint;
  /**
   * misa extension letters. Default "acdfhimsu": QEMU 7.2's default riscv64
   * hart on `virt` (RV64GC with the hypervisor, S and U modes), as in the
   * committed streams. Add "v" for cpu/vector, "j" for cpu/pointer_masking.
   */
  readonly extensions?: string;
  /** Widest XLEN (misa_mxl_max); 128 sends cpu/rv128. Default 64. */
  readonly xlen?: 64 | 128;
  /** Physical memory protection (RISCV_FEATURE_PMP; sends cpu/pmp). Default true. */
  readonly pmp?: boolean;
  /** Enhanced PMP (RISCV_FEATURE_EPMP). Default false. */
  readonly epmp?: boolean;
  /** An MMU (RISCV_FEATURE_MMU). Default true. */
  readonly mmu?: boolean;
  /** Debug triggers (RISCV_FEATURE_DEBUG; sends cpu/debug). Default true. */
  readonly debug?: boolean;
  /** Privileged spec version (PrivVersion); 1.12 sends cpu/envcfg. Default 1.12. */
  readonly privVersion?: bigint;
  /** Reset vector. Default 0x1000, the virt board's boot ROM. */
  readonly resetVector?: bigint;
  /** Runs under KVM (sends cpu/kvmtimer). Default false: TCG. */
  readonly kvm?: boolean;
}

/** QEMU 7.2's default riscv64 extensions (misa 0x1411ad). */
export const DEFAULT_EXTENSIONS = "acdfhimsu";

/**
 * The AIA's default order of the local interrupts, highest priority first:
 * the interrupt at position i gets priority 4 + i; every other one gets the
 * lowest, 255.
 */
const DEFAULT_PRIORITY_ORDER = [
  47, 23, 46, 45, 22, 44, 43, 21, 42, 41, 20, 40, // upper group
  11, 3, 7, // machine external, software, timer
  9, 1, 5, // supervisor
  12, // supervisor guest external
  10, 2, 6, // virtual supervisor
  39, 19, 38, 37, 18, 36, 35, 17, 34, 33, 16, 32, // lower group
] as const;
const FIRST_DEFAULT_PRIORITY = 4;
const LOWEST_PRIORITY = 255;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;
/** The interrupts whose priorities hviprio1/2 hold (the others read as zero). */
const HVIPRIO_IRQS = [1, 5, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23] as const;

/** Default priority of local interrupt `irq` (QEMU's riscv_cpu_default_priority). */
export function defaultInterruptPriority(irq: number): number {
  const i = DEFAULT_PRIORITY_ORDER.indexOf(irq as (typeof DEFAULT_PRIORITY_ORDER)[number]);
  return i < 0 ? LOWEST_PRIORITY : FIRST_DEFAULT_PRIORITY + i;
}

/** mstatus.UXL and mstatus.SXL (RV64 and wider). */
const MSTATUS_UXL_SHIFT = 32n;
const MSTATUS_SXL_SHIFT = 34n;
/** miclaim at reset: the supervisor guest external interrupt (MIP_SGEIP) is claimed. */
const MIP_SGEIP = 1n << 12n;
/** mmte at reset: pointer masking state "initial", M-mode's current bit hardwired to 1. */
const MMTE_RESET = 0x201n;
/** tdata1 of an address/data match trigger (type 2) on RV64 and RV128. */
const TDATA1_MATCH = 2n << 60n;
const DEFAULT_RESET_VECTOR = 0x1000n;

export function createRiscvCpuState(config: RiscvCpuConfig = {}): RiscvCpuState {
  const s = createState(riscvCpuDescription);
  let misa = 0;
  for (const letter of config.extensions ?? DEFAULT_EXTENSIONS) misa |= misaBit(letter);
  misa >>>= 0;
  const has = (letter: string) => (misa & misaBit(letter)) !== 0;
  const mxl = config.xlen === 128 ? Mxl.RV128 : Mxl.RV64;

  s["accel.kvm"] = config.kvm ? 1 : 0;
  s["env.misa_mxl_max"] = mxl;
  s["env.misa_mxl"] = mxl;
  s["env.misa_ext"] = misa;
  s["env.misa_ext_mask"] = misa;
  let features = 0;
  if (config.mmu ?? true) features |= 1 << Feature.MMU;
  if (config.pmp ?? true) features |= 1 << Feature.PMP;
  if (config.epmp ?? false) features |= 1 << Feature.EPMP;
  if (config.debug ?? true) features |= 1 << Feature.DEBUG;
  s["env.features"] = features;
  s["env.priv_ver"] = config.privVersion ?? PrivVersion.V1_12_0;
  s["env.vext_ver"] = has("v") ? VEXT_VERSION_1_00_0 : 0n;
  s["env.mhartid"] = BigInt(config.hartId ?? 0);
  s["env.resetvec"] = config.resetVector ?? DEFAULT_RESET_VECTOR;

  // riscv_cpu_reset
  s["env.priv"] = Priv.M;
  s["env.pc"] = s["env.resetvec"];
  const xl = (BigInt(mxl) << MSTATUS_SXL_SHIFT) | (BigInt(mxl) << MSTATUS_UXL_SHIFT);
  s["env.mstatus"] = xl;
  if (has("h")) {
    s["env.vsstatus"] = xl;
    s["env.mstatus_hs"] = xl;
  }
  s["env.mcause"] = 0n;
  s["env.miclaim"] = MIP_SGEIP;
  s["env.load_res"] = 0xffff_ffff_ffff_ffffn; // no reservation (-1)
  for (let irq = 0; irq < IPRIO_COUNT; irq++) {
    const p = defaultInterruptPriority(irq);
    s["env.miprio"][irq] = irq === IRQ_M_EXT ? 0 : p;
    s["env.siprio"][irq] = irq === IRQ_S_EXT ? 0 : p;
  }
  for (const irq of HVIPRIO_IRQS) s["env.hviprio"][irq] = s["env.miprio"][irq]!;
  s["env.mmte"] = MMTE_RESET;
  s["env.vill"] = true;
  if (features & (1 << Feature.DEBUG)) {
    for (let i = 0; i < RV_MAX_TRIGGERS; i++) s["env.tdata1"][i] = TDATA1_MATCH;
  }
  return s;
}
