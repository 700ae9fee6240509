/**
 * An aarch64 machine laid out as QEMU's `virt` board (gic-version=3): RAM at
 * 0x4000_0000 with QEMU's RAM block names, the two flash banks and fw_cfg's
 * ACPI blobs, a PL011 UART, CPUs started as QEMU starts a bare-metal ELF
 * (CPU 0 at the entry, the others off until PSCI CPU_ON), and the GICv3
 * (with an ITS when asked) that a device plugin provides through the
 * InterruptController contract. Without one the board runs with no
 * interrupt controller: the timer and UART lines go nowhere.
 *
 * CPUs take turns in rounds of `quantum` cycles on a virtual clock kept in
 * the `timer` section (cpu_clock_offset, ns), so runs are deterministic and
 * may be cut anywhere between rounds.
 */
import {
  ClockedBoard,
  createCpuCommonState,
  cpuCommonDescription,
  InvalidStateError,
  Machine,
  type CpuReport,
  type InterruptController,
  type RunOptions,
} from "@vmstate/core";
import { armCpuDescription } from "../cpu/description.js";
import { createArmCpuState } from "../cpu/reset.js";
import { createPl011State, Pl011, pl011Description } from "../devices/pl011.js";
import { A64Cpu, type PsciHandler, type SysregHandler } from "../interp/cpu.js";
import { PSCI } from "../interp/sysregs.js";
import { archToCommonState, archToCpuState, commonStateToArch, cpuStateToArch } from "./cpu-state.js";
import {
  ACPI_BLOCKS,
  DRAM_BASE,
  FLASH0_BLOCK,
  FLASH1_BLOCK,
  FLASH_BANK_SIZE,
  FLASH_BASE,
  GICD_BASE,
  GICR_BASE,
  ITS_BASE,
  MAX_CPUS,
  NS_PER_COUNTER_TICK,
  RAM_BLOCK,
  UART0_BASE,
  UART0_SIZE,
  UART0_SPI,
  VIRT_MACHINE_TYPE,
  VTIMER_PPI,
} from "./layout.js";

/** Virtual nanoseconds per cycle: a 100 MHz CPU. */
const NS_PER_CYCLE = 10n;
/** The MPIDR affinity bits PSCI matches (Aff3, Aff2, Aff1, Aff0). */
const AFFINITY_MASK = 0xff_00ff_ffffn;
const KNOWN_FEATURES = new Set(["its"]);

/** MPIDR affinity of CPU `i` on virt with GICv3: 16 CPUs per cluster (Aff0 = i % 16, Aff1 = i / 16). */
export function virtCpuAffinity(i: number): bigint {
  return (BigInt(i >> 4) << 8n) | BigInt(i & 15);
}

export class ArmVirt extends ClockedBoard {
  readonly arch = "aarch64";
  readonly cpuList: A64Cpu[] = [];
  readonly uart: Pl011;
  /** The interrupt controller, when a device plugin provided one. */
  readonly gic: InterruptController | undefined;
  readonly features: readonly string[];

  constructor(readonly options: RunOptions) {
    const { cpus } = options;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new InvalidStateError(`a virt board has 1 to ${MAX_CPUS} CPUs, not ${cpus}`);
    const features = options.features ?? [];
    for (const f of features) if (!KNOWN_FEATURES.has(f)) throw new InvalidStateError(`the aarch64 virt board has no feature "${f}" (known: ${[...KNOWN_FEATURES].join(", ")})`);
    if (features.includes("its") && !options.interruptController) {
      throw new InvalidStateError("an ITS needs a GICv3: install @vmstate/gicv3-its");
    }
    super(new Machine({ machineType: VIRT_MACHINE_TYPE }), { quantum: 1000, nsPerCycle: NS_PER_CYCLE });
    this.features = features;
    const m = this.machine;
    // RAM blocks in QEMU's RAM-list order.
    this.bus.mapRam(DRAM_BASE, m.ram.add(RAM_BLOCK, options.memBytes, DRAM_BASE));
    this.bus.mapRam(FLASH_BASE, m.ram.add(FLASH0_BLOCK, FLASH_BANK_SIZE, FLASH_BASE));
    this.bus.mapRam(FLASH_BASE + FLASH_BANK_SIZE, m.ram.add(FLASH1_BLOCK, FLASH_BANK_SIZE, FLASH_BASE + FLASH_BANK_SIZE));
    for (const b of ACPI_BLOCKS) m.ram.add(b.id, b.size);

    // `timer` is registered (with the board); the GIC before the CPUs, as QEMU's virt creates them
    // (its sections' priority puts them first in the stream anyway).
    this.gic = options.interruptController?.({
      machine: m,
      bus: this.bus,
      cpus,
      affinity: Array.from({ length: cpus }, (_, i) => virtCpuAffinity(i)),
      regions: { gicd: GICD_BASE, gicr: GICR_BASE, ...(this.features.includes("its") ? { its: ITS_BASE } : {}) },
      features: this.features,
      setCpuIrq: (cpu, level) => this.cpuList[cpu]?.setIrq(level),
    });

    const psci = this.psci();
    for (let i = 0; i < cpus; i++) {
      const cpu = new A64Cpu(this.bus, {
        cpuIndex: i,
        mpAffinity: virtCpuAffinity(i),
        psci,
        sysregs: this.sysregsFor(i),
        gicSystemRegisters: this.gic !== undefined,
        timeSource: () => this.counter(),
        startPoweredOff: i > 0,
      });
      this.cpuList.push(cpu);
      this.registerCpu(cpu, i);
    }

    this.uart = new Pl011(createPl011State(), (b) => this.print(b), (level) => this.gic?.setSharedLine(UART0_SPI, level));
    this.bus.mapMmio("pl011", UART0_BASE, UART0_SIZE, this.uart);
    m.registerDevice("pl011", pl011Description, this.uart.state);
  }

  /** QEMU registers `cpu_common` then `cpu` for each CPU, with its index as instance id. */
  private registerCpu(cpu: A64Cpu, index: number): void {
    const state = createArmCpuState({ coreCount: this.options.cpus, startPoweredOff: index > 0 });
    const common = createCpuCommonState({ startPoweredOff: index > 0 });
    archToCpuState(cpu.exportState(), state, this.counter());
    this.machine.registerDevice("cpu_common", cpuCommonDescription, common, {
      instanceId: index,
      beforeSave: () => archToCommonState(cpu.exportState(), common),
    });
    this.machine.registerDevice("cpu", armCpuDescription, state, {
      instanceId: index,
      beforeSave: () => archToCpuState(cpu.exportState(), state, this.counter()),
      loaded: () => {
        const arch = cpu.exportState();
        cpuStateToArch(state, arch);
        commonStateToArch(common, arch);
        cpu.importState(arch);
      },
    });
  }

  private sysregsFor(cpu: number): SysregHandler | undefined {
    const gic = this.gic;
    if (!gic) return undefined;
    return { read: (key) => gic.readSysreg(cpu, key), write: (key, value) => gic.writeSysreg(cpu, key, value) };
  }

  /** PSCI over HVC, as QEMU's virt board answers it (target/arm/psci.c). */
  private psci(): PsciHandler {
    const byAffinity = (target: bigint) => this.cpuList.find((c) => (c.mpidr & AFFINITY_MASK) === (target & AFFINITY_MASK));
    return {
      cpuOn: (target, entry, contextId) => {
        const cpu = byAffinity(target);
        if (!cpu) return PSCI.INVALID_PARAMETERS;
        if (!cpu.poweredOff) return PSCI.ALREADY_ON;
        cpu.powerOn(entry, contextId);
        return PSCI.SUCCESS;
      },
      systemOff: () => this.shutdown(),
      systemReset: () => this.shutdown(),
      affinityInfo: (target) => {
        const cpu = byAffinity(target);
        return cpu ? (cpu.poweredOff ? 1 : 0) : PSCI.INVALID_PARAMETERS;
      },
    };
  }

  /**
   * PSCI SYSTEM_OFF / SYSTEM_RESET: every CPU powers off and stays off (the
   * run state is left alone; QEMU would shut down or reset the machine).
   */
  private shutdown(): void {
    for (const c of this.cpuList) c.powerOff();
  }

  /** Puts a program image at `addr` (in main RAM) and starts CPU 0 at `entry`. */
  loadImage(addr: bigint, image: Uint8Array, entry: bigint): void {
    this.writeGuestMemory(addr, image);
    this.cpuList[0]!.reset(entry);
  }

  /** CNTVCT: the virtual clock in 62.5 MHz ticks. */
  counter(): bigint {
    return this.timers.cpu_clock_offset / NS_PER_COUNTER_TICK;
  }

  protected round(): number {
    let executed = 0;
    for (const [i, cpu] of this.cpuList.entries()) {
      // The timer's output is a level on its PPI, sampled at the start of the CPU's turn.
      this.gic?.setPrivateLine(i, VTIMER_PPI, cpu.timerIrqPending());
      if (cpu.poweredOff) continue;
      executed += cpu.run(this.quantum);
    }
    return executed;
  }

  cpus(): CpuReport[] {
    return this.cpuList.map((c, i) => {
      const a = c.exportState();
      const registers: Record<string, bigint> = {};
      for (let r = 0; r < 31; r++) registers[`x${r}`] = a.xregs[r]!;
      registers.sp = a.pstate.el === 1 && a.pstate.spsel === 1 ? a.sp_el1 : a.sp_el0;
      const mode = a.powered_off ? "off" : `EL${a.pstate.el}${a.pstate.spsel ? "h" : "t"}`;
      return { name: `cpu ${i}`, pc: a.pc, mode, halted: a.wfi || a.powered_off, registers };
    });
  }
}
