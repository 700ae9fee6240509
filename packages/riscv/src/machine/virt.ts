/**
 * A riscv64 machine laid out as QEMU's `virt` board: RAM at 0x80000000 with
 * QEMU's RAM block names, the mask ROM with a reset vector, two flash banks,
 * an ns16550 UART, the CLINT (ACLINT MSWI + MTIMER) and a PLIC, each saved
 * in QEMU's sections. Harts take turns in rounds of `quantum` cycles on a
 * virtual clock, so runs are deterministic and may be cut anywhere between
 * rounds.
 */
import { ClockedBoard, InvalidStateError, Machine, type CpuReport, type RunOptions, type SystemBus } from "@vmstate/core";
import { Aclint, CLINT_SIZE, createMtimerState, mtimerDescription } from "../devices/aclint.js";
import { createSerialState, Ns16550, serialMmDescription } from "../devices/ns16550.js";
import { createPlicState, Plic, PLIC_SIZE, plicDescription } from "../devices/plic.js";
import {
  CLINT_BASE,
  DRAM_BASE,
  FLASH0_BLOCK,
  FLASH1_BLOCK,
  FLASH_BANK_SIZE,
  FLASH_BASE,
  MROM_BASE,
  MROM_BLOCK,
  MROM_SIZE,
  PLIC_BASE,
  RAM_BLOCK,
  UART0_BASE,
  UART0_IRQ,
  UART0_SIZE,
  VIRT_MACHINE_TYPE,
} from "./layout.js";
import { RESET_PC, resetVector } from "./reset-vector.js";

/** What the machine needs of a hart's interpreter. */
export interface HartPort {
  /** Runs up to `budget` instructions; returns how many retired. */
  run(budget: number): number;
  /** Drives one mip bit from a device. */
  setIrq(bit: number, level: boolean): void;
  /** Waiting in WFI. */
  readonly waiting: boolean;
  readonly pc: bigint;
  /** Privilege level name ("M", "S", "U"). */
  readonly mode: string;
  /** x0..x31. */
  register(i: number): bigint;
}

/** Makes the hart of `hartId` on `bus`, reading `time` for its time CSR. */
export type HartFactory = (bus: SystemBus, hartId: number, time: () => bigint) => HartPort;

/** Registers a hart's save-state entries (cpu_common and cpu) on the machine. */
export type HartRegistrar = (machine: Machine, hart: HartPort, hartId: number) => void;

/** Virtual nanoseconds per cycle: a 100 MHz hart. */
const NS_PER_CYCLE = 10n;
/** mtime runs at 10 MHz: 100 ns per tick. */
const NS_PER_MTIME_TICK = 100n;

const ABI_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"];

export interface RiscvVirtParts {
  readonly createHart: HartFactory;
  readonly registerHart: HartRegistrar;
}

export class RiscvVirt extends ClockedBoard {
  readonly arch = "riscv64";
  readonly harts: HartPort[] = [];
  readonly uart: Ns16550;
  readonly clint: Aclint;
  readonly plic: Plic;

  constructor(
    readonly options: RunOptions,
    parts: RiscvVirtParts,
  ) {
    if (!Number.isInteger(options.cpus) || options.cpus < 1 || options.cpus > 8) throw new InvalidStateError(`a virt board has 1 to 8 harts, not ${options.cpus}`);
    if (options.features?.length) throw new InvalidStateError(`the riscv64 virt board has no feature "${options.features[0]}"`);
    super(new Machine({ machineType: VIRT_MACHINE_TYPE }), { quantum: 1000, nsPerCycle: NS_PER_CYCLE });
    const m = this.machine;
    // RAM blocks in QEMU's RAM-list order.
    this.bus.mapRam(DRAM_BASE, m.ram.add(RAM_BLOCK, options.memBytes, DRAM_BASE));
    this.bus.mapRam(FLASH_BASE, m.ram.add(FLASH0_BLOCK, FLASH_BANK_SIZE, FLASH_BASE));
    this.bus.mapRam(FLASH_BASE + FLASH_BANK_SIZE, m.ram.add(FLASH1_BLOCK, FLASH_BANK_SIZE, FLASH_BASE + FLASH_BANK_SIZE));
    const mrom = m.ram.add(MROM_BLOCK, MROM_SIZE, MROM_BASE);
    this.bus.mapRam(MROM_BASE, mrom);

    const irqs = { setIrq: (hart: number, bit: number, level: boolean) => this.harts[hart]?.setIrq(bit, level) };
    this.clint = new Aclint(createMtimerState(options.cpus), () => this.mtime(), irqs);
    this.plic = new Plic(createPlicState(options.cpus), irqs);
    this.uart = new Ns16550(createSerialState(), (b) => this.print(b), (level) => this.plic.setSource(UART0_IRQ, level));
    this.bus.mapMmio("clint", CLINT_BASE, CLINT_SIZE, this.clint);
    this.bus.mapMmio("plic", PLIC_BASE, PLIC_SIZE, this.plic);
    this.bus.mapMmio("uart0", UART0_BASE, UART0_SIZE, this.uart);

    // Save-state entries in QEMU's registration order (`timer` came first, with the board).
    for (let h = 0; h < options.cpus; h++) {
      const hart = parts.createHart(this.bus, h, () => this.mtime());
      this.harts.push(hart);
      parts.registerHart(m, hart, h);
    }
    m.registerDevice("riscv_mtimer", mtimerDescription, this.clint.state, { loaded: () => this.clint.tick() });
    m.registerDevice("riscv_sifive_plic", plicDescription, this.plic.state, { loaded: () => this.plic.update() });
    m.registerDevice("serial", serialMmDescription, this.uart.state);

    mrom.write(0, resetVector(BigInt(DRAM_BASE)));
  }

  /** Puts a program image at `addr` (in main RAM). */
  loadImage(addr: bigint, image: Uint8Array): void {
    this.writeGuestMemory(addr, image);
  }

  private mtime(): bigint {
    return this.timers.cpu_clock_offset / NS_PER_MTIME_TICK;
  }

  protected round(): number {
    let executed = 0;
    for (const hart of this.harts) executed += hart.run(this.quantum);
    return executed;
  }

  protected override afterRound(): void {
    this.clint.tick();
  }

  cpus(): CpuReport[] {
    return this.harts.map((h, i) => {
      const registers: Record<string, bigint> = {};
      for (let r = 1; r < ABI_NAMES.length; r++) registers[ABI_NAMES[r]!] = h.register(r);
      return { name: `hart ${i}`, pc: h.pc, mode: `${h.mode}-mode`, halted: h.waiting, registers };
    });
  }

  /** Starts every hart at the reset vector. */
  static readonly resetPc = RESET_PC;
}
