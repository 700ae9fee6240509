/**
 * An A64 (AArch64) interpreter for one CPU at EL1 and EL0, little-endian,
 * without an MMU (SCTLR_EL1.M is ignored: every address is physical).
 *
 * Representation: general registers are pairs of 32-bit words in an
 * Int32Array (x[2r] low word, x[2r + 1] high word); slot 31 holds the current
 * stack pointer (SP_EL0 or SP_EL1, the other one waits in `spBank`), slot 32
 * is the zero register as read (always 0) and slot 33 a sink for writes to
 * it. The PC is a JS number (exact: every address this CPU can fetch from is
 * below 2^52); a branch to anything farther keeps the exact value in `farPc`
 * and faults on fetch. SIMD&FP registers live in one buffer seen as 32-bit
 * words, doubles and singles.
 *
 * Guest exceptions never throw: an instruction that faults enters the
 * exception (ESR/FAR/ELR/SPSR, vector) itself and returns early; the run loop
 * just continues at the vector. Interrupts are taken between instructions.
 *
 * Not implemented: the MMU and TLB maintenance (TLBI/AT are no-ops / UNDEFINED),
 * AArch32, EL2/EL3 (HVC is the PSCI conduit, SMC is UNDEFINED), debug
 * (breakpoints, watchpoints, single step; BRK is a plain exception), PMU,
 * SP alignment checking (QEMU 7.2 does not check either), pointer
 * authentication, SVE/SME, most of Advanced SIMD (see fpu.ts), FIQ and SError.
 */
import type { MmioDevice, RamBlock, SystemBus } from "@vmstate/core";
import { emptyArchState, type ArmArchState } from "./arch-state.js";
import { BITMASK_HI, BITMASK_LO, BITMASK_OK } from "./decode-imm.js";
import { execSimdFp } from "./fpu.js";
import {
  bswap32, clz64, fromNumber, mul64, R0, R1, rbit32, rev16w, s64, setR, shift32, shift64, smul32, split, TWO32, u64, umul32,
} from "./int64.js";
import { ESR_EC, PSCI, SYS, sysKey } from "./sysregs.js";

export type StopReason = "budget" | "wfi" | "stop" | "brk" | "off";

/** What the machine does for PSCI calls (HVC #0 with a function id in x0, QEMU's virt conduit). */
export interface PsciHandler {
  /** CPU_ON: start the CPU whose MPIDR is `target` at `entry` (EL1h, x0 = contextId). A PSCI return code. */
  cpuOn(target: bigint, entry: bigint, contextId: bigint, caller: A64Cpu): number;
  /** SYSTEM_OFF: the caller is powered off already when this is called. */
  systemOff(caller: A64Cpu): void;
  /** SYSTEM_RESET (default: treated as SYSTEM_OFF). */
  systemReset?(caller: A64Cpu): void;
  /** CPU_OFF of the caller, after it is marked powered off. */
  cpuOff?(caller: A64Cpu): void;
  /** AFFINITY_INFO level 0 for `target`: 0 on, 1 off, 2 on pending, or a PSCI error (default: INVALID_PARAMETERS). */
  affinityInfo?(target: bigint): number;
}

/** Extra system registers (e.g. a GICv3 CPU interface's ICC_*_EL1): keys from sysKey(op0, op1, CRn, CRm, op2). */
export interface SysregHandler {
  /** The value, or undefined when the register is not this handler's. */
  read(key: number, cpu: A64Cpu): bigint | undefined;
  /** True when handled. */
  write(key: number, value: bigint, cpu: A64Cpu): boolean;
}

export interface A64CpuOptions {
  /** Linear CPU index; MPIDR_EL1 Aff0/Aff1 come from it as on QEMU's virt with GICv3 (16 per cluster). */
  cpuIndex?: number;
  /** MPIDR affinity bits (default from cpuIndex); MPIDR_EL1 reads this with bit 31 set. */
  mpAffinity?: bigint;
  /** The virtual count CNTVCT_EL0 (QEMU: ns of the virtual clock / 16). Default: always 0. */
  timeSource?: () => bigint;
  /** CNTFRQ_EL0 reset value (QEMU 7.2: 62.5 MHz). */
  cntfrq?: bigint;
  psci?: PsciHandler;
  sysregs?: SysregHandler;
  /** MIDR_EL1 (default Cortex-A57 r1p3, as QEMU's cortex-a57). */
  midr?: bigint;
  /** Make BRK stop `run()` (stopReason "brk", pc at the BRK) instead of raising an exception. For tests. */
  stopOnBrk?: boolean;
  /** Physical address bits (default 44, Cortex-A57's PARange): higher addresses fault (address size fault). */
  paBits?: number;
  /** Start powered off (secondary CPUs on QEMU's virt until PSCI CPU_ON). */
  startPoweredOff?: boolean;
  /** Reset pc. */
  resetPc?: bigint | number;
  /** A GICv3 CPU interface answers the ICC_* registers: ID_AA64PFR0_EL1.GIC reads 1 (QEMU: env->gicv3state set). */
  gicSystemRegisters?: boolean;
}

const SP = 62; // slot of the current SP, as an index into x
const ZR = 64; // read slot of the zero register
const ZW = 66; // write sink of the zero register
const rz = (r: number) => (r === 31 ? ZR : r << 1);
const wz = (r: number) => (r === 31 ? ZW : r << 1);

const IL = 1 << 25;
const NO_EXCL = -1;

const ID_AA64PFR0 = sysKey(3, 0, 0, 4, 0);
/** ID_AA64PFR0_EL1.GIC = 1: the GIC's system-register interface is there. */
const PFR0_GIC_SYSREGS = 1n << 24n;

/** Cortex-A57 identification as QEMU 7.2 reports it. */
const ID_REGS: Record<number, bigint> = {
  [sysKey(3, 0, 0, 0, 6)]: 0n, // REVIDR
  [sysKey(3, 0, 0, 4, 0)]: 0x2222n, // ID_AA64PFR0_EL1
  [sysKey(3, 0, 0, 5, 0)]: 0x10305106n, // ID_AA64DFR0_EL1
  [sysKey(3, 0, 0, 6, 0)]: 0x11120n, // ID_AA64ISAR0_EL1
  [sysKey(3, 0, 0, 7, 0)]: 0x1124n, // ID_AA64MMFR0_EL1
  [sysKey(3, 3, 0, 0, 1)]: 0x8444c004n, // CTR_EL0
  [sysKey(3, 3, 0, 0, 7)]: 4n, // DCZID_EL0: 64-byte blocks
  [sysKey(3, 1, 0, 0, 1)]: 0x0a200023n, // CLIDR_EL1
};

export class A64Cpu {
  /** x0..x30, SP (current), ZR, ZR sink: 2 words each. */
  readonly x = new Int32Array(68);
  /** SP_EL0 and SP_EL1 words; the current one is in x[62..63], its bank entry is stale. */
  readonly spBank = new Int32Array(4);
  private readonly vbuf = new ArrayBuffer(512);
  /** V0..V31 as 32-bit words (v[4n] = bits 31:0 of Vn). */
  readonly v = new Int32Array(this.vbuf);
  /** V registers as doubles (vd[2n] = Dn) and singles (vs[4n] = Sn). */
  readonly vd = new Float64Array(this.vbuf);
  readonly vs = new Float32Array(this.vbuf);

  /** Address of the instruction being executed / to execute next (NaN while `farPc` holds it). */
  pc = 0;
  farPc = 0n;
  /** Next pc, set by branches and exception entry. */
  npc = 0;
  nf = 0;
  zf = 0;
  cf = 0;
  vf = 0;
  /** D, A, I, F as bits 3..0. */
  daif = 15;
  el: 0 | 1 = 1;
  spsel: 0 | 1 = 1;
  /** PSTATE.IL: the next instruction takes an Illegal State exception. */
  il = false;

  elr = 0n;
  spsr = 0;
  esr = 0;
  far = 0n;
  vbar = 0n;
  sctlr = 0x00c5_0838n;
  cpacr = 0;
  tpidr0 = 0n;
  tpidr1 = 0n;
  tpidrro0 = 0n;
  contextidr = 0n;
  par = 0n;
  mair = 0n;
  tcr = 0n;
  ttbr0 = 0n;
  ttbr1 = 0n;
  cntkctl = 0n;
  cntvCtl = 0;
  cntvCval = 0n;
  cntfrq: bigint;
  fpcr = 0;
  fpsr = 0;
  /** Exclusive monitor: address (or -1), value(s) loaded. */
  exclAddr = NO_EXCL;
  exclVal = 0n;
  exclHigh = 0n;
  wfi = false;
  poweredOff = false;
  irqLine = false;

  readonly cpuIndex: number;
  mpidr: bigint;
  readonly midr: bigint;
  readonly paBits: number;
  timeSource: () => bigint;
  psci: PsciHandler | undefined;
  sysregs: SysregHandler | undefined;
  stopOnBrk: boolean;
  readonly gicSystemRegisters: boolean;
  /** Why the last run() returned. */
  stopReason: StopReason = "budget";
  /** Instructions executed over the CPU's life (run() results summed). */
  executed = 0;
  /** Exceptions and interrupts taken over the CPU's life. */
  exceptions = 0;

  // ---- internal machinery ----
  /** Something needs the run loop's attention before the next instruction (irq, stop, power, IL). */
  private attn = true;
  private stopReq = false;
  /** Memory result: low and high word. */
  rlo = 0;
  rhi = 0;
  private alignCheck = false;
  // fetch window: [fBase, fBase + fLen) maps to fView at fOff
  private fBase = 0;
  private fLen = 0;
  private fOff = 0;
  private fView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
  // data window: [dBase, dBase + dLen)
  private dBase = 0;
  private dLen = 0;
  private dView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
  private dBlock: RamBlock | undefined;

  constructor(
    readonly bus: SystemBus,
    options: A64CpuOptions = {},
  ) {
    this.cpuIndex = options.cpuIndex ?? 0;
    const idx = BigInt(this.cpuIndex);
    this.mpidr = (1n << 31n) | (options.mpAffinity ?? (((idx / 16n) << 8n) | (idx % 16n)));
    this.midr = options.midr ?? 0x411fd070n;
    this.paBits = options.paBits ?? 44;
    this.timeSource = options.timeSource ?? (() => 0n);
    this.cntfrq = options.cntfrq ?? 62_500_000n;
    this.psci = options.psci;
    this.sysregs = options.sysregs;
    this.stopOnBrk = options.stopOnBrk ?? false;
    this.gicSystemRegisters = options.gicSystemRegisters ?? false;
    this.reset(options.resetPc ?? 0);
    this.poweredOff = options.startPoweredOff ?? false;
  }

  // ------------------------------------------------------------------ API

  /** Power-on reset (QEMU's cpu_reset for an AArch64 CPU without EL2/EL3): EL1h, DAIF masked, registers zero. */
  reset(pc: bigint | number = 0): void {
    this.x.fill(0);
    this.spBank.fill(0);
    this.v.fill(0);
    // QEMU keeps Z inverted (ZF == 0 means Z set) and zeroes it on reset: PSTATE reads 0x400003c5
    this.nf = this.cf = this.vf = 0;
    this.zf = 1;
    this.daif = 15;
    this.el = 1;
    this.spsel = 1;
    this.il = false;
    this.elr = this.far = this.vbar = this.tpidr0 = this.tpidr1 = this.tpidrro0 = this.contextidr = this.par = 0n;
    this.mair = this.tcr = this.ttbr0 = this.ttbr1 = this.cntkctl = this.cntvCval = 0n;
    this.spsr = this.esr = this.cpacr = this.cntvCtl = this.fpcr = this.fpsr = 0;
    this.sctlr = 0x00c5_0838n;
    this.exclAddr = NO_EXCL;
    this.exclVal = this.exclHigh = 0n;
    this.wfi = false;
    this.poweredOff = false;
    this.sctlrChanged();
    this.setPc(BigInt(pc));
    this.attn = true;
  }

  /** PSCI CPU_ON as QEMU does it: reset, EL1h, pc = entry, x0 = contextId, running. */
  powerOn(entry: bigint, contextId: bigint): void {
    this.reset(entry);
    this.setX(0, contextId);
  }

  powerOff(): void {
    this.poweredOff = true;
    this.wfi = false;
    this.attn = true;
  }

  /** Drives the IRQ input (from the interrupt controller). */
  setIrq(level: boolean): void {
    this.irqLine = level;
    this.attn = true;
  }

  /** Makes `run()` return (stopReason "stop") at the next instruction boundary. */
  requestStop(): void {
    this.stopReq = true;
    this.attn = true;
  }

  /** CNTVCT_EL0 now. */
  counter(): bigint {
    return BigInt.asUintN(64, this.timeSource());
  }

  /** The virtual timer's output: enabled, not masked, and CNTVCT >= CNTV_CVAL. */
  timerIrqPending(): boolean {
    return (this.cntvCtl & 3) === 1 && this.counter() >= this.cntvCval;
  }

  /** When the virtual timer will fire (its CVAL), or undefined when it cannot (disabled or masked). */
  timerDeadline(): bigint | undefined {
    return (this.cntvCtl & 3) === 1 ? this.cntvCval : undefined;
  }

  getPc(): bigint {
    return Number.isNaN(this.pc) ? this.farPc : BigInt.asUintN(64, BigInt(this.pc));
  }

  setPc(v: bigint): void {
    const s = BigInt.asUintN(64, v);
    if (s < 1n << 52n) this.pc = Number(s);
    else {
      this.pc = NaN;
      this.farPc = s;
    }
    this.npc = this.pc;
  }

  /** x0..x30; 31 reads the current SP. */
  getX(r: number): bigint {
    return u64(this.x[2 * r]!, this.x[2 * r + 1]!);
  }

  /** x0..x30; 31 writes the current SP. */
  setX(r: number, v: bigint): void {
    this.x[2 * r] = Number(BigInt.asIntN(32, v));
    this.x[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  getSp(): bigint {
    return this.getX(31);
  }

  /** Bits 63:0 and 127:64 of Vn. */
  getV(n: number): [bigint, bigint] {
    const v = this.v;
    return [u64(v[4 * n]!, v[4 * n + 1]!), u64(v[4 * n + 2]!, v[4 * n + 3]!)];
  }

  setV(n: number, lo: bigint, hi = 0n): void {
    const v = this.v;
    v[4 * n] = Number(BigInt.asIntN(32, lo));
    v[4 * n + 1] = Number(BigInt.asIntN(32, lo >> 32n));
    v[4 * n + 2] = Number(BigInt.asIntN(32, hi));
    v[4 * n + 3] = Number(BigInt.asIntN(32, hi >> 32n));
  }

  /** NZCV as bits 3..0. */
  get nzcv(): number {
    return (this.nf << 3) | (this.zf << 2) | (this.cf << 1) | this.vf;
  }

  set nzcv(v: number) {
    this.nf = (v >> 3) & 1;
    this.zf = (v >> 2) & 1;
    this.cf = (v >> 1) & 1;
    this.vf = v & 1;
  }

  /** PSTATE as SPSR holds it (NZCV, IL, DAIF, M[3:0]). */
  pstateValue(): number {
    return ((this.nzcv << 28) | (this.il ? 1 << 20 : 0) | (this.daif << 6) | (this.el << 2) | (this.el ? this.spsel : 0)) >>> 0;
  }

  exportState(): ArmArchState {
    const s = emptyArchState();
    for (let i = 0; i < 31; i++) s.xregs[i] = this.getX(i);
    const cur = this.curSp();
    const bank = (i: number) => (i === cur ? this.getX(31) : u64(this.spBank[2 * i]!, this.spBank[2 * i + 1]!));
    s.sp_el0 = bank(0);
    s.sp_el1 = bank(1);
    s.pc = this.getPc();
    s.pstate = { nzcv: this.nzcv, daif: this.daif, el: this.el, spsel: this.spsel };
    s.illegal = this.il;
    s.elr_el1 = this.elr;
    s.spsr_el1 = BigInt(this.spsr >>> 0);
    s.esr_el1 = BigInt(this.esr >>> 0);
    s.far_el1 = this.far;
    s.vbar_el1 = this.vbar;
    s.sctlr_el1 = this.sctlr;
    s.cpacr_el1 = BigInt(this.cpacr >>> 0);
    s.tpidr_el0 = this.tpidr0;
    s.tpidr_el1 = this.tpidr1;
    s.tpidrro_el0 = this.tpidrro0;
    s.contextidr_el1 = this.contextidr;
    s.par_el1 = this.par;
    s.mair_el1 = this.mair;
    s.tcr_el1 = this.tcr;
    s.ttbr0_el1 = this.ttbr0;
    s.ttbr1_el1 = this.ttbr1;
    s.cntkctl_el1 = this.cntkctl;
    s.cntfrq_el0 = this.cntfrq;
    s.cntv_ctl = this.cntvCtl & 3;
    s.cntv_cval = this.cntvCval;
    s.mpidr_el1 = this.mpidr;
    for (let i = 0; i < 32; i++) {
      const [lo, hi] = this.getV(i);
      s.vregs[2 * i] = lo;
      s.vregs[2 * i + 1] = hi;
    }
    s.fpcr = this.fpcr;
    s.fpsr = this.fpsr;
    s.exclusive_addr = this.exclAddr === NO_EXCL ? 0xffff_ffff_ffff_ffffn : BigInt(this.exclAddr);
    s.exclusive_val = this.exclVal;
    s.exclusive_high = this.exclHigh;
    s.wfi = this.wfi;
    s.powered_off = this.poweredOff;
    s.irq_line = this.irqLine;
    return s;
  }

  /** Loads a state; values are taken as given except for the masks the registers' writes apply. */
  importState(s: ArmArchState): void {
    for (let i = 0; i < 31; i++) this.setX(i, s.xregs[i] ?? 0n);
    this.x.fill(0, ZR, 68);
    this.el = s.pstate.el;
    this.spsel = s.pstate.spsel;
    const split2 = (i: number, v: bigint) => {
      this.spBank[2 * i] = Number(BigInt.asIntN(32, v));
      this.spBank[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
    };
    split2(0, s.sp_el0);
    split2(1, s.sp_el1);
    const cur = this.curSp();
    this.x[SP] = this.spBank[2 * cur]!;
    this.x[SP + 1] = this.spBank[2 * cur + 1]!;
    this.setPc(s.pc);
    this.nzcv = s.pstate.nzcv & 15;
    this.daif = s.pstate.daif & 15;
    this.il = s.illegal;
    this.elr = s.elr_el1;
    this.spsr = Number(BigInt.asUintN(32, s.spsr_el1)) | 0;
    this.esr = Number(BigInt.asUintN(32, s.esr_el1)) | 0;
    this.far = s.far_el1;
    this.vbar = s.vbar_el1;
    this.sctlr = s.sctlr_el1;
    this.cpacr = Number(BigInt.asUintN(32, s.cpacr_el1)) | 0;
    this.tpidr0 = s.tpidr_el0;
    this.tpidr1 = s.tpidr_el1;
    this.tpidrro0 = s.tpidrro_el0;
    this.contextidr = s.contextidr_el1;
    this.par = s.par_el1;
    this.mair = s.mair_el1;
    this.tcr = s.tcr_el1;
    this.ttbr0 = s.ttbr0_el1;
    this.ttbr1 = s.ttbr1_el1;
    this.cntkctl = s.cntkctl_el1;
    this.cntfrq = s.cntfrq_el0 & 0xffff_ffffn;
    this.cntvCtl = s.cntv_ctl & 3;
    this.cntvCval = s.cntv_cval;
    this.mpidr = s.mpidr_el1;
    for (let i = 0; i < 32; i++) this.setV(i, s.vregs[2 * i] ?? 0n, s.vregs[2 * i + 1] ?? 0n);
    this.fpcr = s.fpcr;
    this.fpsr = s.fpsr;
    this.exclAddr = s.exclusive_addr === 0xffff_ffff_ffff_ffffn || s.exclusive_addr >= 1n << 52n ? NO_EXCL : Number(s.exclusive_addr);
    this.exclVal = s.exclusive_val;
    this.exclHigh = s.exclusive_high;
    this.wfi = s.wfi;
    this.poweredOff = s.powered_off;
    this.irqLine = s.irq_line;
    this.sctlrChanged();
    this.attn = true;
  }

  // ------------------------------------------------------------ run loop

  /**
   * Executes up to `maxInstructions` instructions; returns how many were
   * executed (an instruction that raised an exception counts; taking an
   * interrupt does not). Stops early on WFI with no interrupt pending, power
   * off, requestStop(), or BRK with stopOnBrk; `stopReason` says which.
   */
  run(maxInstructions: number): number {
    this.stopReason = "budget";
    let n = 0;
    this.attn = true;
    while (n < maxInstructions) {
      if (this.attn && this.attention()) break;
      const pc = this.pc;
      const d = pc - this.fBase;
      let inst: number;
      if (d >= 0 && d < this.fLen && (d & 3) === 0) inst = this.fView.getInt32(this.fOff + d, true);
      else {
        n++;
        const w = this.fetchSlow();
        if (w === undefined) {
          this.pc = this.npc;
          continue;
        }
        n--;
        inst = w;
      }
      n++;
      this.npc = pc + 4;
      this.exec(inst);
      this.pc = this.npc;
    }
    this.executed += n;
    return n;
  }

  /** Handles what `attn` flags; true when run() must return. */
  private attention(): boolean {
    this.attn = false;
    this.x[ZR] = this.x[ZR + 1] = 0;
    if (this.stopReq) {
      this.stopReq = false;
      if (this.stopReason !== "brk") this.stopReason = "stop";
      return true;
    }
    if (this.poweredOff) {
      this.stopReason = "off";
      return true;
    }
    if (this.wfi) {
      if (!this.irqLine) {
        this.stopReason = "wfi";
        return true;
      }
      this.wfi = false;
    }
    if (this.irqLine && (this.daif & 2) === 0) {
      this.enterException(0x80, this.getPc(), -1);
      this.pc = this.npc;
    } else if (this.il) {
      this.npc = this.pc;
      this.syncException(ESR_EC.ILLEGAL_STATE << 26 | IL);
      this.pc = this.npc;
    }
    return false;
  }

  // ---------------------------------------------------------- exceptions

  private curSp(): number {
    return this.el === 0 ? 0 : this.spsel;
  }

  /** Moves the current SP to its bank and loads the one selected by (el, spsel). */
  private switchSp(fromIdx: number): void {
    const to = this.curSp();
    if (to === fromIdx) return;
    const x = this.x;
    const b = this.spBank;
    b[2 * fromIdx] = x[SP]!;
    b[2 * fromIdx + 1] = x[SP + 1]!;
    x[SP] = b[2 * to]!;
    x[SP + 1] = b[2 * to + 1]!;
  }

  /**
   * Enters an exception to EL1: `offset` 0 (synchronous) or 0x80 (IRQ);
   * `esr` -1 leaves ESR_EL1 alone. Sets npc to the vector.
   */
  enterException(offset: number, returnAddress: bigint, esr: number, far?: bigint): void {
    const from = this.curSp();
    this.spsr = this.pstateValue() | 0;
    this.elr = returnAddress;
    if (esr !== -1) this.esr = esr;
    if (far !== undefined) this.far = far;
    const base = this.el === 0 ? 0x400 : this.spsel ? 0x200 : 0;
    this.el = 1;
    this.spsel = 1;
    this.switchSp(from);
    this.daif = 15;
    this.il = false;
    this.exclAddr = NO_EXCL;
    this.wfi = false;
    this.exceptions++;
    const vec = BigInt.asUintN(64, this.vbar + BigInt(base + offset));
    if (vec < 1n << 52n) this.npc = Number(vec);
    else {
      this.npc = NaN;
      this.farPc = vec;
    }
  }

  /** A synchronous exception for the current instruction (ELR = its address). */
  syncException(esr: number, far?: bigint): void {
    this.enterException(0, this.getPc(), esr, far);
  }

  /** UNDEFINED instruction. */
  undef(): void {
    this.syncException(IL);
  }

  private abort(addr: bigint, write: boolean, fsc: number, fetch = false): void {
    const ec = fetch ? (this.el ? ESR_EC.IABORT_SAME : ESR_EC.IABORT_LOWER) : this.el ? ESR_EC.DABORT_SAME : ESR_EC.DABORT_LOWER;
    this.syncException((ec << 26) | IL | (write ? 1 << 6 : 0) | fsc, addr);
  }

  /** Fetch outside the current window: finds the RAM block, or raises the abort and returns undefined. */
  private fetchSlow(): number | undefined {
    const pc = this.pc;
    this.npc = pc;
    if (Number.isNaN(pc)) {
      if ((this.farPc & 3n) !== 0n) this.syncException((ESR_EC.PC_ALIGN << 26) | IL, this.farPc);
      else this.abort(this.farPc, false, 0, true); // address size fault, level 0
      return undefined;
    }
    if ((pc & 3) !== 0) {
      this.syncException((ESR_EC.PC_ALIGN << 26) | IL, BigInt(pc));
      return undefined;
    }
    if (pc >= 2 ** this.paBits) {
      this.abort(BigInt(pc), false, 0, true);
      return undefined;
    }
    const w = this.bus.ramAt(pc, 4);
    if (!w) {
      this.abort(BigInt(pc), false, 0x10, true); // synchronous external abort (QEMU: unassigned memory)
      return undefined;
    }
    this.fBase = w.base;
    this.fLen = w.block.length - 3;
    this.fOff = 0;
    this.fView = w.view;
    return w.view.getInt32(pc - w.base, true);
  }

  // ------------------------------------------------------------- memory

  private sctlrChanged(): void {
    this.alignCheck = (this.sctlr & 2n) !== 0n;
  }

  /** Address as a number, or undefined (with the abort taken) when it is beyond the physical address space. */
  private physAddr(alo: number, ahi: number, write: boolean): number | undefined {
    if (ahi >>> 0 >= 2 ** (this.paBits - 32)) {
      this.abort(u64(alo, ahi), write, 0);
      return undefined;
    }
    return (ahi >>> 0) * TWO32 + (alo >>> 0);
  }

  /** Alignment fault unless aligned to `size` (exclusives, acquire/release, atomics, or SCTLR.A). */
  private aligned(alo: number, ahi: number, size: number, write: boolean): boolean {
    if ((alo & (size - 1)) === 0) return true;
    this.abort(u64(alo, ahi), write, 0x21);
    return false;
  }

  /** Reads `size` (1, 2, 4, 8) bytes zero-extended into rlo/rhi; false after taking a data abort. */
  read(alo: number, ahi: number, size: number): boolean {
    if (ahi === 0) {
      const off = (alo >>> 0) - this.dBase;
      if (off >= 0 && off + size <= this.dLen && !(this.alignCheck && (alo & (size - 1)) !== 0)) {
        const dv = this.dView;
        switch (size) {
          case 1: this.rlo = dv.getUint8(off); this.rhi = 0; return true;
          case 2: this.rlo = dv.getUint16(off, true); this.rhi = 0; return true;
          case 4: this.rlo = dv.getInt32(off, true); this.rhi = 0; return true;
          default: this.rlo = dv.getInt32(off, true); this.rhi = dv.getInt32(off + 4, true); return true;
        }
      }
    }
    return this.readSlow(alo, ahi, size);
  }

  private readSlow(alo: number, ahi: number, size: number): boolean {
    if (this.alignCheck && !this.aligned(alo, ahi, size, false)) return false;
    const a = this.physAddr(alo, ahi, false);
    if (a === undefined) return false;
    const w = this.bus.ramAt(a, size);
    if (w) {
      this.dBase = w.base;
      this.dLen = w.block.length;
      this.dView = w.view;
      this.dBlock = w.block;
      const off = a - w.base;
      const dv = w.view;
      switch (size) {
        case 1: this.rlo = dv.getUint8(off); this.rhi = 0; break;
        case 2: this.rlo = dv.getUint16(off, true); this.rhi = 0; break;
        case 4: this.rlo = dv.getInt32(off, true); this.rhi = 0; break;
        default: this.rlo = dv.getInt32(off, true); this.rhi = dv.getInt32(off + 4, true);
      }
      return true;
    }
    const m = this.bus.mmioAt(a);
    if (m && a + size <= m.base + m.size) {
      const v = (m.device as MmioDevice).read(a - m.base, size as 1 | 2 | 4 | 8);
      split(size === 8 ? v : BigInt.asUintN(size * 8, v));
      this.rlo = R0;
      this.rhi = R1;
      return true;
    }
    this.abort(BigInt(a), false, 0x10);
    return false;
  }

  /** Writes the low `size` bytes of (vlo, vhi); false after taking a data abort. */
  write(alo: number, ahi: number, size: number, vlo: number, vhi: number): boolean {
    if (ahi === 0) {
      const off = (alo >>> 0) - this.dBase;
      if (off >= 0 && off + size <= this.dLen && !(this.alignCheck && (alo & (size - 1)) !== 0)) {
        const dv = this.dView;
        switch (size) {
          case 1: dv.setUint8(off, vlo); break;
          case 2: dv.setUint16(off, vlo, true); break;
          case 4: dv.setInt32(off, vlo, true); break;
          default: dv.setInt32(off, vlo, true); dv.setInt32(off + 4, vhi, true);
        }
        this.dBlock!.markWritten(off, size);
        return true;
      }
    }
    return this.writeSlow(alo, ahi, size, vlo, vhi);
  }

  private writeSlow(alo: number, ahi: number, size: number, vlo: number, vhi: number): boolean {
    if (this.alignCheck && !this.aligned(alo, ahi, size, true)) return false;
    const a = this.physAddr(alo, ahi, true);
    if (a === undefined) return false;
    const w = this.bus.ramAt(a, size);
    if (w) {
      this.dBase = w.base;
      this.dLen = w.block.length;
      this.dView = w.view;
      this.dBlock = w.block;
      return this.write(alo, ahi, size, vlo, vhi);
    }
    const m = this.bus.mmioAt(a);
    if (m && a + size <= m.base + m.size) {
      const v = size === 8 ? u64(vlo, vhi) : BigInt.asUintN(size * 8, BigInt(vlo >>> 0));
      (m.device as MmioDevice).write(a - m.base, size as 1 | 2 | 4 | 8, v);
      this.attn = true; // the device may have raised an interrupt
      return true;
    }
    this.abort(BigInt(a), true, 0x10);
    return false;
  }

  // ---------------------------------------------------------- execution

  /** Executes one instruction (this.pc is its address, this.npc the next one). */
  exec(inst: number): void {
    switch ((inst >>> 25) & 15) {
      case 8: case 9: this.dpImm(inst); return;
      case 10: case 11: this.branchSys(inst); return;
      case 4: case 6: case 12: case 14: this.loadStore(inst); return;
      case 5: case 13: this.dpReg(inst); return;
      case 7: case 15:
        if (this.fpTrap()) return;
        if (!execSimdFp(this, inst)) this.undef();
        return;
      default: this.undef();
    }
  }

  /** Takes the SIMD&FP access trap when CPACR_EL1.FPEN forbids FP at the current EL; true if taken. */
  fpTrap(): boolean {
    const fpen = (this.cpacr >>> 20) & 3;
    if (fpen === 3 || (fpen === 1 && this.el === 1)) return false;
    // QEMU 7.2: syn_fp_access_trap(1, 0xe, false, 0)
    this.syncException((ESR_EC.FP_ACCESS << 26) | IL | (1 << 24) | (0xe << 20));
    return true;
  }

  // ---- data processing, immediate

  private dpImm(inst: number): void {
    const x = this.x;
    const rd = inst & 31;
    const rn = (inst >>> 5) & 31;
    const sf = inst >>> 31;
    switch ((inst >>> 23) & 7) {
      case 0: case 1: { // ADR, ADRP
        const imm = (((inst << 8) >> 13) << 2) | ((inst >>> 29) & 3);
        const pc = this.pc;
        const v = sf ? Math.floor(pc / 4096) * 4096 + imm * 4096 : pc + imm;
        fromNumber(v);
        x[wz(rd)] = R0;
        x[wz(rd) + 1] = R1;
        return;
      }
      case 2: { // ADD/SUB (immediate)
        let imm = (inst >>> 10) & 0xfff;
        if (inst & (1 << 22)) imm *= 4096;
        const sub = inst & (1 << 30);
        const a0 = x[rn << 1]!;
        const a1 = x[(rn << 1) + 1]!;
        if (inst & (1 << 29)) {
          // ADDS/SUBS: rd 31 is ZR
          if (sub) this.addFlags(sf, a0, a1, ~imm, -1, 1);
          else this.addFlags(sf, a0, a1, imm, 0, 0);
          const d = wz(rd);
          x[d] = R0;
          x[d + 1] = R1;
          return;
        }
        const d = rd << 1; // rd 31 is SP
        if (sf) {
          const s = sub ? (a0 >>> 0) - imm : (a0 >>> 0) + imm;
          x[d] = s;
          x[d + 1] = s < 0 ? a1 - 1 : s >= TWO32 ? a1 + 1 : a1;
        } else {
          x[d] = sub ? a0 - imm : a0 + imm;
          x[d + 1] = 0;
        }
        return;
      }
      case 4: { // logical (immediate)
        const key = (inst >>> 10) & 0x1fff;
        if (!BITMASK_OK[key] || (!sf && key & 0x1000)) return this.undef();
        const b0 = BITMASK_LO[key]!;
        const b1 = sf ? BITMASK_HI[key]! : 0;
        const a0 = x[rz(rn)]!;
        const a1 = sf ? x[rz(rn) + 1]! : 0;
        let r0: number;
        let r1: number;
        const opc = (inst >>> 29) & 3;
        switch (opc) {
          case 0: case 3: r0 = a0 & b0; r1 = a1 & b1; break;
          case 1: r0 = a0 | b0; r1 = a1 | b1; break;
          default: r0 = a0 ^ b0; r1 = a1 ^ b1;
        }
        if (opc === 3) {
          this.logicFlags(sf, r0, r1);
          x[wz(rd)] = r0;
          x[wz(rd) + 1] = r1;
        } else {
          x[rd << 1] = r0; // rd 31 is SP
          x[(rd << 1) + 1] = r1;
        }
        return;
      }
      case 5: { // move wide
        const opc = (inst >>> 29) & 3;
        const hw = (inst >>> 21) & 3;
        if (opc === 1 || (!sf && hw > 1)) return this.undef();
        const imm = (inst >>> 5) & 0xffff;
        const d = wz(rd);
        const sh = (hw & 1) * 16;
        if (opc === 3) {
          // MOVK
          if (hw < 2) x[d] = (x[d]! & ~(0xffff << sh)) | (imm << sh);
          else x[d + 1] = (x[d + 1]! & ~(0xffff << sh)) | (imm << sh);
          if (!sf) x[d + 1] = 0;
          return;
        }
        let lo = hw < 2 ? imm << sh : 0;
        let hi = hw < 2 ? 0 : imm << sh;
        if (opc === 0) {
          lo = ~lo;
          hi = sf ? ~hi : 0;
        }
        x[d] = lo;
        x[d + 1] = hi;
        return;
      }
      case 6: this.bitfield(inst); return;
      case 7: { // EXTR
        if ((inst >>> 29) & 3 || ((inst >>> 22) & 1) !== sf || (inst >>> 21) & 1) return this.undef();
        const rm = (inst >>> 16) & 31;
        const lsb = (inst >>> 10) & 63;
        const n0 = x[rz(rn)]!;
        const n1 = x[rz(rn) + 1]!;
        const m0 = x[rz(rm)]!;
        const m1 = x[rz(rm) + 1]!;
        const d = wz(rd);
        if (!sf) {
          if (lsb > 31) return this.undef();
          x[d] = lsb === 0 ? m0 : (m0 >>> lsb) | (n0 << (32 - lsb));
          x[d + 1] = 0;
          return;
        }
        if (lsb === 0) {
          x[d] = m0;
          x[d + 1] = m1;
          return;
        }
        shift64(m0, m1, 1, lsb);
        const l0 = R0;
        const l1 = R1;
        shift64(n0, n1, 0, 64 - lsb);
        x[d] = l0 | R0;
        x[d + 1] = l1 | R1;
        return;
      }
      default: this.undef();
    }
  }

  /** SBFM, BFM, UBFM (and so LSL/LSR/ASR immediate, [SU]BFX, [SU]BFIZ, BFI, BFXIL, SXT*, UXT*). */
  private bitfield(inst: number): void {
    const x = this.x;
    const sf = inst >>> 31;
    const opc = (inst >>> 29) & 3;
    const immr = (inst >>> 16) & 63;
    const imms = (inst >>> 10) & 63;
    if (opc === 3 || ((inst >>> 22) & 1) !== sf || (!sf && (immr > 31 || imms > 31))) return this.undef();
    const rn = rz((inst >>> 5) & 31);
    const d = wz(inst & 31);
    const w = sf ? 64 : 32;
    // the shift aliases first: LSR/ASR (imms = w - 1), LSL (UBFM with imms + 1 = immr)
    if (opc !== 1 && imms === w - 1) {
      if (sf) {
        shift64(x[rn]!, x[rn + 1]!, opc === 0 ? 2 : 1, immr);
        x[d] = R0;
        x[d + 1] = R1;
      } else {
        x[d] = opc === 0 ? x[rn]! >> immr : x[rn]! >>> immr;
        x[d + 1] = 0;
      }
      return;
    }
    if (opc === 2 && imms + 1 === immr) {
      if (sf) {
        shift64(x[rn]!, x[rn + 1]!, 0, 63 - imms);
        x[d] = R0;
        x[d + 1] = R1;
      } else {
        x[d] = x[rn]! << (31 - imms);
        x[d + 1] = 0;
      }
      return;
    }
    let width: number;
    let pos: number;
    let src0: number;
    let src1: number;
    if (imms >= immr) {
      // extract bits imms..immr to the bottom
      width = imms - immr + 1;
      pos = 0;
      if (sf) {
        shift64(x[rn]!, x[rn + 1]!, 1, immr);
        src0 = R0;
        src1 = R1;
      } else {
        src0 = x[rn]! >>> immr;
        src1 = 0;
      }
    } else {
      // insert bits imms..0 at w - immr
      width = imms + 1;
      pos = w - immr;
      src0 = x[rn]!;
      src1 = sf ? x[rn + 1]! : 0;
    }
    // field = low `width` bits of src, zero- or sign-extended
    let f0: number;
    let f1: number;
    if (sf) {
      shift64(src0, src1, 0, 64 - width);
      shift64(R0, R1, opc === 0 ? 2 : 1, 64 - width);
      f0 = R0;
      f1 = R1;
      shift64(f0, f1, 0, pos);
      f0 = R0;
      f1 = R1;
    } else {
      f0 = opc === 0 ? (src0 << (32 - width)) >> (32 - width) : width === 32 ? src0 : src0 & ((1 << width) - 1);
      f0 = pos === 32 ? 0 : f0 << pos;
      f1 = 0;
    }
    if (opc !== 1) {
      x[d] = f0;
      x[d + 1] = sf ? f1 : 0;
      return;
    }
    // BFM: only the field's bits change
    let m0: number;
    let m1: number;
    if (sf) {
      // mask = ones(width) << pos
      if (width === 64) {
        m0 = -1;
        m1 = -1;
      } else {
        shift64(-1, -1, 1, 64 - width);
        shift64(R0, R1, 0, pos);
        m0 = R0;
        m1 = R1;
      }
    } else {
      m0 = (width === 32 ? -1 : (1 << width) - 1) << pos;
      m1 = 0;
    }
    x[d] = (x[d]! & ~m0) | (f0 & m0);
    x[d + 1] = sf ? (x[d + 1]! & ~m1) | (f1 & m1) : 0;
  }

  /** a + b + cin with NZCV; result in R0/R1 (R1 = 0 for 32-bit). */
  private addFlags(sf: number, a0: number, a1: number, b0: number, b1: number, cin: number): void {
    const lo = (a0 >>> 0) + (b0 >>> 0) + cin;
    if (sf) {
      const hi = (a1 >>> 0) + (b1 >>> 0) + (lo >= TWO32 ? 1 : 0);
      const r0 = lo | 0;
      const r1 = hi | 0;
      this.nf = r1 >>> 31;
      this.zf = (r0 | r1) === 0 ? 1 : 0;
      this.cf = hi >= TWO32 ? 1 : 0;
      this.vf = ((a1 ^ r1) & (b1 ^ r1)) >>> 31;
      setR(r0, r1);
    } else {
      const r = lo | 0;
      this.nf = r >>> 31;
      this.zf = r === 0 ? 1 : 0;
      this.cf = lo >= TWO32 ? 1 : 0;
      this.vf = ((a0 ^ r) & (b0 ^ r)) >>> 31;
      setR(r, 0);
    }
  }

  private logicFlags(sf: number, r0: number, r1: number): void {
    if (sf) {
      this.nf = r1 >>> 31;
      this.zf = (r0 | r1) === 0 ? 1 : 0;
    } else {
      this.nf = r0 >>> 31;
      this.zf = r0 === 0 ? 1 : 0;
    }
    this.cf = 0;
    this.vf = 0;
  }

  /** ConditionHolds. */
  cond(c: number): boolean {
    let r: boolean;
    switch (c >> 1) {
      case 0: r = this.zf === 1; break;
      case 1: r = this.cf === 1; break;
      case 2: r = this.nf === 1; break;
      case 3: r = this.vf === 1; break;
      case 4: r = this.cf === 1 && this.zf === 0; break;
      case 5: r = this.nf === this.vf; break;
      case 6: r = this.nf === this.vf && this.zf === 0; break;
      default: return true;
    }
    return c & 1 ? !r : r;
  }

  // ---- data processing, register

  private dpReg(inst: number): void {
    const x = this.x;
    const sf = inst >>> 31;
    const rd = inst & 31;
    const rn = (inst >>> 5) & 31;
    const rm = (inst >>> 16) & 31;
    if ((inst & 0x1f000000) === 0x0a000000) {
      // logical (shifted register)
      const type = (inst >>> 22) & 3;
      const amt = (inst >>> 10) & 63;
      if (!sf && amt > 31) return this.undef();
      let b0: number;
      let b1: number;
      if (sf) {
        shift64(x[rz(rm)]!, x[rz(rm) + 1]!, type, amt);
        b0 = R0;
        b1 = R1;
      } else {
        b0 = shift32(x[rz(rm)]!, type, amt);
        b1 = 0;
      }
      if (inst & (1 << 21)) {
        b0 = ~b0;
        b1 = sf ? ~b1 : 0;
      }
      const a0 = x[rz(rn)]!;
      const a1 = sf ? x[rz(rn) + 1]! : 0;
      let r0: number;
      let r1: number;
      const opc = (inst >>> 29) & 3;
      switch (opc) {
        case 0: case 3: r0 = a0 & b0; r1 = a1 & b1; break;
        case 1: r0 = a0 | b0; r1 = a1 | b1; break;
        default: r0 = a0 ^ b0; r1 = a1 ^ b1;
      }
      if (opc === 3) this.logicFlags(sf, r0, r1);
      x[wz(rd)] = r0;
      x[wz(rd) + 1] = r1;
      return;
    }
    if ((inst & 0x1f000000) === 0x0b000000) {
      // add/sub, shifted or extended register
      const sub = (inst >>> 30) & 1;
      const setFlags = (inst >>> 29) & 1;
      let b0: number;
      let b1: number;
      let a0: number;
      let a1: number;
      let d: number;
      if (inst & (1 << 21)) {
        // extended register: rn and (without S) rd may be SP
        const option = (inst >>> 13) & 7;
        const amt = (inst >>> 10) & 7;
        if (amt > 4 || (inst >>> 22) & 3) return this.undef();
        this.extendReg(rm, option, amt);
        b0 = R0;
        b1 = R1;
        a0 = x[rn << 1]!;
        a1 = x[(rn << 1) + 1]!;
        d = setFlags ? wz(rd) : rd << 1;
      } else {
        const type = (inst >>> 22) & 3;
        const amt = (inst >>> 10) & 63;
        if (type === 3 || (!sf && amt > 31)) return this.undef();
        if (sf) {
          shift64(x[rz(rm)]!, x[rz(rm) + 1]!, type, amt);
          b0 = R0;
          b1 = R1;
        } else {
          b0 = shift32(x[rz(rm)]!, type, amt);
          b1 = 0;
        }
        a0 = x[rz(rn)]!;
        a1 = x[rz(rn) + 1]!;
        d = wz(rd);
      }
      if (setFlags) {
        if (sub) this.addFlags(sf, a0, a1, ~b0, ~b1, 1);
        else this.addFlags(sf, a0, a1, b0, b1, 0);
        x[d] = R0;
        x[d + 1] = R1;
        return;
      }
      if (!sf) {
        x[d] = sub ? a0 - b0 : a0 + b0;
        x[d + 1] = 0;
      } else if (sub) {
        const lo = (a0 >>> 0) - (b0 >>> 0);
        x[d] = lo;
        x[d + 1] = a1 - b1 - (lo < 0 ? 1 : 0);
      } else {
        const lo = (a0 >>> 0) + (b0 >>> 0);
        x[d] = lo;
        x[d + 1] = a1 + b1 + (lo >= TWO32 ? 1 : 0);
      }
      return;
    }
    if ((inst & 0x1f000000) === 0x1b000000) return this.dp3(inst);
    switch ((inst >>> 21) & 0xff) {
      case 0xd0: { // ADC/SBC
        if ((inst >>> 10) & 63) return this.undef();
        const sub = (inst >>> 30) & 1;
        let b0 = x[rz(rm)]!;
        let b1 = x[rz(rm) + 1]!;
        if (sub) {
          b0 = ~b0;
          b1 = ~b1;
        }
        const a0 = x[rz(rn)]!;
        const a1 = x[rz(rn) + 1]!;
        if ((inst >>> 29) & 1) this.addFlags(sf, a0, a1, b0, b1, this.cf);
        else {
          const lo = (a0 >>> 0) + (b0 >>> 0) + this.cf;
          if (sf) setR(lo, (a1 >>> 0) + (b1 >>> 0) + (lo >= TWO32 ? 1 : 0));
          else setR(lo, 0);
        }
        x[wz(rd)] = R0;
        x[wz(rd) + 1] = R1;
        return;
      }
      case 0xd2: { // CCMN/CCMP
        if (!((inst >>> 29) & 1) || inst & (1 << 10) || inst & (1 << 4)) return this.undef();
        if (this.cond((inst >>> 12) & 15)) {
          let b0: number;
          let b1: number;
          if (inst & (1 << 11)) {
            b0 = rm;
            b1 = 0;
          } else {
            b0 = x[rz(rm)]!;
            b1 = x[rz(rm) + 1]!;
          }
          const a0 = x[rz(rn)]!;
          const a1 = x[rz(rn) + 1]!;
          if (inst & (1 << 30)) this.addFlags(sf, a0, a1, ~b0, ~b1, 1);
          else this.addFlags(sf, a0, a1, b0, b1, 0);
        } else this.nzcv = inst & 15;
        return;
      }
      case 0xd4: { // CSEL/CSINC/CSINV/CSNEG
        if ((inst >>> 29) & 1 || (inst >>> 11) & 1) return this.undef();
        const d = wz(rd);
        if (this.cond((inst >>> 12) & 15)) {
          x[d] = x[rz(rn)]!;
          x[d + 1] = sf ? x[rz(rn) + 1]! : 0;
          return;
        }
        let m0 = x[rz(rm)]!;
        let m1 = sf ? x[rz(rm) + 1]! : 0;
        const op = ((inst >>> 29) & 2) | ((inst >>> 10) & 1);
        if (op === 1) {
          // increment
          const lo = (m0 >>> 0) + 1;
          m0 = lo | 0;
          if (lo >= TWO32) m1 = (m1 + 1) | 0;
        } else if (op === 2) {
          m0 = ~m0;
          m1 = ~m1;
        } else if (op === 3) {
          m0 = ~m0;
          m1 = ~m1;
          const lo = (m0 >>> 0) + 1;
          m0 = lo | 0;
          if (lo >= TWO32) m1 = (m1 + 1) | 0;
        }
        x[d] = m0;
        x[d + 1] = sf ? m1 : 0;
        return;
      }
      case 0xd6: {
        if ((inst >>> 29) & 1) return this.undef();
        if (inst & (1 << 30)) return this.dp1(inst);
        return this.dp2(inst);
      }
      default: this.undef();
    }
  }

  /** The extended-register operand of rm into R0/R1 (rm 31 is ZR). */
  private extendReg(rm: number, option: number, amt: number): void {
    const x = this.x;
    const m0 = x[rz(rm)]!;
    const m1 = x[rz(rm) + 1]!;
    let lo: number;
    let hi: number;
    switch (option) {
      case 0: lo = m0 & 0xff; hi = 0; break;
      case 1: lo = m0 & 0xffff; hi = 0; break;
      case 2: lo = m0; hi = 0; break;
      case 4: lo = (m0 << 24) >> 24; hi = lo >> 31; break;
      case 5: lo = (m0 << 16) >> 16; hi = lo >> 31; break;
      case 6: lo = m0; hi = m0 >> 31; break;
      default: lo = m0; hi = m1;
    }
    shift64(lo, hi, 0, amt);
  }

  private dp1(inst: number): void {
    const x = this.x;
    const sf = inst >>> 31;
    const opcode = (inst >>> 10) & 63;
    if ((inst >>> 16) & 31) return this.undef();
    const n = rz((inst >>> 5) & 31);
    const d = wz(inst & 31);
    const a0 = x[n]!;
    const a1 = x[n + 1]!;
    let r0: number;
    let r1 = 0;
    switch (opcode) {
      case 0: // RBIT
        if (sf) {
          r0 = rbit32(a1);
          r1 = rbit32(a0);
        } else r0 = rbit32(a0);
        break;
      case 1: // REV16
        r0 = rev16w(a0);
        if (sf) r1 = rev16w(a1);
        break;
      case 2: // REV (32) / REV32
        r0 = bswap32(a0);
        if (sf) r1 = bswap32(a1);
        break;
      case 3: // REV (64)
        if (!sf) return this.undef();
        r0 = bswap32(a1);
        r1 = bswap32(a0);
        break;
      case 4: // CLZ
        r0 = sf ? clz64(a0, a1) : Math.clz32(a0);
        break;
      case 5: // CLS
        if (sf) {
          const s = a1 >> 31;
          r0 = clz64(a0 ^ s, a1 ^ s) - 1;
        } else r0 = Math.clz32(a0 ^ (a0 >> 31)) - 1;
        break;
      default: return this.undef();
    }
    x[d] = r0;
    x[d + 1] = r1;
  }

  private dp2(inst: number): void {
    const x = this.x;
    const sf = inst >>> 31;
    const opcode = (inst >>> 10) & 63;
    const n = rz((inst >>> 5) & 31);
    const m = rz((inst >>> 16) & 31);
    const d = wz(inst & 31);
    const a0 = x[n]!;
    const a1 = x[n + 1]!;
    const b0 = x[m]!;
    const b1 = x[m + 1]!;
    switch (opcode) {
      case 2: case 3: { // UDIV, SDIV
        const signed = opcode === 3;
        if (!sf) {
          x[d + 1] = 0;
          if (b0 === 0) x[d] = 0;
          else if (signed) x[d] = a0 === -0x80000000 && b0 === -1 ? a0 : Math.trunc(a0 / b0);
          else x[d] = Math.floor((a0 >>> 0) / (b0 >>> 0));
          return;
        }
        if ((b0 | b1) === 0) {
          x[d] = x[d + 1] = 0;
          return;
        }
        const q = signed ? BigInt.asUintN(64, s64(a0, a1) / s64(b0, b1)) : u64(a0, a1) / u64(b0, b1);
        split(q);
        x[d] = R0;
        x[d + 1] = R1;
        return;
      }
      case 8: case 9: case 10: case 11: { // LSLV, LSRV, ASRV, RORV
        const type = opcode - 8;
        if (sf) {
          shift64(a0, a1, type, b0 & 63);
          x[d] = R0;
          x[d + 1] = R1;
        } else {
          x[d] = shift32(a0, type, b0 & 31);
          x[d + 1] = 0;
        }
        return;
      }
      default: this.undef();
    }
  }

  private dp3(inst: number): void {
    const x = this.x;
    const sf = inst >>> 31;
    const op31 = (inst >>> 21) & 7;
    const o0 = (inst >>> 15) & 1;
    if ((inst >>> 29) & 3) return this.undef();
    const n = rz((inst >>> 5) & 31);
    const m = rz((inst >>> 16) & 31);
    const ra = rz((inst >>> 10) & 31);
    const d = wz(inst & 31);
    const a0 = x[n]!;
    const a1 = x[n + 1]!;
    const b0 = x[m]!;
    const b1 = x[m + 1]!;
    let p0: number;
    let p1: number;
    switch (op31) {
      case 0: // MADD/MSUB
        if (sf) {
          mul64(a0, a1, b0, b1);
          p0 = R0;
          p1 = R1;
        } else {
          p0 = Math.imul(a0, b0);
          p1 = 0;
        }
        break;
      case 1: // SMADDL/SMSUBL
        if (!sf) return this.undef();
        smul32(a0, b0);
        p0 = R0;
        p1 = R1;
        break;
      case 5: // UMADDL/UMSUBL
        if (!sf) return this.undef();
        umul32(a0, b0);
        p0 = R0;
        p1 = R1;
        break;
      case 2: case 6: { // SMULH, UMULH
        if (!sf || o0) return this.undef();
        const p = op31 === 2 ? s64(a0, a1) * s64(b0, b1) : u64(a0, a1) * u64(b0, b1);
        split(p >> 64n);
        x[d] = R0;
        x[d + 1] = R1;
        return;
      }
      default: return this.undef();
    }
    const c0 = x[ra]!;
    const c1 = sf ? x[ra + 1]! : 0;
    if (o0) {
      const lo = (c0 >>> 0) - (p0 >>> 0);
      x[d] = lo;
      x[d + 1] = sf ? c1 - p1 - (lo < 0 ? 1 : 0) : 0;
    } else {
      const lo = (c0 >>> 0) + (p0 >>> 0);
      x[d] = lo;
      x[d + 1] = sf ? c1 + p1 + (lo >= TWO32 ? 1 : 0) : 0;
    }
  }

  // ---- branches, exception generation, system

  private branchSys(inst: number): void {
    const x = this.x;
    const top = inst >>> 26;
    if ((top & 0x1f) === 5) {
      // B, BL
      if (top & 0x20) this.link();
      this.npc = this.pc + ((inst << 6) >> 4);
      return;
    }
    switch (inst >>> 24) {
      case 0x54: // B.cond
        if (inst & 0x10) return this.undef();
        if (this.cond(inst & 15)) this.npc = this.pc + (((inst << 8) >> 13) << 2);
        return;
      case 0x34: case 0xb4: case 0x35: case 0xb5: { // CBZ, CBNZ
        const r = rz(inst & 31);
        const zero = inst >>> 31 ? (x[r]! | x[r + 1]!) === 0 : x[r] === 0;
        if (zero !== ((inst >>> 24) & 1) > 0) this.npc = this.pc + (((inst << 8) >> 13) << 2);
        return;
      }
      case 0x36: case 0xb6: case 0x37: case 0xb7: { // TBZ, TBNZ
        const r = rz(inst & 31);
        const bit = ((inst >>> 26) & 32) | ((inst >>> 19) & 31);
        const set = bit < 32 ? (x[r]! >>> bit) & 1 : (x[r + 1]! >>> (bit - 32)) & 1;
        if (set === ((inst >>> 24) & 1)) this.npc = this.pc + (((inst << 13) >> 18) << 2);
        return;
      }
      case 0xd4: return this.excGen(inst);
      case 0xd5: return this.system(inst);
      case 0xd6: case 0xd7: return this.branchReg(inst);
      default: this.undef();
    }
  }

  private link(): void {
    fromNumber(this.pc + 4);
    this.x[60] = R0;
    this.x[61] = R1;
  }

  private branchReg(inst: number): void {
    const opc = (inst >>> 21) & 15;
    const rn = (inst >>> 5) & 31;
    if (((inst >>> 16) & 31) !== 31 || (inst >>> 10) & 63 || inst & 31 || inst & (1 << 24)) {
      return this.undef();
    }
    if (opc === 4) {
      if (rn !== 31) return this.undef();
      return this.eret();
    }
    if (opc > 2) return this.undef();
    const r = rz(rn);
    const lo = this.x[r]!;
    const hi = this.x[r + 1]!;
    if (opc === 1) this.link();
    if (hi >>> 0 < 0x100000) this.npc = (hi >>> 0) * TWO32 + (lo >>> 0);
    else {
      this.npc = NaN;
      this.farPc = u64(lo, hi);
    }
  }

  private eret(): void {
    if (this.el === 0) return this.undef();
    const spsr = this.spsr >>> 0;
    const from = this.curSp();
    const m = spsr & 0x1f;
    this.exclAddr = NO_EXCL;
    this.attn = true;
    // legal targets: EL0t (0b00000), EL1t (0b00100), EL1h (0b00101)
    if (m !== 0 && m !== 4 && m !== 5) {
      // illegal exception return: PSTATE.IL, EL and SP unchanged (Arm ARM IllegalExceptionReturn)
      this.nzcv = spsr >>> 28;
      this.daif = (spsr >>> 6) & 15;
      this.il = true;
    } else {
      this.nzcv = spsr >>> 28;
      this.daif = (spsr >>> 6) & 15;
      this.el = m === 0 ? 0 : 1;
      this.spsel = (m & 1) as 0 | 1;
      this.il = ((spsr >>> 20) & 1) === 1;
      this.switchSp(from);
    }
    const t = this.elr;
    if (t < 1n << 52n) this.npc = Number(t);
    else {
      this.npc = NaN;
      this.farPc = t;
    }
  }

  private excGen(inst: number): void {
    const imm = (inst >>> 5) & 0xffff;
    switch ((inst & 0xffe0001f) >>> 0) {
      case 0xd4000001: // SVC: return to the next instruction
        this.enterException(0, BigInt(this.pc + 4), (ESR_EC.SVC64 << 26) | IL | imm);
        return;
      case 0xd4000002: // HVC: the PSCI conduit
        if (this.el === 0 || !this.psci) return this.undef();
        return this.psciCall();
      case 0xd4200000: // BRK
        if (this.stopOnBrk) {
          this.npc = this.pc;
          this.stopReason = "brk";
          this.requestStop();
          return;
        }
        return this.syncException((ESR_EC.BRK64 << 26) | IL | imm);
      default: this.undef(); // SMC (no EL3), HLT, DCPS
    }
  }

  private psciCall(): void {
    const psci = this.psci!;
    const fn = this.getX(0);
    const a1 = this.getX(1);
    const a2 = this.getX(2);
    const a3 = this.getX(3);
    let ret = 0;
    switch (fn) {
      case PSCI.VERSION: ret = 0x10001; break;
      case PSCI.MIGRATE_INFO_TYPE: ret = 2; break;
      case PSCI.AFFINITY_INFO: case PSCI.AFFINITY_INFO64:
        if (a2 !== 0n) ret = 0;
        else if (psci.affinityInfo) ret = psci.affinityInfo(a1);
        else ret = a1 === (this.mpidr & 0xff00ffffffn) ? 0 : PSCI.INVALID_PARAMETERS;
        break;
      case PSCI.CPU_ON: case PSCI.CPU_ON64: case PSCI.CPU_ON_01:
        ret = psci.cpuOn(a1, a2, a3, this);
        break;
      case PSCI.CPU_OFF: case PSCI.CPU_OFF_01:
        this.powerOff();
        psci.cpuOff?.(this);
        return;
      case PSCI.SYSTEM_OFF:
        this.powerOff();
        psci.systemOff(this);
        return;
      case PSCI.SYSTEM_RESET:
        this.powerOff();
        (psci.systemReset ?? psci.systemOff).call(psci, this);
        return;
      case PSCI.CPU_SUSPEND: case PSCI.CPU_SUSPEND64: case PSCI.CPU_SUSPEND_01:
        if (a1 & 0xfffe0000n) ret = PSCI.INVALID_PARAMETERS;
        else {
          this.setX(0, 0n);
          this.waitForInterrupt();
          return;
        }
        break;
      case PSCI.FEATURES:
        ret = PSCI.SUPPORTED.includes(a1) ? 0 : PSCI.NOT_SUPPORTED;
        break;
      default: ret = PSCI.NOT_SUPPORTED;
    }
    this.setX(0, BigInt.asUintN(64, BigInt(ret)));
  }

  private waitForInterrupt(): void {
    if (this.irqLine) return;
    this.wfi = true;
    this.attn = true;
  }

  private system(inst: number): void {
    const L = (inst >>> 21) & 1;
    const op0 = (inst >>> 19) & 3;
    const op1 = (inst >>> 16) & 7;
    const crn = (inst >>> 12) & 15;
    const crm = (inst >>> 8) & 15;
    const op2 = (inst >>> 5) & 7;
    const rt = inst & 31;
    if (op0 === 0) {
      if (L || rt !== 31) return this.undef();
      if (crn === 2) {
        // hints
        const hint = (crm << 3) | op2;
        if (hint === 3) this.waitForInterrupt(); // WFI; WFE, SEV, YIELD, NOP and the rest: no-ops
        return;
      }
      if (crn === 3) {
        // barriers
        if (op1 !== 3) return this.undef();
        if (op2 === 2) this.exclAddr = NO_EXCL; // CLREX
        else if (op2 < 4 || op2 > 6) return this.undef();
        return; // DSB, DMB, ISB
      }
      if (crn === 4) return this.msrImm(op1, op2, crm);
      return this.undef();
    }
    if (op0 === 1) return this.sysInstruction(L, op1, crn, crm, op2, rt);
    const key = sysKey(op0, op1, crn, crm, op2);
    if (L) {
      const v = this.readSysreg(key);
      if (v === undefined) return this.undef();
      if (v === true) return; // trapped: exception taken
      if (rt !== 31) this.setX(rt, v);
    } else {
      const v = rt === 31 ? 0n : this.getX(rt);
      const r = this.writeSysreg(key, v);
      if (r === undefined) return this.undef();
    }
  }

  private msrImm(op1: number, op2: number, imm: number): void {
    if (op1 === 0 && op2 === 5) {
      // SPSel
      if (this.el === 0) return this.undef();
      const from = this.curSp();
      this.spsel = (imm & 1) as 0 | 1;
      this.switchSp(from);
      return;
    }
    if (op1 === 3 && (op2 === 6 || op2 === 7)) {
      if (this.el === 0 && !(this.sctlr & (1n << 9n))) return this.undef(); // SCTLR_EL1.UMA
      this.daif = op2 === 6 ? this.daif | imm : this.daif & ~imm;
      this.attn = true;
      return;
    }
    this.undef();
  }

  /** SYS (op0 = 1): cache and TLB maintenance. DC ZVA zeroes; the others are no-ops here. */
  private sysInstruction(L: number, op1: number, crn: number, crm: number, op2: number, rt: number): void {
    if (L) return this.undef(); // SYSL
    if (crn === 7 && op1 === 3 && crm === 4 && op2 === 1) {
      // DC ZVA: 64-byte block
      const r = rz(rt);
      const lo = this.x[r]! & ~63;
      const hi = this.x[r + 1]!;
      for (let i = 0; i < 64; i += 8) if (!this.write(lo + i, hi, 8, 0, 0)) return;
      return;
    }
    if (this.el === 0 && !(crn === 7 && op1 === 3)) return this.undef();
    if (crn === 7 && crm === 8) return this.undef(); // AT: needs the MMU
    if (crn === 7 || crn === 8) return; // IC, DC, TLBI
    this.undef();
  }

  /** MRS: the value, true when an exception was taken instead, undefined when UNDEFINED. */
  private readSysreg(key: number): bigint | true | undefined {
    if (this.el === 0 && !this.el0Access(key, false)) return undefined;
    switch (key) {
      case SYS.NZCV: return BigInt((this.nzcv << 28) >>> 0);
      case SYS.DAIF: return BigInt(this.daif << 6);
      case SYS.CURRENTEL: return BigInt(this.el << 2);
      case SYS.SPSEL: return BigInt(this.spsel);
      case SYS.FPCR: return this.fpTrap() ? true : BigInt(this.fpcr >>> 0);
      case SYS.FPSR: return this.fpTrap() ? true : BigInt(this.fpsr >>> 0);
      case SYS.SP_EL0:
        if (this.spsel === 0) return undefined; // UNDEFINED while SP_EL0 is the current SP
        return u64(this.spBank[0]!, this.spBank[1]!);
      case SYS.SPSR_EL1: return BigInt(this.spsr >>> 0);
      case SYS.ELR_EL1: return this.elr;
      case SYS.MIDR_EL1: return this.midr;
      case SYS.MPIDR_EL1: return this.mpidr;
      case SYS.SCTLR_EL1: return this.sctlr;
      case SYS.ACTLR_EL1: return 0n;
      case SYS.CPACR_EL1: return BigInt(this.cpacr >>> 0);
      case SYS.TTBR0_EL1: return this.ttbr0;
      case SYS.TTBR1_EL1: return this.ttbr1;
      case SYS.TCR_EL1: return this.tcr;
      case SYS.ESR_EL1: return BigInt(this.esr >>> 0);
      case SYS.FAR_EL1: return this.far;
      case SYS.PAR_EL1: return this.par;
      case SYS.MAIR_EL1: return this.mair;
      case SYS.AMAIR_EL1: return 0n;
      case SYS.VBAR_EL1: return this.vbar;
      case SYS.ISR_EL1: return this.irqLine ? 0x80n : 0n;
      case SYS.CONTEXTIDR_EL1: return this.contextidr;
      case SYS.TPIDR_EL1: return this.tpidr1;
      case SYS.TPIDR_EL0: return this.tpidr0;
      case SYS.TPIDRRO_EL0: return this.tpidrro0;
      case SYS.CNTKCTL_EL1: return this.cntkctl;
      case SYS.CNTFRQ_EL0: return this.cntfrq;
      case SYS.CNTVCT_EL0: case SYS.CNTPCT_EL0: return this.counter();
      case SYS.CNTV_CTL_EL0: return BigInt((this.cntvCtl & 3) | ((this.cntvCtl & 1) !== 0 && this.counter() >= this.cntvCval ? 4 : 0)); // ISTATUS only while enabled (QEMU)
      case SYS.CNTV_CVAL_EL0: return this.cntvCval;
      case SYS.CNTV_TVAL_EL0: return BigInt.asUintN(32, this.cntvCval - this.counter());
    }
    const id = ID_REGS[key];
    if (id !== undefined) return key === ID_AA64PFR0 && this.gicSystemRegisters ? id | PFR0_GIC_SYSREGS : id;
    // other ID registers (op0 3, op1 0, CRn 0, CRm 1..7): RAZ
    if (key >>> 7 === sysKey(3, 0, 0, 0, 0) >>> 7 && ((key >>> 3) & 15) > 0) return 0n;
    const h = this.sysregs?.read(key, this);
    if (h !== undefined) {
      this.attn = true;
      return h;
    }
    return undefined;
  }

  /** MSR: true when written (or an exception was taken), undefined when UNDEFINED. */
  private writeSysreg(key: number, v: bigint): true | undefined {
    if (this.el === 0 && !this.el0Access(key, true)) return undefined;
    const lo = Number(BigInt.asUintN(32, v)) | 0;
    switch (key) {
      case SYS.NZCV: this.nzcv = (lo >>> 28) & 15; return true;
      case SYS.DAIF: this.daif = (lo >>> 6) & 15; this.attn = true; return true;
      case SYS.SPSEL: {
        const from = this.curSp();
        this.spsel = (lo & 1) as 0 | 1;
        this.switchSp(from);
        return true;
      }
      case SYS.FPCR: if (!this.fpTrap()) this.fpcr = lo & 0x07f79f00; return true; // QEMU's FPCR_MASK without FZ16
      case SYS.FPSR: if (!this.fpTrap()) this.fpsr = lo & 0xf800009f; return true;
      case SYS.SP_EL0:
        if (this.spsel === 0) return undefined;
        split(v);
        this.spBank[0] = R0;
        this.spBank[1] = R1;
        return true;
      case SYS.SPSR_EL1: this.spsr = lo; return true;
      case SYS.ELR_EL1: this.elr = v; return true;
      case SYS.SCTLR_EL1: this.sctlr = v; this.sctlrChanged(); return true;
      case SYS.ACTLR_EL1: return true;
      case SYS.CPACR_EL1: this.cpacr = lo & (3 << 20); return true; // only FPEN in v8.0 (QEMU cpacr_write)
      case SYS.TTBR0_EL1: this.ttbr0 = v; return true;
      case SYS.TTBR1_EL1: this.ttbr1 = v; return true;
      case SYS.TCR_EL1: this.tcr = v; return true;
      case SYS.ESR_EL1: this.esr = lo; return true;
      case SYS.FAR_EL1: this.far = v; return true;
      case SYS.PAR_EL1: this.par = v; return true;
      case SYS.MAIR_EL1: this.mair = v; return true;
      case SYS.AMAIR_EL1: return true;
      case SYS.VBAR_EL1: this.vbar = v & ~0x1fn; return true; // QEMU masks bits 4:0
      case SYS.CONTEXTIDR_EL1: this.contextidr = v & 0xffffffffn; return true;
      case SYS.TPIDR_EL1: this.tpidr1 = v; return true;
      case SYS.TPIDR_EL0: this.tpidr0 = v; return true;
      case SYS.TPIDRRO_EL0: this.tpidrro0 = v; return true;
      case SYS.CNTKCTL_EL1: this.cntkctl = v & 0x3ffn; return true;
      case SYS.CNTFRQ_EL0: this.cntfrq = v & 0xffffffffn; return true;
      case SYS.CNTV_CTL_EL0: this.cntvCtl = lo & 3; this.attn = true; return true;
      case SYS.CNTV_CVAL_EL0: this.cntvCval = v; this.attn = true; return true;
      case SYS.CNTV_TVAL_EL0: this.cntvCval = BigInt.asUintN(64, this.counter() + BigInt.asIntN(32, v)); this.attn = true; return true;
    }
    if (this.sysregs?.write(key, v, this)) {
      this.attn = true;
      return true;
    }
    return undefined;
  }

  /** Registers EL0 may access (read or write). */
  private el0Access(key: number, write: boolean): boolean {
    switch (key) {
      case SYS.NZCV: case SYS.FPCR: case SYS.FPSR: case SYS.TPIDR_EL0: return true;
      case SYS.DAIF: return (this.sctlr & (1n << 9n)) !== 0n; // UMA
      case SYS.TPIDRRO_EL0: return !write;
      case SYS.CTR_EL0: return !write && (this.sctlr & (1n << 15n)) !== 0n; // UCT
      case SYS.DCZID_EL0: return !write;
      case SYS.CNTFRQ_EL0: return !write && (this.cntkctl & 3n) !== 0n;
      case SYS.CNTVCT_EL0: return !write && (this.cntkctl & 2n) !== 0n; // EL0VCTEN
      case SYS.CNTPCT_EL0: return !write && (this.cntkctl & 1n) !== 0n;
      case SYS.CNTV_CTL_EL0: case SYS.CNTV_CVAL_EL0: case SYS.CNTV_TVAL_EL0: return (this.cntkctl & (1n << 8n)) !== 0n; // EL0VTEN
      default: return false;
    }
  }

  // ---- loads and stores

  /** Base register (SP for 31) + offset into R0/R1. */
  private addrOf(rn: number, off: number): void {
    const x = this.x;
    const b0 = x[rn << 1]!;
    const b1 = x[(rn << 1) + 1]!;
    const s = (b0 >>> 0) + off;
    R0_set(s | 0, s < 0 ? b1 - 1 : s >= TWO32 ? b1 + 1 : b1);
  }

  private loadStore(inst: number): void {
    if ((inst & 0x3b000000) === 0x39000000) {
      // unsigned immediate offset
      const size = inst >>> 30;
      const V = (inst >>> 26) & 1;
      const opc = (inst >>> 22) & 3;
      const scale = V && opc & 2 ? 4 : size;
      this.addrOf((inst >>> 5) & 31, ((inst >>> 10) & 0xfff) << scale);
      this.access(inst, size, V, opc, A0, A1);
      return;
    }
    if ((inst & 0x3b200000) === 0x38000000) {
      // unscaled, post-index, unprivileged, pre-index
      const size = inst >>> 30;
      const V = (inst >>> 26) & 1;
      const opc = (inst >>> 22) & 3;
      const imm9 = (inst << 11) >> 23;
      const mode = (inst >>> 10) & 3;
      const rn = (inst >>> 5) & 31;
      if (mode === 1) this.addrOf(rn, 0);
      else this.addrOf(rn, imm9);
      const a0 = A0;
      const a1 = A1;
      if (!this.access(inst, size, V, opc, a0, a1) || mode === 0 || mode === 2) return;
      if (mode === 3) {
        this.x[rn << 1] = a0;
        this.x[(rn << 1) + 1] = a1;
      } else {
        this.addrOf(rn, imm9);
        this.x[rn << 1] = A0;
        this.x[(rn << 1) + 1] = A1;
      }
      return;
    }
    if ((inst & 0x3b200c00) === 0x38200800) {
      // register offset
      const size = inst >>> 30;
      const V = (inst >>> 26) & 1;
      const opc = (inst >>> 22) & 3;
      const option = (inst >>> 13) & 7;
      if (!(option & 2)) return this.undef();
      const scale = V && opc & 2 ? 4 : size;
      this.extendReg((inst >>> 16) & 31, option, inst & (1 << 12) ? scale : 0);
      const o0 = R0;
      const o1 = R1;
      const rn = (inst >>> 5) & 31;
      const b0 = this.x[rn << 1]!;
      const lo = (b0 >>> 0) + (o0 >>> 0);
      R0_set(lo | 0, this.x[(rn << 1) + 1]! + o1 + (lo >= TWO32 ? 1 : 0));
      this.access(inst, size, V, opc, A0, A1);
      return;
    }
    if ((inst & 0x3a000000) === 0x28000000) return this.pair(inst);
    if ((inst & 0x3b000000) === 0x18000000) {
      // literal
      const opc = inst >>> 30;
      const V = (inst >>> 26) & 1;
      fromNumber(this.pc + (((inst << 8) >> 13) << 2));
      const a0 = R0;
      const a1 = R1;
      if (V) {
        if (opc === 3) return this.undef();
        if (this.fpTrap()) return;
        this.loadV(inst & 31, 4 << opc, a0, a1);
        return;
      }
      if (opc === 3) return; // PRFM
      const rt = wz(inst & 31);
      if (!this.read(a0, a1, opc === 1 ? 8 : 4)) return;
      this.x[rt] = this.rlo;
      this.x[rt + 1] = opc === 2 ? this.rlo >> 31 : this.rhi;
      return;
    }
    if ((inst & 0x3f000000) === 0x08000000) return this.exclusive(inst);
    if ((inst & 0x3f200c00) === 0x38200000) return this.atomic(inst);
    this.undef();
  }

  /** One load or store of the immediate/register forms at (a0, a1). False if it faulted or was undefined. */
  private access(inst: number, size: number, V: number, opc: number, a0: number, a1: number): boolean {
    const x = this.x;
    const rt = inst & 31;
    if (V) {
      if (opc & 2 && size !== 0) {
        this.undef();
        return false;
      }
      if (this.fpTrap()) return false;
      const bytes = opc & 2 ? 16 : 1 << size;
      if (opc & 1) return this.loadV(rt, bytes, a0, a1);
      return this.storeV(rt, bytes, a0, a1);
    }
    switch (opc) {
      case 0: {
        const r = rz(rt);
        return this.write(a0, a1, 1 << size, x[r]!, x[r + 1]!);
      }
      case 1: {
        if (!this.read(a0, a1, 1 << size)) return false;
        const r = wz(rt);
        x[r] = this.rlo;
        x[r + 1] = this.rhi;
        return true;
      }
      default: {
        if (size === 3) {
          if (opc === 2) return true; // PRFM
          this.undef();
          return false;
        }
        if (size === 2 && opc === 3) {
          this.undef();
          return false;
        }
        if (!this.read(a0, a1, 1 << size)) return false;
        const v = size === 0 ? (this.rlo << 24) >> 24 : size === 1 ? (this.rlo << 16) >> 16 : this.rlo;
        const r = wz(rt);
        x[r] = v;
        x[r + 1] = opc === 2 ? v >> 31 : 0;
        return true;
      }
    }
  }

  /** Loads 1..16 bytes into Vt, zeroing the rest of the register. */
  private loadV(t: number, bytes: number, a0: number, a1: number): boolean {
    const v = this.v;
    if (bytes === 16) {
      if (!this.read(a0, a1, 8)) return false;
      const w0 = this.rlo;
      const w1 = this.rhi;
      const lo = (a0 >>> 0) + 8;
      if (!this.read(lo | 0, lo >= TWO32 ? a1 + 1 : a1, 8)) return false;
      v[4 * t] = w0;
      v[4 * t + 1] = w1;
      v[4 * t + 2] = this.rlo;
      v[4 * t + 3] = this.rhi;
      return true;
    }
    if (!this.read(a0, a1, bytes)) return false;
    v[4 * t] = this.rlo;
    v[4 * t + 1] = this.rhi;
    v[4 * t + 2] = 0;
    v[4 * t + 3] = 0;
    return true;
  }

  private storeV(t: number, bytes: number, a0: number, a1: number): boolean {
    const v = this.v;
    if (bytes === 16) {
      if (!this.write(a0, a1, 8, v[4 * t]!, v[4 * t + 1]!)) return false;
      const lo = (a0 >>> 0) + 8;
      return this.write(lo | 0, lo >= TWO32 ? a1 + 1 : a1, 8, v[4 * t + 2]!, v[4 * t + 3]!);
    }
    return this.write(a0, a1, bytes, v[4 * t]!, v[4 * t + 1]!);
  }

  private pair(inst: number): void {
    const opc = inst >>> 30;
    const V = (inst >>> 26) & 1;
    const mode = (inst >>> 23) & 3;
    const L = (inst >>> 22) & 1;
    if (opc === 3 || (!V && opc === 1 && !L)) return this.undef();
    const bytes = V ? 4 << opc : opc === 2 ? 8 : 4;
    const imm = ((inst << 10) >> 25) * bytes;
    const rn = (inst >>> 5) & 31;
    const t1 = inst & 31;
    const t2 = (inst >>> 10) & 31;
    if (V && this.fpTrap()) return;
    this.addrOf(rn, mode === 1 ? 0 : imm);
    const a0 = A0;
    const a1 = A1;
    const lo = (a0 >>> 0) + bytes;
    const b0 = lo | 0;
    const b1 = lo >= TWO32 ? a1 + 1 : a1;
    const x = this.x;
    if (V) {
      if (L) {
        // load both before writing either (the same register twice is UNPREDICTABLE)
        if (bytes === 16) {
          if (!this.loadV(t1, 16, a0, a1) || !this.loadV(t2, 16, b0, b1)) return;
        } else {
          if (!this.read(a0, a1, bytes)) return;
          const w0 = this.rlo;
          const w1 = this.rhi;
          if (!this.read(b0, b1, bytes)) return;
          this.setVWords(t1, w0, w1);
          this.setVWords(t2, this.rlo, this.rhi);
        }
      } else if (!this.storeV(t1, bytes, a0, a1) || !this.storeV(t2, bytes, b0, b1)) return;
    } else if (L) {
      if (!this.read(a0, a1, bytes)) return;
      const w0 = this.rlo;
      const w1 = this.rhi;
      if (!this.read(b0, b1, bytes)) return;
      const signed = opc === 1;
      x[wz(t1)] = w0;
      x[wz(t1) + 1] = signed ? w0 >> 31 : w1;
      x[wz(t2)] = this.rlo;
      x[wz(t2) + 1] = signed ? this.rlo >> 31 : this.rhi;
    } else {
      const r1 = rz(t1);
      const r2 = rz(t2);
      const v20 = x[r2]!;
      const v21 = x[r2 + 1]!;
      if (!this.write(a0, a1, bytes, x[r1]!, x[r1 + 1]!) || !this.write(b0, b1, bytes, v20, v21)) return;
    }
    if (mode === 1 || mode === 3) {
      if (mode === 1) this.addrOf(rn, imm);
      else R0_set(a0, a1);
      x[rn << 1] = A0;
      x[(rn << 1) + 1] = A1;
    }
  }

  private setVWords(t: number, w0: number, w1: number): void {
    const v = this.v;
    v[4 * t] = w0;
    v[4 * t + 1] = w1;
    v[4 * t + 2] = 0;
    v[4 * t + 3] = 0;
  }

  /** Exclusives, load-acquire/store-release, CAS. */
  private exclusive(inst: number): void {
    const x = this.x;
    const size = inst >>> 30;
    const o2 = (inst >>> 23) & 1;
    const L = (inst >>> 22) & 1;
    const o1 = (inst >>> 21) & 1;
    const rs = (inst >>> 16) & 31;
    const rt2 = (inst >>> 10) & 31;
    const rn = (inst >>> 5) & 31;
    const rt = inst & 31;
    const bytes = 1 << size;
    this.addrOf(rn, 0);
    const a0 = A0;
    const a1 = A1;
    if (o2 && o1) {
      // CAS (CASP is not implemented)
      if (rt2 !== 31) return this.undef();
      if (!this.aligned(a0, a1, bytes, true) || !this.read(a0, a1, bytes)) return;
      const o0 = this.rlo;
      const o1v = this.rhi;
      const s = rz(rs);
      const mask = bytes === 8 ? -1 : bytes === 4 ? -1 : (1 << (8 * bytes)) - 1;
      const eq = (o0 & mask) === (x[s]! & mask) && (bytes < 8 || o1v === x[s + 1]);
      if (eq) {
        const t = rz(rt);
        if (!this.write(a0, a1, bytes, x[t]!, x[t + 1]!)) return;
      }
      x[wz(rs)] = o0;
      x[wz(rs) + 1] = o1v;
      return;
    }
    if (o2) {
      // LDAR/STLR (and the v8.1 LDLAR/STLLR)
      if (rs !== 31 || rt2 !== 31) return this.undef();
      if (!this.aligned(a0, a1, bytes, !L)) return;
      if (L) {
        if (!this.read(a0, a1, bytes)) return;
        x[wz(rt)] = this.rlo;
        x[wz(rt) + 1] = this.rhi;
      } else {
        const t = rz(rt);
        this.write(a0, a1, bytes, x[t]!, x[t + 1]!);
      }
      return;
    }
    const pair = o1 === 1;
    if (pair && size < 2) return this.undef();
    const total = pair ? bytes * 2 : bytes;
    if (!this.aligned(a0, a1, total, !L)) return;
    if (L) {
      // LDXR, LDAXR, LDXP, LDAXP
      if (rs !== 31 || (!pair && rt2 !== 31)) return this.undef();
      if (!this.read(a0, a1, bytes)) return;
      const w0 = this.rlo;
      const w1 = this.rhi;
      let h0 = 0;
      let h1 = 0;
      if (pair) {
        const lo = (a0 >>> 0) + bytes;
        if (!this.read(lo | 0, lo >= TWO32 ? a1 + 1 : a1, bytes)) return;
        h0 = this.rlo;
        h1 = this.rhi;
      }
      this.exclAddr = (a1 >>> 0) * TWO32 + (a0 >>> 0);
      this.exclVal = u64(w0, w1);
      this.exclHigh = u64(h0, h1);
      x[wz(rt)] = w0;
      x[wz(rt) + 1] = w1;
      if (pair) {
        x[wz(rt2)] = h0;
        x[wz(rt2) + 1] = h1;
      }
      return;
    }
    // STXR, STLXR, STXP, STLXP: succeed when the monitor holds this address and memory still has the value loaded (QEMU)
    const addr = (a1 >>> 0) * TWO32 + (a0 >>> 0);
    let ok = addr === this.exclAddr;
    this.exclAddr = NO_EXCL;
    if (ok) {
      if (!this.read(a0, a1, bytes)) return;
      ok = u64(this.rlo, this.rhi) === this.exclVal;
      if (ok && pair) {
        const lo = (a0 >>> 0) + bytes;
        if (!this.read(lo | 0, lo >= TWO32 ? a1 + 1 : a1, bytes)) return;
        ok = u64(this.rlo, this.rhi) === this.exclHigh;
      }
    }
    if (ok) {
      const t = rz(rt);
      if (pair) {
        const t2 = rz(rt2);
        const v0 = x[t2]!;
        const v1 = x[t2 + 1]!;
        const lo = (a0 >>> 0) + bytes;
        if (!this.write(a0, a1, bytes, x[t]!, x[t + 1]!) || !this.write(lo | 0, lo >= TWO32 ? a1 + 1 : a1, bytes, v0, v1)) return;
      } else if (!this.write(a0, a1, bytes, x[t]!, x[t + 1]!)) return;
    }
    x[wz(rs)] = ok ? 0 : 1;
    x[wz(rs) + 1] = 0;
  }

  /** LSE atomic memory operations (LDADD, LDCLR, LDEOR, LDSET, LD[SU]MAX/MIN, SWP). */
  private atomic(inst: number): void {
    if ((inst >>> 26) & 1) return this.undef();
    const x = this.x;
    const size = inst >>> 30;
    const bytes = 1 << size;
    const o3 = (inst >>> 15) & 1;
    const opc = (inst >>> 12) & 7;
    if (o3 && opc !== 0) return this.undef(); // LDAPR etc.
    this.addrOf((inst >>> 5) & 31, 0);
    const a0 = A0;
    const a1 = A1;
    if (!this.aligned(a0, a1, bytes, true) || !this.read(a0, a1, bytes)) return;
    const old = u64(this.rlo, this.rhi);
    const s = rz((inst >>> 16) & 31);
    const bits = BigInt(bytes * 8);
    const sv = BigInt.asUintN(Number(bits), u64(x[s]!, x[s + 1]!));
    let nv: bigint;
    if (o3) nv = sv;
    else {
      const sx = (v: bigint) => BigInt.asIntN(Number(bits), v);
      switch (opc) {
        case 0: nv = old + sv; break;
        case 1: nv = old & ~sv; break;
        case 2: nv = old ^ sv; break;
        case 3: nv = old | sv; break;
        case 4: nv = sx(old) > sx(sv) ? old : sv; break;
        case 5: nv = sx(old) < sx(sv) ? old : sv; break;
        case 6: nv = old > sv ? old : sv; break;
        default: nv = old < sv ? old : sv;
      }
    }
    split(BigInt.asUintN(Number(bits), nv));
    if (!this.write(a0, a1, bytes, R0, R1)) return;
    split(old);
    const t = wz(inst & 31);
    x[t] = R0;
    x[t + 1] = R1;
  }
}

// Address scratch for the load/store paths (set by addrOf and R0_set).
let A0 = 0;
let A1 = 0;
function R0_set(lo: number, hi: number): void {
  A0 = lo | 0;
  A1 = hi | 0;
}
