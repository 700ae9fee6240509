/**
 * A CPU's state right after reset, for a given configuration: what QEMU 7.2's
 * arm_cpu_reset (target/arm/cpu.c) leaves in the migrated fields of a
 * `virt` machine's CPU, with the model's reset cpreg list (models.ts), and
 * the locals QEMU's needed() rules read filled from the configuration.
 */
import { createState } from "@vmstate/core";
import { aa32CpregIndex, aa64SysregIndex, findCpreg, setCpregList, writeCpreg } from "./cpreg.js";
import { armCpuDescription, type ArmCpuState } from "./description.js";
import { ARM_CPU_MODELS, type ArmCpuModel, type ArmCpuModelName } from "./models.js";
import { VFP_XREGS_FIRST, VfpXreg } from "./vfp.js";

/** Architecture features of cores other than the AArch64 A-profile ones of `virt` (QEMU's ARM_FEATURE_*). */
export interface ArmFeatureFlags {
  /** M-profile (Cortex-M): sends `cpu/m` and `cpu/pmsav7-rnr`. */
  readonly m?: boolean;
  /** ARMv7. Default: true for AArch64 models. */
  readonly v7?: boolean;
  /** ARMv8. Default: true for AArch64 models. */
  readonly v8?: boolean;
  /** An MPU instead of an MMU: sends `cpu/pmsav7` (v7 without v8) or `cpu/pmsav8` (v8). */
  readonly pmsa?: boolean;
  /** iWMMXt: sends `cpu/iwmmxt`. */
  readonly iwmmxt?: boolean;
  /** ThumbEE: sends `cpu/thumb2ee`. */
  readonly thumb2ee?: boolean;
  /** The v8-M Security Extension: sends `cpu/m-security`. */
  readonly mSecurity?: boolean;
}

export interface ArmCpuConfig {
  /**
   * The CPU model: its cpreg list, VFP identification words and ID register
   * features. Default "cortex-a57", as in the committed streams.
   */
  readonly model?: ArmCpuModelName | ArmCpuModel;
  /** ARM_FEATURE_AARCH64: decides which ID feature `cpu/vfp` follows and the PSTATE/CPSR format. Default true. */
  readonly aarch64?: boolean;
  /** FP/SIMD (aa64_fp_simd, or aa32_vfp_simd on AArch32 cores): sends `cpu/vfp`. Default: the model's. */
  readonly fpSimd?: boolean;
  /** SVE (aa64_sve): sends `cpu/sve`. Default: the model's. */
  readonly sve?: boolean;
  /** M-profile Vector Extension (aa32_mve): sends `cpu/m/mve` inside `cpu/m`. Default false. */
  readonly mve?: boolean;
  readonly features?: ArmFeatureFlags;
  /** CLIDR (M-profile `cpu/m/csselr` goes out when it lists no cache). Default 0. */
  readonly clidr?: number;
  /** MPU regions (pmsav7_dregion): the length of the `cpu/pmsav*` region arrays. Default 0. */
  readonly pmsav7Dregion?: number;
  /** SAU regions (sau_sregion): the length of the `cpu/m-security` SAU arrays. Default 0. */
  readonly sauSregion?: number;
  /**
   * Exception level an AArch64 CPU resets into: its highest one. Default 1,
   * as on `virt` unless virtualization=on (2) or secure=on (3). The model's
   * cpreg lists are those of the default board; EL2/EL3 add registers QEMU
   * would list.
   */
  readonly resetEl?: 1 | 2 | 3;
  /** The reset PC (QEMU samples RVBAR). Default 0. */
  readonly resetPc?: bigint;
  /** Held powered off by PSCI at reset (`virt` starts every CPU but the first so). Default false. */
  readonly startPoweredOff?: boolean;
  /** The cpreg list as [id, value] pairs, instead of the model's. */
  readonly cpregs?: Iterable<readonly [bigint, bigint]>;
  /** CPUs of the machine (`-smp`), which L2CTLR reports where the model has it. Default 1. */
  readonly coreCount?: number;
}

/** L2CTLR_EL1 and its AArch32 view (Cortex-A57/A53/A72): QEMU reads the core count, less one, shifted to bit 24. */
export const L2CTLR_EL1 = aa64SysregIndex(3, 1, 11, 0, 2);
export const L2CTLR_AA32 = aa32CpregIndex({ cp: 15, opc1: 1, crn: 9, crm: 0, opc2: 2, ns: true });

/** PSTATE/CPSR bits used at reset. */
export const Pstate = Object.freeze({
  /** Z: QEMU keeps "Z is clear" as a non-zero word, which reset zeroes, so a reset CPU has Z set. */
  Z: 0x4000_0000,
  D: 0x200,
  A: 0x100,
  I: 0x80,
  F: 0x40,
  /** nRW: AArch32 state. */
  nRW: 0x10,
  EL1h: 0x5,
  EL2h: 0x9,
  EL3h: 0xd,
});
/** AArch32 Supervisor and Hyp modes. */
const MODE_SVC = 0x13;
const MODE_HYP = 0x1a;

const bit = (b: boolean | undefined): number => (b ? 1 : 0);

export function createArmCpuState(config: ArmCpuConfig = {}): ArmCpuState {
  const model = typeof config.model === "object" ? config.model : ARM_CPU_MODELS[config.model ?? "cortex-a57"]();
  const s = createState(armCpuDescription);
  const aarch64 = config.aarch64 ?? true;
  const f = config.features ?? {};
  const fpSimd = config.fpSimd ?? model.fpSimd;

  s["features.aarch64"] = bit(aarch64);
  s["features.m"] = bit(f.m);
  s["features.v7"] = bit(f.v7 ?? aarch64);
  s["features.v8"] = bit(f.v8 ?? aarch64);
  s["features.pmsa"] = bit(f.pmsa);
  s["features.iwmmxt"] = bit(f.iwmmxt);
  s["features.thumb2ee"] = bit(f.thumb2ee);
  s["features.m_security"] = bit(f.mSecurity);
  s["isar.aa64_fp_simd"] = bit(aarch64 && fpSimd);
  s["isar.aa32_vfp_simd"] = bit(fpSimd);
  s["isar.aa64_sve"] = bit(aarch64 && (config.sve ?? model.sve));
  s["isar.aa32_mve"] = bit(config.mve);
  s.clidr = (config.clidr ?? 0) >>> 0;
  s.pmsav7_dregion = (config.pmsav7Dregion ?? 0) >>> 0;
  s.sau_sregion = (config.sauSregion ?? 0) >>> 0;
  // Region arrays as long as the counts say (QEMU allocates them at realize).
  s["env.pmsav7.drbar"] = new Uint32Array(s.pmsav7_dregion);
  s["env.pmsav7.drsr"] = new Uint32Array(s.pmsav7_dregion);
  s["env.pmsav7.dracr"] = new Uint32Array(s.pmsav7_dregion);
  s["env.pmsav8.rbar[M_REG_NS]"] = new Uint32Array(s.pmsav7_dregion);
  s["env.pmsav8.rlar[M_REG_NS]"] = new Uint32Array(s.pmsav7_dregion);
  s["env.pmsav8.rbar[M_REG_S]"] = new Uint32Array(s.pmsav7_dregion);
  s["env.pmsav8.rlar[M_REG_S]"] = new Uint32Array(s.pmsav7_dregion);
  s["env.sau.rbar"] = new Uint32Array(s.sau_sregion);
  s["env.sau.rlar"] = new Uint32Array(s.sau_sregion);

  setCpregList(s, config.cpregs ?? model.cpregs);
  const cores = config.coreCount ?? 1;
  if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`bad core count ${cores}`);
  for (const id of [L2CTLR_EL1, L2CTLR_AA32]) {
    if (findCpreg(s, id) >= 0) writeCpreg(s, id, BigInt(cores - 1) << 24n);
  }

  // arm_cpu_reset
  s["env.vfp.xregs[0]"] = model.fpsid >>> 0;
  s["env.vfp.xregs"][VfpXreg.MVFR0 - VFP_XREGS_FIRST] = model.mvfr0 >>> 0;
  s["env.vfp.xregs"][VfpXreg.MVFR1 - VFP_XREGS_FIRST] = model.mvfr1 >>> 0;
  s["env.vfp.xregs"][VfpXreg.MVFR2 - VFP_XREGS_FIRST] = model.mvfr2 >>> 0;
  s.power_state = bit(config.startPoweredOff);
  const daif = Pstate.D | Pstate.A | Pstate.I | Pstate.F;
  if (f.m) {
    s.cpsr = Pstate.Z;
  } else if (aarch64) {
    const el = config.resetEl ?? 1;
    s.cpsr = (Pstate.Z | daif | (el === 3 ? Pstate.EL3h : el === 2 ? Pstate.EL2h : Pstate.EL1h)) >>> 0;
    s["env.pc"] = config.resetPc ?? 0n;
  } else {
    // AArch32 resets in Hyp mode when EL2 is the highest level, else in Supervisor mode; A, I and F set.
    s.cpsr = (Pstate.Z | Pstate.A | Pstate.I | Pstate.F | (config.resetEl === 2 ? MODE_HYP : MODE_SVC)) >>> 0;
    s["env.regs"][15] = Number(BigInt.asUintN(32, config.resetPc ?? 0n));
  }
  // arm_clear_exclusive: no exclusive monitor address.
  s["env.exclusive_addr"] = 0xffff_ffff_ffff_ffffn;
  return s;
}
