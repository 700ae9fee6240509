/** Helpers for the interpreter's tests: a hart on a bus with 1 MiB of RAM at 0x8000_0000. */
import { RamBlock } from "@vmstate/core";
import { SystemBus, type MmioDevice } from "../bus.js";
import { Asm, ebreak } from "./asm.js";
import { RiscvHart, type RiscvHartOptions, type RunResult } from "./hart.js";

export const RAM_BASE = 0x8000_0000;
export const RAM_SIZE = 1 << 20;

export interface TestRig {
  bus: SystemBus;
  ram: RamBlock;
  hart: RiscvHart;
}

export function makeRig(options: RiscvHartOptions = {}): TestRig {
  const bus = new SystemBus();
  const ram = new RamBlock("ram", RAM_SIZE, 4096, RAM_BASE);
  bus.mapRam(RAM_BASE, ram);
  const hart = new RiscvHart(bus, { resetPc: RAM_BASE, ebreakStops: true, ...options });
  return { bus, ram, hart };
}

/** Builds a program at RAM_BASE (EBREAK appended), runs it until EBREAK. */
export function runProgram(build: (a: Asm) => void, setup?: (rig: TestRig) => void, options: RiscvHartOptions = {}): TestRig & { result: RunResult } {
  const rig = makeRig(options);
  const a = new Asm(RAM_BASE);
  build(a);
  a.emit(ebreak());
  rig.ram.write(0, a.bytes());
  setup?.(rig);
  const result = rig.hart.run(10_000_000);
  return { ...rig, result };
}

/** Executes the given instruction words with preset registers; returns the hart (stopped at the final EBREAK). */
export function exec(words: number[], regs: Record<number, bigint | number> = {}, setup?: (rig: TestRig) => void): RiscvHart {
  const r = runProgram(
    (a) => a.emitAll(...words),
    (rig) => {
      for (const [k, v] of Object.entries(regs)) rig.hart.setX(Number(k), BigInt.asUintN(64, BigInt(v)));
      setup?.(rig);
    },
  );
  if (r.result.reason !== "ebreak") throw new Error(`program did not reach EBREAK: ${JSON.stringify(r.result)} pc=${r.hart.getPc().toString(16)} mcause=${r.hart.mcause}`);
  return r.hart;
}

/** A simple MMIO device recording accesses, backed by a little register file. */
export class RecordingDevice implements MmioDevice {
  readonly log: string[] = [];
  readonly regs = new Map<number, bigint>();
  read(offset: number, size: 1 | 2 | 4 | 8): bigint {
    this.log.push(`r${size}@${offset}`);
    return this.regs.get(offset) ?? 0n;
  }
  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    this.log.push(`w${size}@${offset}=${value.toString(16)}`);
    this.regs.set(offset, value);
  }
}

/** Deterministic PRNG (xorshift64*) for randomized known-answer tests. */
export class Rng {
  private s: bigint;
  constructor(seed = 0x9e3779b97f4a7c15n) {
    this.s = seed;
  }
  next64(): bigint {
    let s = this.s;
    s ^= s >> 12n;
    s ^= BigInt.asUintN(64, s << 25n);
    s ^= s >> 27n;
    this.s = s;
    return BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn);
  }
  /** A 64-bit value biased towards edge cases. */
  edgy64(): bigint {
    const edges = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0xffffffff80000000n];
    const r = Number(this.next64() & 7n);
    if (r === 0) return edges[Number(this.next64() % BigInt(edges.length))]!;
    if (r === 1) return BigInt.asUintN(64, BigInt.asIntN(32, this.next64())); // sign-extended 32-bit
    if (r === 2) return this.next64() & 0xffffn;
    return this.next64();
  }
}

/** One rig reused for many tiny programs (avoids allocating RAM per case). */
export class Runner {
  readonly rig = makeRig();
  get hart(): RiscvHart {
    return this.rig.hart;
  }
  /** Runs `words` + EBREAK from RAM_BASE in M-mode with the given registers (others zero). */
  run(words: number[], regs: Record<number, bigint | number> = {}): RiscvHart {
    const { hart, ram } = this.rig;
    const a = new Asm(RAM_BASE);
    a.emitAll(...words).emit(ebreak());
    ram.write(0, a.bytes());
    hart.x.fill(0);
    for (const [k, v] of Object.entries(regs)) hart.setX(Number(k), BigInt.asUintN(64, BigInt(v)));
    hart.setPc(BigInt(RAM_BASE));
    const r = hart.run(1_000_000);
    if (r.reason !== "ebreak") throw new Error(`did not reach EBREAK: ${JSON.stringify(r)} mcause=${hart.mcause} mepc=${hart.mepc.toString(16)}`);
    return hart;
  }
}

export const sext32 = (v: bigint): bigint => BigInt.asUintN(64, BigInt.asIntN(32, v));
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
