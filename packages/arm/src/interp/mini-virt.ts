/**
 * A minimal QEMU-virt-like harness around A64Cpu, for tests, benchmarks and
 * comparing the built-in workload with QEMU - not the project's machine (no
 * migration state, no real GIC): RAM at 0x4000_0000, a transmit-only PL011 at
 * 0x0900_0000, PSCI wired between the CPUs (CPU 0 starts at the entry, the
 * others are powered off until CPU_ON, as QEMU's virt boots a bare-metal ELF),
 * round-robin scheduling in fixed slices, and a virtual counter advanced
 * from the instructions executed (deterministic).
 *
 * With `fakeGic`, GICv3 register windows accept the workload's setup and the
 * ICC_* system registers deliver each CPU's virtual timer as INTID 27.
 */
import { RamBlock, SystemBus, type MmioDevice } from "@vmstate/core";
import { A64Cpu, type PsciHandler, type SysregHandler } from "./cpu.js";
import { PSCI, sysKey } from "./sysregs.js";

export interface MiniVirtOptions {
  cpus: number;
  /** RAM size in bytes (default 128 MiB). */
  ramSize?: number;
  /** Instructions per CPU per scheduling slice (default 10 000). */
  slice?: number;
  /** Counter ticks per instruction executed by the slowest... by all CPUs together (default 1). */
  ticksPerSlice?: number;
  /** Accept GICv3 setup and deliver the virtual timer (INTID 27) through ICC_IAR1_EL1 (default false). */
  fakeGic?: boolean;
}

export const MINI_VIRT = { ram: 0x4000_0000, uart: 0x0900_0000, gicd: 0x0800_0000, gicr: 0x080a_0000 } as const;

/** PL011 transmit side: DR collects characters, FR reads 0 (never full). */
class Pl011 implements MmioDevice {
  out = "";
  read(): bigint {
    return 0n;
  }
  write(offset: number, _size: 1 | 2 | 4 | 8, value: bigint): void {
    if (offset === 0) this.out += String.fromCharCode(Number(value & 0xffn));
  }
}

/** Register file that reads back what was written (GICD/GICR stand-in). */
class Scratch implements MmioDevice {
  private readonly regs = new Map<number, bigint>();
  read(offset: number): bigint {
    if ((offset & 0x1ffff) === 0x14) return 0n; // GICR_WAKER: never asleep
    return this.regs.get(offset) ?? 0n;
  }
  write(offset: number, _size: 1 | 2 | 4 | 8, value: bigint): void {
    this.regs.set(offset, value);
  }
}

const ICC_IAR1 = sysKey(3, 0, 12, 12, 0);
const ICC_EOIR1 = sysKey(3, 0, 12, 12, 1);
const ICC_KEYS = new Set([sysKey(3, 0, 4, 6, 0), sysKey(3, 0, 12, 12, 3), sysKey(3, 0, 12, 12, 4), sysKey(3, 0, 12, 12, 5), sysKey(3, 0, 12, 12, 7)]);

export class MiniVirt {
  readonly bus = new SystemBus();
  readonly ram: RamBlock;
  readonly cpus: A64Cpu[] = [];
  private readonly uart = new Pl011();
  readonly slice: number;
  /** The virtual counter (CNTVCT). */
  ticks = 0n;
  private readonly ticksPerSlice: bigint;
  /** Set by PSCI SYSTEM_OFF / SYSTEM_RESET. */
  shutdown = false;
  private readonly active: boolean[] = [];

  constructor(readonly options: MiniVirtOptions) {
    this.ram = new RamBlock("mach-virt.ram", options.ramSize ?? 128 << 20, 4096, MINI_VIRT.ram);
    this.bus.mapRam(MINI_VIRT.ram, this.ram);
    this.bus.mapMmio("pl011", MINI_VIRT.uart, 0x1000, this.uart);
    if (options.fakeGic) {
      this.bus.mapMmio("gicd", MINI_VIRT.gicd, 0x10000, new Scratch());
      this.bus.mapMmio("gicr", MINI_VIRT.gicr, 0x20000 * options.cpus, new Scratch());
    }
    this.slice = options.slice ?? 10_000;
    this.ticksPerSlice = BigInt(options.ticksPerSlice ?? this.slice);
    const psci: PsciHandler = {
      cpuOn: (target, entry, contextId) => {
        const cpu = this.cpus.find((c) => (c.mpidr & 0xff_00ff_ffffn) === target);
        if (!cpu) return PSCI.INVALID_PARAMETERS;
        if (!cpu.poweredOff) return PSCI.ALREADY_ON;
        cpu.powerOn(entry, contextId);
        return PSCI.SUCCESS;
      },
      systemOff: () => {
        this.shutdown = true;
      },
      affinityInfo: (target) => {
        const cpu = this.cpus.find((c) => (c.mpidr & 0xff_00ff_ffffn) === target);
        return cpu ? (cpu.poweredOff ? 1 : 0) : PSCI.INVALID_PARAMETERS;
      },
    };
    for (let i = 0; i < options.cpus; i++) {
      const sysregs: SysregHandler | undefined = options.fakeGic ? this.iccFor(i) : undefined;
      this.cpus.push(new A64Cpu(this.bus, { cpuIndex: i, psci, sysregs, timeSource: () => this.ticks, startPoweredOff: i > 0 }));
      this.active.push(false);
    }
  }

  /** Copies `image` to `base` and points CPU 0 at `entry`. */
  load(image: Uint8Array, base: bigint, entry: bigint): void {
    this.ram.write(Number(base) - MINI_VIRT.ram, image);
    this.cpus[0]!.reset(entry);
  }

  /** Everything the UART transmitted. */
  get serial(): string {
    return this.uart.out;
  }

  /**
   * Runs the CPUs round-robin until `until()` holds (checked between slices),
   * every CPU is off or waiting with nothing to wake it, or `maxSlices` rounds.
   * Returns the rounds run.
   */
  run(until: () => boolean, maxSlices = 1_000_000): number {
    for (let round = 0; round < maxSlices; round++) {
      if (until() || this.shutdown) return round;
      let progress = false;
      for (const [i, cpu] of this.cpus.entries()) {
        if (this.options.fakeGic) this.updateIrq(i);
        if (cpu.poweredOff) continue;
        const n = cpu.run(this.slice);
        if (n > 0) progress = true;
      }
      this.ticks += this.ticksPerSlice;
      if (!progress && !this.options.fakeGic) return round;
    }
    return maxSlices;
  }

  private updateIrq(i: number): void {
    const cpu = this.cpus[i]!;
    cpu.setIrq(!this.active[i] && cpu.timerIrqPending());
  }

  private iccFor(i: number): SysregHandler {
    return {
      read: (key) => {
        if (key === ICC_IAR1) {
          const cpu = this.cpus[i]!;
          if (!this.active[i] && cpu.timerIrqPending()) {
            this.active[i] = true;
            cpu.setIrq(false);
            return 27n;
          }
          return 1023n;
        }
        return ICC_KEYS.has(key) ? 0n : undefined;
      },
      write: (key) => {
        if (key === ICC_EOIR1) {
          this.active[i] = false;
          this.updateIrq(i);
          return true;
        }
        return ICC_KEYS.has(key);
      },
    };
  }
}
