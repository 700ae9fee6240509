/** Where each CPU is, as the commands print it. */
import type { CpuReport } from "@vmstate/core";

const hex = (v: bigint) => "0x" + BigInt.asUintN(64, v).toString(16).padStart(16, "0");

export function formatCpus(cpus: readonly CpuReport[]): string {
  let out = "";
  for (const c of cpus) {
    out += `  ${c.name}: pc=${hex(c.pc)} ${c.mode}${c.halted ? " (waiting for an interrupt)" : ""}\n`;
    const regs = Object.entries(c.registers);
    for (let i = 0; i < regs.length; i += 4) {
      out += "    " + regs.slice(i, i + 4).map(([k, v]) => `${k.padStart(4)}=${hex(v)}`).join("  ") + "\n";
    }
  }
  return out;
}
