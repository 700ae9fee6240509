/**
 * M-profile (Cortex-M) state: QEMU 7.2's `cpu/m` subsection with its own
 * nested subsections, and `cpu/m-security` (the v8-M Security Extension),
 * target/arm/machine.c. Fields indexed `[M_REG_NS]` / `[M_REG_S]` are the
 * Non-secure and Secure banks; QEMU's field names keep the enum names.
 * An AArch64 `virt` CPU sends none of this.
 *
 * The VMSTATE_VALIDATE checks QEMU interleaves with these fields (CSSELR,
 * MPU_RNR and SAU_RNR in range) carry no bytes and no vmdesc entry; they are
 * post_load checks here.
 */
import { array, defineVMState, int32, subsection, uint32, varray, type Description, type StateOf, type Subsection } from "@vmstate/core";
import { vfpNeeded } from "./vfp.js";

/** QEMU's M_REG_NUM_BANKS: Non-secure and Secure. */
export const M_REG_NUM_BANKS = 2;
/** CLIDR.Ctype1..7 (QEMU's R_V7M_CLIDR_CTYPE_ALL_MASK). */
export const CLIDR_CTYPE_ALL_MASK = 0x1f_ffff;
/** CSSELR.Level and InD (QEMU's R_V7M_CSSELR_INDEX_MASK). */
export const CSSELR_INDEX_MASK = 0xf;

type MainFlags = {
  readonly "features.m": number;
  readonly "features.v8": number;
  readonly "features.aarch64": number;
  readonly "isar.aa64_fp_simd": number;
  readonly "isar.aa32_vfp_simd": number;
  readonly "isar.aa32_mve": number;
  readonly clidr: number;
};

/** Sent for M-profile cores (m_needed: ARM_FEATURE_M). */
export function mNeeded(s: { readonly "features.m": number }): boolean {
  return !!s["features.m"];
}

/**
 * QEMU's m_csselr_needed: `!arm_v7m_csselr_razwi(cpu)`. That helper (cpu.h)
 * answers true when CLIDR lists some cache, the opposite of its name, so the
 * subsection goes out exactly when CLIDR.Ctype* are all zero. Reproduced as is.
 */
export function mCsselrNeeded(s: { readonly clidr: number }): boolean {
  return (s.clidr & CLIDR_CTYPE_ALL_MASK) === 0;
}

/** Sent for v8-M cores (m_v8m_needed). */
export function mV8mNeeded(s: { readonly "features.m": number; readonly "features.v8": number }): boolean {
  return !!s["features.m"] && !!s["features.v8"];
}

/** Sent for cores with MVE (mve_needed: the aa32_mve ID register feature). */
export function mMveNeeded(s: { readonly "isar.aa32_mve": number }): boolean {
  return !!s["isar.aa32_mve"];
}

function mSubsection<S>(desc: Description<S>, needed: (state: S & MainFlags) => boolean): Subsection<S> {
  return subsection<S, S & MainFlags>(desc, needed);
}

export const mFaultmaskPrimaskDescription = defineVMState({
  name: "cpu/m/faultmask-primask",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.v7m.faultmask[M_REG_NS]": uint32,
    "env.v7m.primask[M_REG_NS]": uint32,
  },
});

export const mCsselrDescription = defineVMState({
  name: "cpu/m/csselr",
  version: 1,
  minimumVersion: 1,
  fields: { "env.v7m.csselr": array(uint32, M_REG_NUM_BANKS) },
  postLoad: (s) => {
    for (const v of s["env.v7m.csselr"]) if (v > CSSELR_INDEX_MASK) throw new Error("CSSELR is not valid");
  },
});

export const mScrDescription = defineVMState({
  name: "cpu/m/scr",
  version: 1,
  minimumVersion: 1,
  fields: { "env.v7m.scr[M_REG_NS]": uint32 },
});

export const mOtherSpDescription = defineVMState({
  name: "cpu/m/other-sp",
  version: 1,
  minimumVersion: 1,
  fields: { "env.v7m.other_sp": uint32 },
});

export const mV8mDescription = defineVMState({
  name: "cpu/m/v8m",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.v7m.msplim": array(uint32, M_REG_NUM_BANKS),
    "env.v7m.psplim": array(uint32, M_REG_NUM_BANKS),
  },
});

export const mFpDescription = defineVMState({
  name: "cpu/m/fp",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.v7m.fpcar": array(uint32, M_REG_NUM_BANKS),
    "env.v7m.fpccr": array(uint32, M_REG_NUM_BANKS),
    "env.v7m.fpdscr": array(uint32, M_REG_NUM_BANKS),
    "env.v7m.cpacr": array(uint32, M_REG_NUM_BANKS),
    "env.v7m.nsacr": uint32,
  },
});

export const mMveDescription = defineVMState({
  name: "cpu/m/mve",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.v7m.vpr": uint32,
    "env.v7m.ltpsize": uint32,
  },
});

export const mDescription = defineVMState({
  name: "cpu/m",
  version: 4,
  minimumVersion: 4,
  fields: {
    "env.v7m.vecbase[M_REG_NS]": uint32,
    "env.v7m.basepri[M_REG_NS]": uint32,
    "env.v7m.control[M_REG_NS]": uint32,
    "env.v7m.ccr[M_REG_NS]": uint32,
    "env.v7m.cfsr[M_REG_NS]": uint32,
    "env.v7m.hfsr": uint32,
    "env.v7m.dfsr": uint32,
    "env.v7m.mmfar[M_REG_NS]": uint32,
    "env.v7m.bfar": uint32,
    "env.v7m.mpu_ctrl[M_REG_NS]": uint32,
    "env.v7m.exception": int32,
  },
  // Nested subsections share the CPU's state, as in QEMU (same opaque).
  subsections: [
    mSubsection(mFaultmaskPrimaskDescription, mNeeded),
    mSubsection(mCsselrDescription, mCsselrNeeded),
    mSubsection(mScrDescription, mNeeded),
    mSubsection(mOtherSpDescription, mNeeded),
    mSubsection(mV8mDescription, mV8mNeeded),
    mSubsection(mFpDescription, vfpNeeded),
    mSubsection(mMveDescription, mMveNeeded),
  ],
});
export type MState = StateOf<typeof mDescription>;

/** Sent for cores with the v8-M Security Extension (m_security_needed). */
export function mSecurityNeeded(s: { readonly "features.m_security": number }): boolean {
  return !!s["features.m_security"];
}

export const mSecurityDescription = defineVMState({
  name: "cpu/m-security",
  version: 1,
  minimumVersion: 1,
  locals: ["pmsav7_dregion", "sau_sregion"],
  fields: {
    "env.v7m.secure": uint32,
    "env.v7m.other_ss_msp": uint32,
    "env.v7m.other_ss_psp": uint32,
    "env.v7m.basepri[M_REG_S]": uint32,
    "env.v7m.primask[M_REG_S]": uint32,
    "env.v7m.faultmask[M_REG_S]": uint32,
    "env.v7m.control[M_REG_S]": uint32,
    "env.v7m.vecbase[M_REG_S]": uint32,
    "env.pmsav8.mair0[M_REG_S]": uint32,
    "env.pmsav8.mair1[M_REG_S]": uint32,
    "env.pmsav8.rbar[M_REG_S]": varray(uint32, "pmsav7_dregion", { countType: "uint32" }),
    "env.pmsav8.rlar[M_REG_S]": varray(uint32, "pmsav7_dregion", { countType: "uint32" }),
    "env.pmsav7.rnr[M_REG_S]": uint32,
    "env.v7m.mpu_ctrl[M_REG_S]": uint32,
    "env.v7m.ccr[M_REG_S]": uint32,
    "env.v7m.mmfar[M_REG_S]": uint32,
    "env.v7m.cfsr[M_REG_S]": uint32,
    "env.v7m.sfsr": uint32,
    "env.v7m.sfar": uint32,
    "env.sau.rbar": varray(uint32, "sau_sregion", { countType: "uint32" }),
    "env.sau.rlar": varray(uint32, "sau_sregion", { countType: "uint32" }),
    "env.sau.rnr": uint32,
    "env.sau.ctrl": uint32,
    "env.v7m.scr[M_REG_S]": uint32,
    "env.v7m.aircr": uint32,
  },
  postLoad: (s) => {
    if (!(s["env.pmsav7.rnr[M_REG_S]"] < (s.pmsav7_dregion >>> 0))) throw new Error("secure MPU_RNR is not valid");
    if (!(s["env.sau.rnr"] < (s.sau_sregion >>> 0))) throw new Error("SAU_RNR is not valid");
  },
});
export type MSecurityState = StateOf<typeof mSecurityDescription>;
