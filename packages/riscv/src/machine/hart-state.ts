/**
 * Between an interpreter's hart and QEMU's `cpu` / `cpu_common` sections: the
 * interpreter keeps its registers in its own form (RiscvHartArchState); these
 * copy them into the migrated form before a save and back after a load.
 * mcycle and minstret travel in the PMU counters as QEMU keeps them; the FP
 * flags, which QEMU 7.2 does not migrate, in vmstate's own subsection
 * (cpu/fp-flags.ts).
 */
import type { CpuCommonState } from "@vmstate/core";
import type { RiscvCpuState } from "../cpu/description.js";
import type { RiscvHartArchState } from "../interp/arch-state.js";

/** CSRs with the same name in both forms. */
const CSRS = [
  "mstatus",
  "mip",
  "mie",
  "mideleg",
  "medeleg",
  "mtvec",
  "stvec",
  "mepc",
  "sepc",
  "mcause",
  "scause",
  "mtval",
  "stval",
  "mscratch",
  "sscratch",
  "satp",
  "mcounteren",
  "scounteren",
  "mcountinhibit",
  "load_res",
  "load_val",
  "mhartid",
] as const;

export function archToCpuState(a: RiscvHartArchState, s: RiscvCpuState): void {
  s["env.gpr"].set(a.gpr);
  s["env.fpr"].set(a.fpr);
  s["env.pc"] = a.pc;
  s["env.priv"] = BigInt(a.priv);
  s["env.frm"] = BigInt(a.frm);
  s["env.misa_mxl"] = a.misa_mxl;
  s["env.misa_ext"] = a.misa_ext;
  for (const k of CSRS) s[`env.${k}`] = a[k];
  s["env.menvcfg"] = a.menvcfg;
  s["env.senvcfg"] = a.senvcfg;
  s["env.badaddr"] = 0n;
  s["env.fflags"] = a.fflags;
  const pmp = s["env.pmp_state.pmp"];
  for (let i = 0; i < pmp.length; i++) {
    pmp[i]!.addr_reg = a.pmpaddr[i] ?? 0n;
    pmp[i]!.cfg_reg = a.pmpcfg[i] ?? 0;
  }
  // QEMU keeps mcycle and minstret in the first and third PMU counters.
  s["env.pmu_ctrs"][0]!.mhpmcounter_val = a.mcycle;
  s["env.pmu_ctrs"][2]!.mhpmcounter_val = a.minstret;
}

export function cpuStateToArch(s: RiscvCpuState, a: RiscvHartArchState): void {
  a.gpr.set(s["env.gpr"]);
  a.gpr[0] = 0n;
  a.fpr.set(s["env.fpr"]);
  a.pc = s["env.pc"];
  const priv = Number(s["env.priv"]);
  a.priv = priv === 0 || priv === 1 ? priv : 3;
  a.frm = Number(s["env.frm"] & 7n);
  a.misa_mxl = s["env.misa_mxl"];
  a.misa_ext = s["env.misa_ext"];
  for (const k of CSRS) a[k] = s[`env.${k}`];
  a.menvcfg = s["env.menvcfg"];
  a.senvcfg = s["env.senvcfg"];
  a.fflags = (s["env.fflags"] ?? 0) & 0x1f;
  const pmp = s["env.pmp_state.pmp"];
  for (let i = 0; i < a.pmpaddr.length && i < pmp.length; i++) {
    a.pmpaddr[i] = pmp[i]!.addr_reg;
    a.pmpcfg[i] = pmp[i]!.cfg_reg;
  }
  a.mcycle = s["env.pmu_ctrs"][0]!.mhpmcounter_val;
  a.minstret = s["env.pmu_ctrs"][2]!.mhpmcounter_val;
}

/** cpu_common: a hart waiting in WFI is QEMU's halted CPU. */
export function archToCommonState(a: RiscvHartArchState, c: CpuCommonState): void {
  c.halted = a.wfi ? 1 : 0;
}

export function commonStateToArch(c: CpuCommonState, a: RiscvHartArchState): void {
  a.wfi = c.halted !== 0;
}
