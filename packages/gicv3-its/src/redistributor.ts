/**
 * A minimal GICv3 redistributor model for LPIs: per-CPU pending LPIs, their
 * configuration (enable, priority) from the LPI property table at
 * GICR_PROPBASER, and the LPI pending table at GICR_PENDBASER, which is
 * only the pending state's home while the redistributor does not hold it:
 * pending state is kept here (as KVM keeps it in the kernel) and written to
 * the pending table when LPIs are disabled and on every VM stop (KVM's
 * SAVE_PENDING_TABLES, which QEMU's KVM GICv3 asks for from its own stop
 * handler), and read back when LPIs are enabled and after a load.
 *
 * The ITS talks to redistributors through LpiTarget only, so a machine with
 * its own GICv3 model can implement that instead of using this class.
 */
import { type ChangeStateEntry, type ChangeStateHandlers, type RunState, VmstateError } from "@vmstate/core";
import type { GuestMemory } from "./guest-memory.js";

/** The first LPI INTID. */
export const LPI_INTID_BASE = 8192;
/** What an acknowledge returns when nothing is pending (ICC_IAR1's spurious INTID). */
export const SPURIOUS_INTID = 1023;
/** INTID bits the distributor implements (GICD_TYPER.IDbits = 15, so LPIs below 2^16). */
export const GIC_ID_BITS = 16;

/** GICR_CTLR.EnableLPIs. */
export const GICR_CTLR_ENABLE_LPIS = 1;
/** GICR_PENDBASER.PTZ: the pending table is known to be zero. */
const PENDBASER_PTZ = 1n << 62n;
/** Table addresses as KVM takes them: PROPBASER [47:12], PENDBASER [47:16]. */
const PROPBASER_ADDR_MASK = ((1n << 48n) - 1n) & ~0xfffn;
const PENDBASER_ADDR_MASK = ((1n << 48n) - 1n) & ~0xffffn;

/**
 * What the ITS needs of the redistributors. CPUs are numbered 0..cpuCount-1,
 * as GICR_TYPER.Processor_Number (GITS_TYPER.PTA = 0: an RDbase is a CPU number).
 */
export interface LpiTarget {
  readonly cpuCount: number;
  /** GICR_CTLR.EnableLPIs of that CPU's redistributor. */
  lpisEnabled(cpu: number): boolean;
  /** INT / CLEAR / a translated MSI. Ignored if the CPU has LPIs disabled or `intid` is beyond what its PROPBASER allows. */
  setLpiPending(cpu: number, intid: number, pending: boolean): void;
  isLpiPending(cpu: number, intid: number): boolean;
  /** INV: the LPI's configuration may have changed in the property table. */
  invalidateLpi(cpu: number, intid: number): void;
  /** INVALL: every LPI configuration of the CPU may have changed. */
  invalidateAll(cpu: number): void;
  /** MOVI: the LPI now targets `to`; its pending state moves with it. */
  moveLpi(from: number, to: number, intid: number): void;
  /** MOVALL: all pending LPIs of `from` move to `to`. */
  moveAllLpis(from: number, to: number): void;
  /**
   * After an ITS restore mapped `intid` to `cpu` again: take its pending
   * state from that CPU's pending table (KVM's vgic_v3_lpi_sync_pending_status).
   */
  syncLpiFromPendingTable(cpu: number, intid: number): void;
}

/** The redistributor registers of one CPU, as `arm_gicv3` migrates them (a Gicv3CpuState fits). */
export interface RedistributorRegisters {
  gicr_ctlr: number;
  gicr_propbaser: bigint;
  gicr_pendbaser: bigint;
}

export interface RedistributorOptions {
  memory: GuestMemory;
  /**
   * The live registers, one per CPU: pass the `cpu` array of the machine's
   * `arm_gicv3` state so that loading that section updates them. A number
   * makes private, zeroed registers for that many CPUs.
   */
  cpus: readonly RedistributorRegisters[] | number;
  /** The CPU's LPI interrupt line changed: true while an enabled LPI is pending. */
  onIrqLine?: (cpu: number, level: boolean) => void;
  /**
   * Anything about the CPU's LPIs may have changed (pending state, enable,
   * configuration): a GIC that picks the highest-priority interrupt itself
   * re-evaluates here (QEMU's gicv3_redist_update after an LPI change).
   */
  onChange?: (cpu: number) => void;
  /** A pending-table access failed (reported, never thrown). */
  onError?: (error: VmstateError) => void;
}

/** The outcome of writing the pending tables (one per stop). */
export interface PendingSaveReport {
  readonly state: RunState | undefined;
  readonly ok: boolean;
  /** Bytes of pending tables that changed. */
  readonly bytesWritten: number;
  readonly errors: readonly VmstateError[];
}

export class Gicv3Redistributors implements LpiTarget {
  readonly regs: readonly RedistributorRegisters[];
  /** The last pending-table save, if any. */
  lastSave: PendingSaveReport | undefined;
  private readonly memory: GuestMemory;
  private readonly pending: Set<number>[];
  private readonly levels: boolean[];
  private readonly onIrqLine: ((cpu: number, level: boolean) => void) | undefined;
  private readonly onChange: ((cpu: number) => void) | undefined;
  private readonly onError: ((error: VmstateError) => void) | undefined;

  constructor(options: RedistributorOptions) {
    this.memory = options.memory;
    this.regs =
      typeof options.cpus === "number"
        ? Array.from({ length: options.cpus }, () => ({ gicr_ctlr: 0, gicr_propbaser: 0n, gicr_pendbaser: 0n }))
        : options.cpus;
    if (this.regs.length === 0) throw new VmstateError("INVALID_STATE", "a GICv3 needs at least one redistributor");
    this.pending = this.regs.map(() => new Set<number>());
    this.levels = this.regs.map(() => false);
    this.onIrqLine = options.onIrqLine;
    this.onChange = options.onChange;
    this.onError = options.onError;
  }

  get cpuCount(): number {
    return this.regs.length;
  }

  private reg(cpu: number): RedistributorRegisters {
    const r = this.regs[cpu];
    if (!r) throw new VmstateError("INVALID_STATE", `no redistributor for CPU ${cpu}`);
    return r;
  }

  lpisEnabled(cpu: number): boolean {
    return (this.reg(cpu).gicr_ctlr & GICR_CTLR_ENABLE_LPIS) !== 0;
  }

  /** One past the largest LPI INTID the CPU takes: 2^(min(PROPBASER.IDbits, 15) + 1); at most 8192 means none. */
  lpiLimit(cpu: number): number {
    const idbits = Number(this.reg(cpu).gicr_propbaser & 0x1fn);
    return 2 ** (Math.min(idbits, GIC_ID_BITS - 1) + 1);
  }

  // ------------------------------------------------------------- registers

  /**
   * GICR_CTLR. EnableLPIs 0 → 1 reads the pending table (unless
   * PENDBASER.PTZ says it is zero); 1 → 0 writes the pending state back to
   * it and forgets it. Only EnableLPIs is writable here.
   */
  writeCtlr(cpu: number, value: number): void {
    const r = this.reg(cpu);
    const was = this.lpisEnabled(cpu);
    const on = (value & GICR_CTLR_ENABLE_LPIS) !== 0;
    if (was === on) return;
    if (on) {
      r.gicr_ctlr = (r.gicr_ctlr | GICR_CTLR_ENABLE_LPIS) >>> 0;
      if ((r.gicr_pendbaser & PENDBASER_PTZ) === 0n) this.readPendingTable(cpu);
    } else {
      this.writePendingTable(cpu);
      this.pending[cpu]!.clear();
      r.gicr_ctlr = (r.gicr_ctlr & ~GICR_CTLR_ENABLE_LPIS) >>> 0;
    }
    this.update(cpu);
  }

  /** GICR_PROPBASER: ignored (false) while LPIs are enabled. */
  writePropbaser(cpu: number, value: bigint): boolean {
    if (this.lpisEnabled(cpu)) return false;
    this.reg(cpu).gicr_propbaser = BigInt.asUintN(64, value);
    return true;
  }

  /** GICR_PENDBASER: ignored (false) while LPIs are enabled. */
  writePendbaser(cpu: number, value: bigint): boolean {
    if (this.lpisEnabled(cpu)) return false;
    this.reg(cpu).gicr_pendbaser = BigInt.asUintN(64, value);
    return true;
  }

  // ------------------------------------------------------------ LpiTarget

  setLpiPending(cpu: number, intid: number, pending: boolean): void {
    if (!this.lpisEnabled(cpu) || intid < LPI_INTID_BASE || intid >= this.lpiLimit(cpu)) return;
    const set = this.pending[cpu]!;
    if (pending === set.has(intid)) return;
    if (pending) set.add(intid);
    else set.delete(intid);
    this.update(cpu);
  }

  isLpiPending(cpu: number, intid: number): boolean {
    return this.pending[cpu]?.has(intid) ?? false;
  }

  invalidateLpi(cpu: number, _intid: number): void {
    // Configuration is read from the property table whenever it is needed,
    // so an invalidation only re-evaluates the interrupt line.
    this.update(cpu);
  }

  invalidateAll(cpu: number): void {
    this.update(cpu);
  }

  moveLpi(from: number, to: number, intid: number): void {
    if (from === to || !this.lpisEnabled(from) || !this.lpisEnabled(to) || !this.isLpiPending(from, intid)) return;
    this.pending[from]!.delete(intid);
    this.update(from);
    this.setLpiPending(to, intid, true);
  }

  moveAllLpis(from: number, to: number): void {
    if (from === to || !this.lpisEnabled(from) || !this.lpisEnabled(to)) return;
    const src = this.pending[from]!;
    const moving = [...src];
    src.clear();
    this.update(from);
    for (const intid of moving) this.setLpiPending(to, intid, true);
  }

  syncLpiFromPendingTable(cpu: number, intid: number): void {
    if (!this.lpisEnabled(cpu) || intid < LPI_INTID_BASE || intid >= this.lpiLimit(cpu)) return;
    try {
      const byte = this.memory.read(this.pendingTableBase(cpu) + (intid >> 3), 1)[0]!;
      if (byte & (1 << (intid & 7))) this.setLpiPending(cpu, intid, true);
    } catch (e) {
      this.report(cpu, "read", e);
    }
  }

  // ----------------------------------------------------------- observation

  /** The pending LPIs of a CPU, ascending (enabled in the property table or not). */
  pendingLpis(cpu: number): number[] {
    return [...(this.pending[cpu] ?? [])].sort((a, b) => a - b);
  }

  /** The LPI's configuration byte from the CPU's property table, or undefined if unreadable. */
  lpiConfig(cpu: number, intid: number): { enabled: boolean; priority: number } | undefined {
    const base = Number(this.reg(cpu).gicr_propbaser & PROPBASER_ADDR_MASK);
    try {
      const b = this.memory.read(base + intid - LPI_INTID_BASE, 1)[0]!;
      return { enabled: (b & 1) !== 0, priority: b & 0xfc };
    } catch {
      return undefined;
    }
  }

  /**
   * The pending LPI that would be taken next: enabled in the property table,
   * lowest priority value, then lowest INTID. SPURIOUS_INTID if none or if
   * the CPU has LPIs disabled.
   */
  highestPendingLpi(cpu: number): number {
    if (!this.lpisEnabled(cpu)) return SPURIOUS_INTID;
    let best = SPURIOUS_INTID;
    let bestPrio = 0x100;
    for (const intid of this.pending[cpu]!) {
      const c = this.lpiConfig(cpu, intid);
      if (!c?.enabled) continue;
      if (c.priority < bestPrio || (c.priority === bestPrio && intid < best)) {
        best = intid;
        bestPrio = c.priority;
      }
    }
    return best;
  }

  /** Takes the highest pending LPI (it stops being pending: LPIs have no active state). SPURIOUS_INTID if none. */
  acknowledge(cpu: number): number {
    const intid = this.highestPendingLpi(cpu);
    if (intid !== SPURIOUS_INTID) {
      this.pending[cpu]!.delete(intid);
      this.update(cpu);
    }
    return intid;
  }

  /** The CPU's LPI interrupt line. */
  irqLevel(cpu: number): boolean {
    return this.levels[cpu] ?? false;
  }

  // ------------------------------------------------------ save and restore

  /**
   * Writes every CPU's pending state into its pending table (only the bytes
   * that differ), for CPUs with LPIs enabled. Never throws: failures are
   * reported through onError and in the returned report.
   */
  savePendingTables(state?: RunState): PendingSaveReport {
    const errors: VmstateError[] = [];
    let bytesWritten = 0;
    for (let cpu = 0; cpu < this.regs.length; cpu++) {
      if (!this.lpisEnabled(cpu)) continue;
      const r = this.writePendingTable(cpu);
      bytesWritten += r.bytes;
      if (r.error) errors.push(r.error);
    }
    this.lastSave = { state, ok: errors.length === 0, bytesWritten, errors };
    return this.lastSave;
  }

  /**
   * After `arm_gicv3` was loaded into the registers: the pending state is
   * whatever the pending tables of CPUs with LPIs enabled say.
   */
  loaded(): void {
    for (let cpu = 0; cpu < this.regs.length; cpu++) {
      this.pending[cpu]!.clear();
      if (this.lpisEnabled(cpu)) this.readPendingTable(cpu);
      this.update(cpu);
    }
  }

  /** Forgets all pending state (the registers belong to the GIC state and are reset with it). */
  reset(): void {
    for (let cpu = 0; cpu < this.regs.length; cpu++) {
      this.pending[cpu]!.clear();
      this.update(cpu);
    }
  }

  /**
   * The KVM GICv3's stop handler: on every stop, the pending tables are
   * written to guest RAM. Priority 0 (qemu_add_vm_change_state_handler), as
   * QEMU 7.2 registers it; register it before the ITS's, as virt realizes
   * the GIC before the ITS, so that on a stop it runs after the ITS's.
   */
  registerStopHandler(handlers: ChangeStateHandlers, options: { priority?: number; name?: string } = {}): ChangeStateEntry {
    return handlers.add(
      (running, state) => {
        if (running) return;
        this.savePendingTables(state);
      },
      { priority: options.priority ?? 0, name: options.name ?? "kvm-arm-gicv3" },
    );
  }

  // -------------------------------------------------------------- helpers

  private pendingTableBase(cpu: number): number {
    return Number(this.reg(cpu).gicr_pendbaser & PENDBASER_ADDR_MASK);
  }

  /** Bytes [first, end) of the pending table that hold LPI bits the CPU may use. */
  private lpiByteRange(cpu: number): [number, number] {
    return [LPI_INTID_BASE >> 3, Math.max(LPI_INTID_BASE, this.lpiLimit(cpu)) >> 3];
  }

  private readPendingTable(cpu: number): void {
    const [first, end] = this.lpiByteRange(cpu);
    if (end <= first) return;
    let bytes: Uint8Array;
    try {
      bytes = this.memory.read(this.pendingTableBase(cpu) + first, end - first);
    } catch (e) {
      this.report(cpu, "read", e);
      return;
    }
    const set = this.pending[cpu]!;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) set.add((first + i) * 8 + bit);
    }
  }

  private writePendingTable(cpu: number): { bytes: number; error?: VmstateError } {
    const [first, end] = this.lpiByteRange(cpu);
    if (end <= first) return { bytes: 0 };
    const base = this.pendingTableBase(cpu);
    const want = new Uint8Array(end - first);
    for (const intid of this.pending[cpu]!) {
      const i = (intid >> 3) - first;
      if (i >= 0 && i < want.length) want[i]! |= 1 << (intid & 7);
    }
    let written = 0;
    try {
      const have = this.memory.read(base + first, want.length);
      // Write runs of differing bytes, so that only pages that change are dirtied.
      for (let i = 0; i < want.length; ) {
        if (want[i] === have[i]) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < want.length && want[j] !== have[j]) j++;
        this.memory.write(base + first + i, want.subarray(i, j));
        written += j - i;
        i = j;
      }
      return { bytes: written };
    } catch (e) {
      return { bytes: written, error: this.report(cpu, "write", e) };
    }
  }

  private report(cpu: number, what: "read" | "write", e: unknown): VmstateError {
    const error = new VmstateError(
      "IO_ERROR",
      `redistributor ${cpu}: cannot ${what} the LPI pending table at 0x${this.pendingTableBase(cpu).toString(16)}: ${e instanceof Error ? e.message : String(e)}`,
      {},
      { cause: e },
    );
    this.onError?.(error);
    return error;
  }

  private update(cpu: number): void {
    const level = this.highestPendingLpi(cpu) !== SPURIOUS_INTID;
    if (level !== this.levels[cpu]) {
      this.levels[cpu] = level;
      this.onIrqLine?.(cpu, level);
    }
    this.onChange?.(cpu);
  }
}
