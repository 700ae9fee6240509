/**
 * The environment configuration CSRs of privileged spec 1.12: QEMU 7.2's
 * `cpu/envcfg` subsection (target/riscv/machine.c vmstate_envcfg).
 */
import { defineVMState, uint64, type StateOf } from "@vmstate/core";
import { PrivVersion } from "./constants.js";

export const envcfgDescription = defineVMState({
  name: "cpu/envcfg",
  version: 1,
  minimumVersion: 1,
  fields: {
    "env.menvcfg": uint64,
    "env.senvcfg": uint64,
    "env.henvcfg": uint64,
  },
});
export type EnvcfgState = StateOf<typeof envcfgDescription>;

/** Sent for privileged spec 1.12 and later (envcfg_needed reads the migrated `env.priv_ver`). */
export function envcfgNeeded(s: { readonly "env.priv_ver": bigint }): boolean {
  return s["env.priv_ver"] >= PrivVersion.V1_12_0;
}
