/**
 * The protected memory system (MPU) of R- and M-profile cores: QEMU 7.2's
 * `cpu/pmsav7-rnr`, `cpu/pmsav7` and `cpu/pmsav8` subsections
 * (target/arm/machine.c). The region arrays are as long as the core's
 * `pmsav7_dregion` (not migrated: a local here). An AArch64 `virt` CPU
 * sends none of these.
 */
import { defineVMState, uint32, varray, type StateOf } from "@vmstate/core";

type Features = {
  readonly "features.pmsa": number;
  readonly "features.v7": number;
  readonly "features.v8": number;
};

/** M-profile cores migrate the region number here; R-profile ones in the cpreg list (RGNR). */
export function pmsav7RnrNeeded(s: { readonly "features.m": number }): boolean {
  return !!s["features.m"];
}

export const pmsav7RnrDescription = defineVMState({
  name: "cpu/pmsav7-rnr",
  version: 1,
  minimumVersion: 1,
  fields: { "env.pmsav7.rnr[M_REG_NS]": uint32 },
});
export type Pmsav7RnrState = StateOf<typeof pmsav7RnrDescription>;

/** PMSAv7 cores: ARM_FEATURE_PMSA and V7 but not V8 (pmsav7_needed). */
export function pmsav7Needed(s: Features): boolean {
  return !!s["features.pmsa"] && !!s["features.v7"] && !s["features.v8"];
}

const regions = varray(uint32, "pmsav7_dregion", { countType: "uint32" });

export const pmsav7Description = defineVMState({
  name: "cpu/pmsav7",
  version: 1,
  minimumVersion: 1,
  locals: ["pmsav7_dregion"],
  fields: {
    "env.pmsav7.drbar": regions,
    "env.pmsav7.drsr": regions,
    "env.pmsav7.dracr": regions,
  },
  // QEMU's "rgnr is valid" check. The region number arrives either in
  // cpu/pmsav7-rnr (sent before this subsection) or in the cpreg list.
  postLoad: (s) => {
    const rnr = (s as { "env.pmsav7.rnr[M_REG_NS]"?: number })["env.pmsav7.rnr[M_REG_NS]"] ?? 0;
    if (!(rnr < (s.pmsav7_dregion >>> 0))) throw new Error("rgnr is not valid");
  },
});
export type Pmsav7State = StateOf<typeof pmsav7Description>;

/** PMSAv8 cores: ARM_FEATURE_PMSA and V8 (pmsav8_needed). */
export function pmsav8Needed(s: Features): boolean {
  return !!s["features.pmsa"] && !!s["features.v8"];
}

export const pmsav8Description = defineVMState({
  name: "cpu/pmsav8",
  version: 1,
  minimumVersion: 1,
  locals: ["pmsav7_dregion"],
  fields: {
    "env.pmsav8.rbar[M_REG_NS]": regions,
    "env.pmsav8.rlar[M_REG_NS]": regions,
    "env.pmsav8.mair0[M_REG_NS]": uint32,
    "env.pmsav8.mair1[M_REG_NS]": uint32,
  },
});
export type Pmsav8State = StateOf<typeof pmsav8Description>;
