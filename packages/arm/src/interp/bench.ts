/**
 * MIPS micro-benchmark of the interpreter (not a test). After `tsc -b`:
 *   node packages/arm/dist/interp/bench.js [name-prefix]
 * (best of 3 runs of 30M instructions per loop).
 */
import { RamBlock, SystemBus } from "@vmstate/core";
import { Program } from "../workload/asm.js";
import { A64Cpu } from "./cpu.js";

const BASE = 0x4000_0000;
const only = process.argv[2];

/** Instructions per microsecond of `build`'s endless loop. */
export function measureMips(build: (p: Program) => void, budget = 30_000_000, reps = 3): number {
  const bus = new SystemBus();
  const ram = new RamBlock("ram", 1 << 20, 4096, BASE);
  bus.mapRam(BASE, ram);
  const p = new Program({ base: BigInt(BASE) });
  build(p);
  ram.write(0, p.assemble().bytes);
  const cpu = new A64Cpu(bus, { resetPc: BASE });
  cpu.cpacr = 3 << 20;
  cpu.run(1_000_000); // warm-up
  let best = 0;
  for (let rep = 0; rep < reps; rep++) {
    cpu.setPc(BigInt(BASE));
    const t0 = performance.now();
    let done = 0;
    while (done < budget) done += cpu.run(1_000_000);
    best = Math.max(best, done / (performance.now() - t0) / 1000);
  }
  return best;
}

export const LOOPS: Record<string, (p: Program) => void> = {
  "alu loop (add/eor/and/lsl/subs/b.ne)": (p) => {
    p.mov("x1", 0).mov("x2", 1).li("x9", 1n << 40n);
    p.label("top");
    p.add("x1", "x1", "x2").eor("x3", "x1", "x2").and("x4", "x3", "x1").add("x2", "x2", 1).lsl("x5", "x2", 3).subs("x9", "x9", 1).b_ne("top");
  },
  "memory loop (ldr/str/add/cbnz)": (p) => {
    p.li("x10", BASE + 0x10000).li("x9", 1n << 40n);
    p.label("top");
    p.ldr("x3", ["x10"]).add("x3", "x3", 1).str("x3", ["x10"]).ldr("x4", ["x10", 8]).add("x4", "x4", "x3").str("x4", ["x10", 8]).sub("x9", "x9", 1).cbnz("x9", "top");
  },
  "ldp/stp + mul loop": (p) => {
    p.li("x10", BASE + 0x10000).mov("x1", 3).mov("x2", 7).li("x9", 1n << 40n);
    p.label("top");
    p.mul("x3", "x1", "x2").add("x1", "x1", 1).stp("x1", "x3", ["x10", 16]).ldp("x5", "x6", ["x10", 16]).add("x2", "x2", "x6").subs("x9", "x9", 1).b_ne("top");
  },
  "fp loop (fadd/fmul/fcmp)": (p) => {
    p.fmov("d0", 1.0).fmov("d1", 0.5).li("x9", 1n << 40n);
    p.label("top");
    p.fmul("d2", "d0", "d1").fadd("d0", "d2", "d1").fcmp("d0", "d1").subs("x9", "x9", 1).b_ne("top");
  },
};

if (process.argv[1]?.endsWith("bench.js")) {
  for (const [name, build] of Object.entries(LOOPS)) {
    if (only !== undefined && !name.startsWith(only)) continue;
    console.log(`${name.padEnd(40)} ${measureMips(build).toFixed(1)} MIPS`);
  }
}
