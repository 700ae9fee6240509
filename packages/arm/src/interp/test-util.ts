/** Helpers for the interpreter's tests: a CPU on a bus with 1 MiB of RAM at 0x4000_0000, programs from the DSL. */
import { RamBlock, SystemBus, type MmioDevice } from "@vmstate/core";
import { Program } from "../workload/asm.js";
import { A64Cpu, type A64CpuOptions } from "./cpu.js";

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 1 << 20;
/** Where test data goes (the program starts at RAM_BASE). */
export const DATA = RAM_BASE + 0x8_0000;

export interface TestRig {
  bus: SystemBus;
  ram: RamBlock;
  cpu: A64Cpu;
}

export function makeRig(options: A64CpuOptions = {}): TestRig {
  const bus = new SystemBus();
  const ram = new RamBlock("ram", RAM_SIZE, 4096, RAM_BASE);
  bus.mapRam(RAM_BASE, ram);
  const cpu = new A64Cpu(bus, { resetPc: RAM_BASE, stopOnBrk: true, ...options });
  cpu.cpacr = 3 << 20; // FP on unless a test says otherwise
  return { bus, ram, cpu };
}

/** Builds a program at RAM_BASE (BRK #0 appended) and runs it until the BRK. */
export function runProgram(build: (p: Program) => void, setup?: (rig: TestRig) => void, options: A64CpuOptions = {}): TestRig & { executed: number } {
  const rig = makeRig(options);
  const p = new Program({ base: BigInt(RAM_BASE) });
  build(p);
  p.brk(0);
  rig.ram.write(0, p.assemble().bytes);
  setup?.(rig);
  const executed = rig.cpu.run(10_000_000);
  if (rig.cpu.stopReason !== "brk") {
    throw new Error(`program did not reach BRK: ${rig.cpu.stopReason} pc=0x${rig.cpu.getPc().toString(16)} esr=0x${(rig.cpu.esr >>> 0).toString(16)} elr=0x${rig.cpu.elr.toString(16)}`);
  }
  return { ...rig, executed };
}

/** One rig reused for many tiny programs. */
export class Runner {
  readonly rig = makeRig();
  get cpu(): A64Cpu {
    return this.rig.cpu;
  }
  /** Runs `build` + BRK from RAM_BASE at EL1 with the given x registers (others zero). */
  run(build: (p: Program) => void, regs: Record<number, bigint | number> = {}): A64Cpu {
    const { cpu, ram } = this.rig;
    const p = new Program({ base: BigInt(RAM_BASE) });
    build(p);
    p.brk(0);
    ram.write(0, p.assemble().bytes);
    cpu.x.fill(0);
    cpu.nzcv = 0;
    for (const [k, v] of Object.entries(regs)) cpu.setX(Number(k), BigInt.asUintN(64, BigInt(v)));
    cpu.setPc(BigInt(RAM_BASE));
    cpu.run(1_000_000);
    if (cpu.stopReason !== "brk") throw new Error(`did not reach BRK: ${cpu.stopReason} esr=0x${(cpu.esr >>> 0).toString(16)} elr=0x${cpu.elr.toString(16)}`);
    return cpu;
  }
}

/** A device recording accesses, backed by a little register file. */
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
    if (r === 1) return BigInt.asUintN(64, BigInt.asIntN(32, this.next64()));
    if (r === 2) return this.next64() & 0xffffn;
    return this.next64();
  }
}

export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
