/**
 * A GICv3 as QEMU 7.2's virt board has it under TCG (hw/intc/arm_gicv3.c):
 * distributor, one redistributor and CPU interface per CPU, LPIs through
 * the LPI model (Gicv3Redistributors) and, optionally, the ITS. All
 * architectural state is the `arm_gicv3` state (the `cpu[]` entries carry
 * the redistributor and ICC_* registers); pending LPIs are the LPI model's
 * and reach guest RAM (the pending tables) on every stop. Which interrupt a
 * CPU would take is computed from that state whenever something changes,
 * so a loaded state only needs its lines driven again.
 */
import { type InterruptController, type Machine, type SystemBus, VmstateError } from "@vmstate/core";
import { bmpSet, withBit } from "./bitmap.js";
import { createGicv3State, GIC_INTERNAL, type Gicv3CpuState, type Gicv3State } from "./descriptions.js";
import { setSpiLevel, Gicv3Distributor } from "./distributor.js";
import { cpuLines, Gicv3CpuInterface, resetCpuInterface } from "./cpu-interface.js";
import type { GuestMemory } from "./guest-memory.js";
import {
  GICD_SIZE,
  GICR_STRIDE,
  GICR_TYPER_COMMON_LPI_AFF,
  GICR_TYPER_LAST,
  GICR_TYPER_PLPIS,
  GIC_NR_SGIS,
  GICV3_G0,
  GICV3_G1,
  VIRT_NUM_IRQ,
  type GicGroup,
} from "./gicv3-defs.js";
import { GicV3Its, ITS_SIZE, type ItsOptions } from "./its.js";
import { registerGicv3, type RegisteredGicv3 } from "./machine.js";
import { highestPending, irqGroup, type PendingIrq } from "./pending.js";
import { Gicv3Redistributors, LPI_INTID_BASE } from "./redistributor.js";
import { Gicv3RedistributorFrames } from "./redistributor-frames.js";

export interface Gicv3Options extends Pick<ItsOptions, "onCommandError" | "onSaveError"> {
  /** CPUs, one redistributor and CPU interface each. */
  cpus: number;
  /** Each CPU's affinity as GICR_TYPER[63:32] packs it; default: virt's, 16 CPUs per Aff1 cluster. */
  affinity?: readonly bigint[];
  /** Guest memory for the LPI tables and the ITS. */
  memory: GuestMemory;
  /** Add an ITS (and with it LPIs: GICD_TYPER.LPIS, GICR_TYPER.PLPIS), as virt's its=on does. */
  its?: boolean;
  /** A CPU's IRQ input (Non-secure group 1 interrupts). */
  setCpuIrq?: (cpu: number, level: boolean) => void;
  /** A CPU's FIQ input (group 0 interrupts); undriven if absent. */
  setCpuFiq?: (cpu: number, level: boolean) => void;
  /** A guest access the GIC ignores (bad offset or width, write to a read-only register). */
  onGuestError?: (message: string) => void;
}

/** Frame base addresses: "gicd", "gicr" and, with an ITS, "its". */
export type Gicv3Regions = Readonly<Record<string, number>>;

/** GICD_IROUTER's affinity fields (Aff3 at [39:32], Aff2.Aff1.Aff0 at [23:0]) packed as GICR_TYPER[63:32] has them. */
const routedAffinity = (r: bigint): number => Number(((r >> 8n) & 0xff000000n) | (r & 0xffffffn)) >>> 0;

export class Gicv3 implements InterruptController {
  readonly state: Gicv3State;
  readonly cpuCount: number;
  readonly numIrq = VIRT_NUM_IRQ;
  readonly revision = 3;
  readonly lpis: boolean;
  readonly redistributors: Gicv3Redistributors;
  readonly its: GicV3Its | undefined;
  readonly memory: GuestMemory;
  readonly distributor: Gicv3Distributor;
  readonly redistributorFrames: Gicv3RedistributorFrames;
  readonly cpuInterface: Gicv3CpuInterface;
  /** Save-state entries and stop handlers, once registered. */
  registration: RegisteredGicv3 | undefined;
  private readonly affids: number[];
  private readonly cpuByAffinity = new Map<number, number>();
  private readonly irq: boolean[];
  private readonly fiq: boolean[];
  private readonly options: Gicv3Options;

  constructor(options: Gicv3Options) {
    if (!Number.isInteger(options.cpus) || options.cpus < 1) throw new VmstateError("INVALID_STATE", `a GICv3 needs at least one CPU, not ${options.cpus}`);
    this.options = options;
    this.cpuCount = options.cpus;
    this.lpis = options.its === true;
    this.memory = options.memory;
    const aff = options.affinity ?? Array.from({ length: options.cpus }, (_, i) => BigInt(((i >> 4) << 8) | (i & 15)));
    if (aff.length < options.cpus) throw new VmstateError("INVALID_STATE", `${options.cpus} CPUs but ${aff.length} affinities`);
    this.affids = aff.slice(0, options.cpus).map((a) => Number(a & 0xffffffffn));
    this.affids.forEach((a, cpu) => {
      if (this.cpuByAffinity.has(a)) throw new VmstateError("INVALID_STATE", `CPUs ${this.cpuByAffinity.get(a)} and ${cpu} have the same affinity 0x${a.toString(16)}`);
      this.cpuByAffinity.set(a, cpu);
    });
    this.irq = this.affids.map(() => false);
    this.fiq = this.affids.map(() => false);
    this.state = createGicv3State(options.cpus, { lpis: this.lpis });
    for (const cs of this.state.cpu) resetCpuInterface(cs);
    this.redistributors = new Gicv3Redistributors({ memory: options.memory, cpus: this.state.cpu, onChange: (cpu) => this.updateCpu(cpu) });
    this.its = options.its
      ? new GicV3Its({
          memory: options.memory,
          redistributors: this.redistributors,
          ...(options.onCommandError ? { onCommandError: options.onCommandError } : {}),
          ...(options.onGuestError ? { onGuestError: options.onGuestError } : {}),
          ...(options.onSaveError ? { onSaveError: options.onSaveError } : {}),
        })
      : undefined;
    this.distributor = new Gicv3Distributor(this);
    this.redistributorFrames = new Gicv3RedistributorFrames(this);
    this.cpuInterface = new Gicv3CpuInterface(this);
  }

  // ------------------------------------------------------ board wiring

  /** Maps GICD (0x10000), the GICRs (0x20000 per CPU) and the ITS (ITS_SIZE) at the board's addresses. */
  mapInto(bus: SystemBus, regions: Gicv3Regions): void {
    const base = (name: string): number => {
      const b = regions[name];
      if (b === undefined || !Number.isSafeInteger(b) || b < 0) throw new VmstateError("INVALID_STATE", `the board gives the GICv3 no "${name}" region`);
      return b;
    };
    // Every base is checked before anything is mapped.
    const gicd = base("gicd");
    const gicr = base("gicr");
    const its = this.its;
    const itsBase = its ? base("its") : 0;
    bus.mapMmio("gicv3_dist", gicd, GICD_SIZE, this.distributor);
    bus.mapMmio("gicv3_redist_region[0]", gicr, this.cpuCount * GICR_STRIDE, this.redistributorFrames);
    if (its) bus.mapMmio("gicv3_its", itsBase, ITS_SIZE, { read: (o, s) => its.read(o, s), write: (o, s, v) => its.write(o, s, v) });
  }

  /**
   * Registers `arm_gicv3` (instance 0), then the ITS's `arm_gicv3_its`,
   * as virt realizes them, with the stop handlers that write the LPI
   * pending tables and the ITS tables to guest RAM.
   */
  register(machine: Machine, options: { saveOnStop?: boolean } = {}): RegisteredGicv3 {
    if (this.registration) throw new VmstateError("INVALID_STATE", "this GICv3 is registered already");
    this.registration = registerGicv3(
      machine,
      { gic: this.state, redistributors: this.redistributors, its: this.its },
      { ...options, pendingTables: this.lpis, loaded: () => this.loaded() },
    );
    return this.registration;
  }

  /** post_load of `arm_gicv3`: pending LPIs from the pending tables, then every CPU's lines driven again. */
  loaded(): void {
    if (this.state.cpu.length !== this.cpuCount) throw new VmstateError("MACHINE_MISMATCH", `arm_gicv3 has ${this.state.cpu.length} CPUs, this GIC ${this.cpuCount}`);
    this.redistributors.loaded();
    this.refreshLines(true);
  }

  /** Device and CPU-interface reset. */
  reset(): void {
    const fresh = createGicv3State(this.cpuCount, { lpis: this.lpis });
    const { cpu, ...dist } = fresh;
    Object.assign(this.state, dist);
    cpu.forEach((c, i) => {
      resetCpuInterface(c);
      Object.assign(this.state.cpu[i]!, c);
    });
    this.redistributors.reset();
    this.its?.reset();
    this.refreshLines(true);
  }

  // ------------------------------------------------- InterruptController

  setPrivateLine(cpu: number, intid: number, level: boolean): void {
    if (intid < GIC_NR_SGIS || intid >= GIC_INTERNAL) throw new VmstateError("INVALID_STATE", `INTID ${intid} is not a PPI (16..31)`);
    const cs = this.cpuState(cpu);
    if (((cs.level >>> intid) & 1) === (level ? 1 : 0)) return;
    cs.level = withBit(cs.level, intid, level);
    // A rising edge latches pending for an edge-triggered PPI.
    if (level && (cs.edge_trigger >>> intid) & 1) cs.gicr_ipendr0 = withBit(cs.gicr_ipendr0, intid, true);
    this.updateCpu(cpu);
  }

  setSharedLine(intid: number, level: boolean): void {
    if (intid < GIC_INTERNAL || intid >= this.numIrq) throw new VmstateError("INVALID_STATE", `INTID ${intid} is not an SPI (${GIC_INTERNAL}..${this.numIrq - 1})`);
    if (setSpiLevel(this.state, intid, level)) this.update();
  }

  readSysreg(cpu: number, key: number): bigint | undefined {
    this.cpuState(cpu);
    return this.cpuInterface.read(cpu, key);
  }

  writeSysreg(cpu: number, key: number, value: bigint): boolean {
    this.cpuState(cpu);
    return this.cpuInterface.write(cpu, key, value);
  }

  // ------------------------------------------------------- observation

  /** The CPU's IRQ output as last driven. */
  irqLevel(cpu: number): boolean {
    return this.irq[cpu] ?? false;
  }

  /** The CPU's FIQ output (group 0) as last computed. */
  fiqLevel(cpu: number): boolean {
    return this.fiq[cpu] ?? false;
  }

  /** The CPU's highest-priority pending interrupt (INTID 1023, priority 0xff when none). */
  hppi(cpu: number): PendingIrq {
    this.cpuState(cpu);
    return highestPending(this)[cpu]!;
  }

  /** Affinity of a CPU as GICR_TYPER[63:32] has it. */
  affinity(cpu: number): number {
    return this.affids[cpu]!;
  }

  /** GICR_TYPER: affinity, CommonLPIAff, Processor_Number, Last on the last CPU, PLPIS with LPIs. */
  typer(cpu: number): bigint {
    let t = (BigInt(this.affids[cpu]!) << 32n) | GICR_TYPER_COMMON_LPI_AFF | (BigInt(cpu) << 8n);
    if (cpu === this.cpuCount - 1) t |= GICR_TYPER_LAST;
    if (this.lpis) t |= GICR_TYPER_PLPIS;
    return t;
  }

  /** The CPU an SPI is routed to: GICD_IROUTER's Aff3.Aff2.Aff1.Aff0 (IRM ignored, as QEMU does). */
  targetOf(irq: number): number | undefined {
    const r = this.state.gicd_irouter[irq]!;
    return this.cpuByAffinity.get(routedAffinity(r));
  }

  cpuState(cpu: number): Gicv3CpuState {
    const cs = Number.isInteger(cpu) ? this.state.cpu[cpu] : undefined;
    if (!cs || cpu >= this.cpuCount) throw new VmstateError("INVALID_STATE", `no CPU ${cpu} on this GICv3 (${this.cpuCount} CPUs)`);
    return cs;
  }

  gicdCtlr(): number {
    return this.state.gicd_ctlr;
  }

  // ---------------------------------------------- state changes (hosts)

  /** icc_activate_irq's state change: active and no longer latched pending; an LPI just stops pending. */
  activate(cpu: number, intid: number): void {
    const cs = this.cpuState(cpu);
    if (intid < GIC_INTERNAL) {
      cs.gicr_iactiver0 = withBit(cs.gicr_iactiver0, intid, true);
      cs.gicr_ipendr0 = withBit(cs.gicr_ipendr0, intid, false);
      this.updateCpu(cpu);
    } else if (intid < LPI_INTID_BASE) {
      bmpSet(this.state.active, intid, true);
      bmpSet(this.state.pending, intid, false);
      this.update();
    } else {
      this.redistributors.setLpiPending(cpu, intid, false);
      this.updateCpu(cpu);
    }
  }

  /** icc_deactivate_irq: clears active (LPIs have no active state). */
  deactivate(cpu: number, intid: number): void {
    const cs = this.cpuState(cpu);
    if (intid < GIC_INTERNAL) {
      cs.gicr_iactiver0 = withBit(cs.gicr_iactiver0, intid, false);
      this.updateCpu(cpu);
    } else if (intid < this.numIrq) {
      bmpSet(this.state.active, intid, false);
      this.update();
    }
  }

  /** gicv3_redist_send_sgi: accepted if the SGI is of the sender's group (Secure group 1 may hit group 0). */
  sendSgi(target: number, grp: GicGroup, sgi: number): void {
    const cs = this.cpuState(target);
    const irqGrp = irqGroup(this.state, cs, sgi);
    if (grp === GICV3_G1 && irqGrp === GICV3_G0) grp = GICV3_G0;
    if (grp !== irqGrp) return;
    cs.gicr_ipendr0 = withBit(cs.gicr_ipendr0, sgi, true);
    this.updateCpu(target);
  }

  /** Re-evaluates every CPU's lines. */
  update(): void {
    this.drive(false);
  }

  /** Re-evaluates one CPU's lines (the others cannot have changed). */
  updateCpu(_cpu: number): void {
    // The SPI scan is shared by all CPUs and cheap, so one CPU's update is every CPU's.
    this.drive(false);
  }

  /** Drives every CPU's lines from the state; `force` drives them even if unchanged (after a load). */
  refreshLines(force: boolean): void {
    this.drive(force);
  }

  guestError(message: string): void {
    this.options.onGuestError?.(message);
  }

  private drive(force: boolean): void {
    const best = highestPending(this);
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      const lines = cpuLines(this.state.cpu[cpu]!, best[cpu]!);
      if (force || lines.irq !== this.irq[cpu]) {
        this.irq[cpu] = lines.irq;
        this.options.setCpuIrq?.(cpu, lines.irq);
      }
      if (force || lines.fiq !== this.fiq[cpu]) {
        this.fiq[cpu] = lines.fiq;
        this.options.setCpuFiq?.(cpu, lines.fiq);
      }
    }
  }
}
