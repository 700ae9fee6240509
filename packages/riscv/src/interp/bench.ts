/**
 * MIPS micro-benchmark of the interpreter (not a test). After `tsc -b`:
 *   node packages/riscv/dist/interp/bench.js [name-prefix]
 * (MIPS per CPU second, so that a busy machine does not skew it; best of 3 runs
 * of 30M instructions per loop; run one loop per process for
 * the cleanest numbers, e.g. `... bench.js alu`).
 */
import { RamBlock } from "@vmstate/core";
import { SystemBus } from "../bus.js";
import { Asm, add, addi, addiw, and, bne, c_addi, c_add, c_bnez, ld, sd, slli, xor, mul } from "./asm.js";
import { RiscvHart } from "./hart.js";

const BASE = 0x8000_0000;

const only = process.argv[2];

function bench(name: string, build: (a: Asm) => void, budget = 30_000_000): void {
  if (only !== undefined && !name.startsWith(only)) return;
  const bus = new SystemBus();
  const ram = new RamBlock("ram", 1 << 20, 4096, BASE);
  bus.mapRam(BASE, ram);
  const a = new Asm(BASE);
  build(a);
  ram.write(0, a.bytes());
  const hart = new RiscvHart(bus, { resetPc: BASE });
  hart.run(1_000_000); // warm-up
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    hart.reset(0, BASE);
    const c0 = process.cpuUsage();
    let done = 0;
    while (done < budget) done += hart.run(1_000_000).executed;
    const c = process.cpuUsage(c0);
    best = Math.max(best, done / (c.user + c.system)); // instructions per CPU microsecond = MIPS
  }
  console.log(`${name.padEnd(40)} ${best.toFixed(1)} MIPS`);
}

// Integer ALU loop: endless, runs until the budget is used.
bench("alu loop (addi/add/xor/and/bne)", (a) => {
  a.emit(addi(1, 0, 0)).emit(addi(2, 0, 1));
  a.label("top");
  a.emit(add(1, 1, 2)).emit(xor(3, 1, 2)).emit(and(4, 3, 1)).emit(addi(2, 2, 1)).emit(slli(5, 2, 3)).ref("top", (o) => bne(2, 0, o));
});
bench("memory loop (ld/sd/addi/bne)", (a) => {
  a.li(10, BASE + 0x10000);
  a.emit(addi(2, 0, 0));
  a.label("top");
  a.emit(ld(3, 10, 0)).emit(addi(3, 3, 1)).emit(sd(3, 10, 0)).emit(addiw(2, 2, 1)).emit(ld(4, 10, 8)).emit(add(4, 4, 3)).emit(sd(4, 10, 8)).ref("top", (o) => bne(2, 0, o));
});
bench("compressed loop (c.addi/c.add/c.bnez)", (a) => {
  a.emit(addi(8, 0, 0)).emit(addi(9, 0, 1));
  a.label("top");
  a.emit16(c_addi(8, 1)).emit16(c_add(9, 8)).emit16(c_addi(9, 3)).ref("top", (o) => c_bnez(9, o), 2);
});
bench("mul loop", (a) => {
  a.emit(addi(1, 0, 3)).emit(addi(2, 0, 7));
  a.label("top");
  a.emit(mul(3, 1, 2)).emit(addi(1, 1, 1)).emit(add(2, 2, 3)).ref("top", (o) => bne(1, 0, o));
});
