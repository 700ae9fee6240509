/**
 * The interpreter's harts on the virt board: each behind the HartPort the
 * board drives, and registered as QEMU registers a hart: `cpu_common` then
 * `cpu`, with the hart index as instance id. Registers go into the migrated
 * form just before a save and come back right after a load.
 */
import { createCpuCommonState, type Machine, type SystemBus } from "@vmstate/core";
import { riscvCpuDescription } from "../cpu/description.js";
import { cpuCommonDescription } from "@vmstate/core";
import { createRiscvCpuState } from "../cpu/reset.js";
import { RiscvHart } from "../interp/hart.js";
import { archToCommonState, archToCpuState, commonStateToArch, cpuStateToArch } from "./hart-state.js";
import type { HartPort, RiscvVirtParts } from "./virt.js";
import { RESET_PC } from "./reset-vector.js";

/** The extensions the interpreter implements (QEMU's default hart also has H). */
export const INTERPRETER_EXTENSIONS = "acdfimsu";

const MODES = { 0: "U", 1: "S", 3: "M" } as const;

export class InterpretedHart implements HartPort {
  constructor(readonly hart: RiscvHart) {}

  run(budget: number): number {
    return this.hart.run(budget).executed;
  }
  setIrq(bit: number, level: boolean): void {
    this.hart.setIrq(bit, level);
  }
  get waiting(): boolean {
    return this.hart.wfi;
  }
  get pc(): bigint {
    return this.hart.getPc();
  }
  get mode(): string {
    return MODES[this.hart.priv];
  }
  register(i: number): bigint {
    return this.hart.getX(i);
  }
}

function createHart(bus: SystemBus, hartId: number, time: () => bigint): HartPort {
  return new InterpretedHart(new RiscvHart(bus, { hartId, resetPc: RESET_PC, timeSource: time }));
}

function registerHart(machine: Machine, port: HartPort, hartId: number): void {
  const hart = (port as InterpretedHart).hart;
  const cpu = createRiscvCpuState({ hartId, extensions: INTERPRETER_EXTENSIONS });
  const common = createCpuCommonState();
  // Start from what the interpreter has (misa, reset values), so an unsaved hart and a saved one agree.
  archToCpuState(hart.exportState(), cpu);
  machine.registerDevice("cpu_common", cpuCommonDescription, common, {
    instanceId: hartId,
    beforeSave: () => archToCommonState(hart.exportState(), common),
  });
  machine.registerDevice("cpu", riscvCpuDescription, cpu, {
    instanceId: hartId,
    beforeSave: () => archToCpuState(hart.exportState(), cpu),
    loaded: () => {
      const arch = hart.exportState();
      cpuStateToArch(cpu, arch);
      commonStateToArch(common, arch);
      hart.importState(arch);
    },
  });
}

export const interpretedHarts: RiscvVirtParts = { createHart, registerHart };
