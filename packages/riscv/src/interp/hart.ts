/**
 * An RV64GC (IMAFDC + Zicsr + Zifencei) interpreter for one hart with the
 * M/S/U privileged architecture 1.12 and Sv39 paging.
 *
 * Representation: integer registers are pairs of 32-bit halves in an
 * Int32Array (x[2r] = low word, x[2r+1] = high word), FP registers likewise
 * hold raw 64-bit patterns. The PC is a JS number holding the signed 64-bit
 * value (exact: every PC this hart can fetch from is below 2^52 in
 * magnitude); a jump to anything farther is kept exactly in `farPc` and
 * faults on fetch. 64-bit CSRs are bigints; interrupt CSRs are numbers.
 *
 * Guest traps never throw: slow paths record a cause and tval and return
 * false; the run loop then enters the trap.
 */
import type { RamBlock } from "@vmstate/core";
import type { MmioWindow, RamWindow, SystemBus } from "../bus.js";
import { type RiscvHartArchState } from "./arch-state.js";
import { CSR, EXC, IRQ, MISA_EXT, MSTATUS, QEMU_72_ARCHID } from "./csr-defs.js";
import { execFp } from "./fpu.js";
import { RVC_TABLE } from "./rvc.js";

export type RunStopReason = "budget" | "wfi" | "stop" | "ebreak";

export interface RunResult {
  /** Instructions retired by this call (also added to minstret unless inhibited). */
  executed: number;
  /** Traps (exceptions and interrupts) entered by this call. */
  traps: number;
  /**
   * Why the call returned: the budget was used up, the hart executed WFI with
   * nothing pending (or was already waiting), `requestStop()` was called, or
   * EBREAK executed with `ebreakStops` set (pc then points at the EBREAK).
   */
  reason: RunStopReason;
}

export interface RiscvHartOptions {
  hartId?: number;
  resetPc?: bigint | number;
  /** Value of the `time` CSR (the ACLINT mtime). Default: always 0. */
  timeSource?: () => bigint;
  /** Make EBREAK stop `run()` (reason "ebreak") instead of raising a breakpoint exception. */
  ebreakStops?: boolean;
}

const TWO32 = 4294967296;
/** |hi word| below this keeps a 64-bit value exact (and well inside 2^53) as a number. */
const NEAR = 1048576;
const ACC_FETCH = 0;
const ACC_LOAD = 1;
const ACC_STORE = 2;
const ACCESS_FAULT = [EXC.INST_ACCESS, EXC.LOAD_ACCESS, EXC.STORE_ACCESS] as const;
const PAGE_FAULT = [EXC.INST_PAGE, EXC.LOAD_PAGE, EXC.STORE_PAGE] as const;

const MSTATUS_WMASK = 0x7e79aa;
const SSTATUS_WMASK = 0xc6122;
const SSTATUS_RMASK = SSTATUS_WMASK | MSTATUS.XS;
const MSTATUS_HI = 0xa00000000n; // SXL = UXL = 2
const SSTATUS_HI = 0x200000000n; // UXL = 2
const MEDELEG_MASK = 0xb3ff;
const S_INTS = (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
const M_INTS = (1 << IRQ.MSI) | (1 << IRQ.MTI) | (1 << IRQ.MEI);
const ALL_INTS = S_INTS | M_INTS;
/** Interrupt priority order (priv spec 1.12, 3.1.9). */
const IRQ_ORDER = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI];
const SATP_MODE_SV39 = 8n;
const TLB_SIZE = 256;

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const s64 = (lo: number, hi: number): bigint => (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);

/** 32x32 -> 64 unsigned multiply scratch. */
const MR = new Float64Array(2);
function umul32(a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const mid = al * bh + ah * bl;
  const low = al * bl + (mid % 65536) * 65536;
  const carry = low >= TWO32 ? 1 : 0;
  MR[0] = low >>> 0;
  MR[1] = ah * bh + Math.floor(mid / 65536) + carry;
}

export class RiscvHart {
  /** Integer registers: x[2r] low word, x[2r+1] high word. */
  readonly x = new Int32Array(64);
  /** FP registers: raw bits, f[2r] low word, f[2r+1] high word. */
  readonly f = new Int32Array(64);
  /** Program counter (signed 64-bit value as an exact number), or NaN while `farPc` holds it. */
  pc = 0;
  private farPc = 0n;
  priv: 0 | 1 | 3 = 3;

  // CSRs kept as numbers (all their bits are below 32).
  /** mstatus bits 31:0 (SXL/UXL are fixed at 2, SD is computed). */
  mstatus = 0;
  mip = 0;
  mie = 0;
  mideleg = 0;
  medeleg = 0;
  mcounteren = 0;
  scounteren = 0;
  mcountinhibit = 0;
  frm = 0;
  fflags = 0;
  externalSeip = false;
  softwareSeip = false;
  // 64-bit CSRs
  mtvec = 0n;
  stvec = 0n;
  mepc = 0n;
  sepc = 0n;
  mcause = 0n;
  scause = 0n;
  mtval = 0n;
  stval = 0n;
  mscratch = 0n;
  sscratch = 0n;
  satp = 0n;
  menvcfg = 0n;
  senvcfg = 0n;
  mhartid = 0n;
  mcycle = 0n;
  minstret = 0n;
  readonly pmpcfg = new Uint8Array(16);
  readonly pmpaddr = new BigUint64Array(16);
  loadRes = 0xffff_ffff_ffff_ffffn;
  loadVal = 0n;
  /** Waiting for an interrupt after WFI. */
  wfi = false;

  timeSource: () => bigint;
  ebreakStops: boolean;

  // ---- internal machinery ----
  private excCause = -1;
  private excTval = 0n;
  private stopReq = false;
  /** Retired count (of the current run) already added to the counters. */
  private counted = 0;
  /** Result of memRead: low and high words. */
  rlo = 0;
  rhi = 0;
  // Fetch window: [fBase, fBase + fLen + 3) of the address space maps to fView at fOff.
  private fBase = 0;
  private fLen = 0;
  private fOff = 0;
  private fView: DataView = new DataView(new ArrayBuffer(8));
  // Data window for untranslated accesses: physical [dBase, dBase + dLim + 8).
  private dBase = 0;
  private dLim = -1;
  private dView: DataView = new DataView(new ArrayBuffer(8));
  private dBlock: RamBlock | undefined;
  /** Loads/stores are untranslated (satp Bare, or effective privilege M). */
  private dBare = true;
  // Software TLB: direct mapped, one bank per access type; tag = virtual page number.
  private readonly tlbTag = new Float64Array(TLB_SIZE * 3).fill(NaN);
  private readonly tlbPa = new Float64Array(TLB_SIZE * 3);

  constructor(
    readonly bus: SystemBus,
    options: RiscvHartOptions = {},
  ) {
    this.timeSource = options.timeSource ?? (() => 0n);
    this.ebreakStops = options.ebreakStops ?? false;
    this.reset(options.hartId ?? 0, options.resetPc ?? 0x1000);
  }

  // ------------------------------------------------------------------ API

  /** Power-on reset: all registers and CSRs zero, M-mode, pc = resetPc. */
  reset(hartId: number | bigint, resetPc: bigint | number): void {
    this.x.fill(0);
    this.f.fill(0);
    this.priv = 3;
    this.mstatus = 0;
    this.mip = this.mie = this.mideleg = this.medeleg = 0;
    this.mcounteren = this.scounteren = this.mcountinhibit = 0;
    this.frm = this.fflags = 0;
    this.externalSeip = this.softwareSeip = false;
    this.mtvec = this.stvec = this.mepc = this.sepc = this.mcause = this.scause = 0n;
    this.mtval = this.stval = this.mscratch = this.sscratch = this.satp = 0n;
    this.menvcfg = this.senvcfg = 0n;
    this.mcycle = this.minstret = 0n;
    this.pmpcfg.fill(0);
    this.pmpaddr.fill(0n);
    this.loadRes = 0xffff_ffff_ffff_ffffn;
    this.loadVal = 0n;
    this.wfi = false;
    this.stopReq = false;
    this.mhartid = BigInt(hartId);
    this.setPc(BigInt(resetPc));
    this.modeChanged();
  }

  /** Drives an interrupt line: sets or clears bit `bit` of mip (MSIP=3, MTIP=7, MEIP=11, SEIP=9, ...). */
  setIrq(bit: number, level: boolean): void {
    if (bit === IRQ.SEI) {
      this.externalSeip = level;
      level = level || this.softwareSeip;
    }
    const m = 1 << bit;
    this.mip = level ? this.mip | m : this.mip & ~m;
  }

  /** Makes `run()` return with reason "stop" (at the next instruction boundary, or at the start of the next call). */
  requestStop(): void {
    this.stopReq = true;
  }

  getPc(): bigint {
    return Number.isNaN(this.pc) ? this.farPc : BigInt.asUintN(64, BigInt(this.pc));
  }

  setPc(v: bigint): void {
    const s = BigInt.asIntN(64, v);
    if (s > -(1n << 52n) && s < 1n << 52n) this.pc = Number(s);
    else {
      this.pc = NaN;
      this.farPc = BigInt.asUintN(64, v);
    }
  }

  getX(r: number): bigint {
    return u64(this.x[2 * r]!, this.x[2 * r + 1]!);
  }

  setX(r: number, v: bigint): void {
    if (r === 0) return;
    this.x[2 * r] = Number(BigInt.asIntN(32, v));
    this.x[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** Raw 64-bit contents of f<r>. */
  getF(r: number): bigint {
    return u64(this.f[2 * r]!, this.f[2 * r + 1]!);
  }

  setF(r: number, v: bigint): void {
    this.f[2 * r] = Number(BigInt.asIntN(32, v));
    this.f[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** The full mstatus value as software reads it (with SXL/UXL and SD). */
  get mstatusValue(): bigint {
    let v = MSTATUS_HI | BigInt(this.mstatus >>> 0);
    if ((this.mstatus & MSTATUS.FS) === MSTATUS.FS || (this.mstatus & MSTATUS.XS) === MSTATUS.XS) v |= 1n << 63n;
    return v;
  }

  exportState(): RiscvHartArchState {
    const gpr = new BigUint64Array(32);
    const fpr = new BigUint64Array(32);
    for (let i = 0; i < 32; i++) {
      gpr[i] = this.getX(i);
      fpr[i] = this.getF(i);
    }
    return {
      gpr,
      fpr,
      pc: this.getPc(),
      priv: this.priv,
      mstatus: MSTATUS_HI | BigInt(this.mstatus >>> 0),
      mip: BigInt(this.mip >>> 0),
      mie: BigInt(this.mie >>> 0),
      mideleg: BigInt(this.mideleg >>> 0),
      medeleg: BigInt(this.medeleg >>> 0),
      mtvec: this.mtvec,
      stvec: this.stvec,
      mepc: this.mepc,
      sepc: this.sepc,
      mcause: this.mcause,
      scause: this.scause,
      mtval: this.mtval,
      stval: this.stval,
      mscratch: this.mscratch,
      sscratch: this.sscratch,
      satp: this.satp,
      mcounteren: BigInt(this.mcounteren >>> 0),
      scounteren: BigInt(this.scounteren >>> 0),
      mcountinhibit: BigInt(this.mcountinhibit >>> 0),
      menvcfg: this.menvcfg,
      senvcfg: this.senvcfg,
      frm: this.frm,
      fflags: this.fflags,
      load_res: this.loadRes,
      load_val: this.loadVal,
      pmpcfg: this.pmpcfg.slice(),
      pmpaddr: this.pmpaddr.slice(),
      misa_mxl: 2,
      misa_ext: MISA_EXT,
      mhartid: this.mhartid,
      mcycle: this.mcycle,
      minstret: this.minstret,
      wfi: this.wfi,
      external_seip: this.externalSeip,
      software_seip: this.softwareSeip,
    };
  }

  /**
   * Loads a state. Values are taken as given (no WARL legalisation), except
   * that mstatus keeps only bits 31:0 (SXL/UXL read back as 2, SD is
   * computed) and the interrupt CSRs keep only bits 31:0. misa is fixed.
   */
  importState(s: RiscvHartArchState): void {
    for (let i = 0; i < 32; i++) {
      this.setX(i, s.gpr[i] ?? 0n);
      this.setF(i, s.fpr[i] ?? 0n);
    }
    this.x[0] = this.x[1] = 0;
    this.setPc(s.pc);
    this.priv = s.priv;
    const lo32 = (v: bigint) => Number(BigInt.asUintN(32, v));
    this.mstatus = lo32(s.mstatus);
    this.mip = lo32(s.mip);
    this.mie = lo32(s.mie);
    this.mideleg = lo32(s.mideleg);
    this.medeleg = lo32(s.medeleg);
    this.mtvec = s.mtvec;
    this.stvec = s.stvec;
    this.mepc = s.mepc;
    this.sepc = s.sepc;
    this.mcause = s.mcause;
    this.scause = s.scause;
    this.mtval = s.mtval;
    this.stval = s.stval;
    this.mscratch = s.mscratch;
    this.sscratch = s.sscratch;
    this.satp = s.satp;
    this.mcounteren = lo32(s.mcounteren);
    this.scounteren = lo32(s.scounteren);
    this.mcountinhibit = lo32(s.mcountinhibit);
    this.menvcfg = s.menvcfg;
    this.senvcfg = s.senvcfg;
    this.frm = s.frm & 7;
    this.fflags = s.fflags & 31;
    this.loadRes = s.load_res;
    this.loadVal = s.load_val;
    this.pmpcfg.set(s.pmpcfg.subarray(0, 16));
    this.pmpaddr.set(s.pmpaddr.subarray(0, 16));
    this.mhartid = s.mhartid;
    this.mcycle = s.mcycle;
    this.minstret = s.minstret;
    this.wfi = s.wfi;
    this.externalSeip = s.external_seip;
    this.softwareSeip = s.software_seip;
    this.modeChanged();
  }

  /** The interrupt the hart would take now (its number), or -1. */
  pendingInterrupt(): number {
    const pend = this.mip & this.mie;
    if (pend === 0) return -1;
    const m = pend & ~this.mideleg;
    let take = 0;
    if (m !== 0 && (this.priv < 3 || (this.mstatus & MSTATUS.MIE) !== 0)) take = m;
    else {
      const s = pend & this.mideleg;
      if (s !== 0 && (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.SIE) !== 0))) take = s;
    }
    if (take === 0) return -1;
    for (const i of IRQ_ORDER) if (take & (1 << i)) return i;
    return 31 - Math.clz32(take);
  }

  // ------------------------------------------------------------ run loop

  /**
   * Executes until `maxInstructions` steps are used (a step is a retired
   * instruction or an entered trap), WFI with no interrupt pending, or a stop.
   */
  run(maxInstructions: number): RunResult {
    let n = 0;
    let traps = 0;
    let reason: RunStopReason = "budget";
    this.counted = 0;
    if (this.stopReq) {
      this.stopReq = false;
      return { executed: 0, traps: 0, reason: "stop" };
    }
    if (this.wfi) {
      if ((this.mip & this.mie) === 0) return { executed: 0, traps: 0, reason: "wfi" };
      this.wfi = false;
    }
    const x = this.x;
    const rvc = RVC_TABLE;
    let chk = true;
    // The pc is fLo + poff, with poff a small integer. When a fetch window is
    // established, fLo is its base: offsets [0, fLen) can be fetched (4 bytes)
    // from fView at fOff + poff. Otherwise fLen = 0 and fLo is the pc itself.
    let fLo = this.pc;
    let poff = 0;
    let fLen = 0;
    let fOff = 0;
    let fView = this.fView;
    let dBase = 0;
    let dLim = -1;
    let dView = this.dView;
    let dBlock = this.dBlock;
    let dBare = true;

    outer: while (n + traps < maxInstructions) {
      if (chk) {
        chk = false;
        x[0] = 0;
        x[1] = 0;
        if (this.stopReq) {
          this.stopReq = false;
          reason = "stop";
          break;
        }
        let pcv = fLo + poff;
        if ((this.mip & this.mie) !== 0) {
          const irq = this.pendingInterrupt();
          if (irq >= 0) {
            this.pc = pcv;
            this.enterTrap(irq, true, 0n);
            pcv = this.pc;
            traps++;
            if (n + traps >= maxInstructions) {
              fLo = pcv;
              poff = 0;
              break;
            }
          }
        }
        fLo = this.fBase;
        fLen = this.fLen;
        fOff = this.fOff;
        fView = this.fView;
        const t = pcv - fLo;
        if (t >= 0 && t < fLen) poff = t | 0;
        else {
          fLo = pcv;
          poff = 0;
          fLen = 0;
        }
        dBase = this.dBase;
        dLim = this.dLim;
        dView = this.dView;
        dBlock = this.dBlock;
        dBare = this.dBare;
      }

      // ---- fetch
      let inst: number;
      if (poff >>> 0 < fLen) inst = fView.getInt32(fOff + poff, true);
      else {
        const pcv = fLo + poff;
        inst = this.fetchSlow(pcv);
        if (this.excCause >= 0) {
          this.pc = pcv;
          this.takeException();
          fLo = this.pc;
          poff = 0;
          fLen = 0;
          traps++;
          chk = true;
          continue;
        }
        fLo = this.fBase;
        fLen = this.fLen;
        fOff = this.fOff;
        fView = this.fView;
        const t = pcv - fLo;
        if (t >= 0 && t < fLen) poff = t | 0;
        else {
          fLo = pcv;
          poff = 0;
          fLen = 0;
        }
      }
      let ibits = inst;
      let ilen = 4;
      if ((inst & 3) !== 3) {
        ibits = inst & 0xffff;
        inst = rvc[ibits]!;
        if (inst === 0) inst = 0x1f; // reserved compressed encoding: an opcode with no case below (illegal, tval = ibits)
        ilen = 2;
      }
      let next = poff + ilen; // the next poff
      const rd2 = (inst >> 6) & 62; // 2 * rd
      const r1 = (inst >> 14) & 62; // 2 * rs1
      const r2 = (inst >> 19) & 62; // 2 * rs2
      const f3 = (inst >> 12) & 7;
      let trap = false;

      switch ((inst >> 2) & 31) {
        case 4: { // 0x13
          // OP-IMM
          const imm = inst >> 20;
          const a0 = x[r1]!;
          const a1 = x[r1 + 1]!;
          switch (f3) {
            case 0: {
              const s = (a0 >>> 0) + imm;
              x[rd2] = s;
              x[rd2 + 1] = s < 0 ? a1 - 1 : s >= TWO32 ? a1 + 1 : a1;
              break;
            }
            case 1: {
              if (inst >>> 26 !== 0) {
                trap = this.illegal(ibits);
                break;
              }
              const sh = imm & 63;
              if (sh === 0) {
                x[rd2] = a0;
                x[rd2 + 1] = a1;
              } else if (sh < 32) {
                x[rd2 + 1] = (a1 << sh) | (a0 >>> (32 - sh));
                x[rd2] = a0 << sh;
              } else {
                x[rd2 + 1] = a0 << (sh - 32);
                x[rd2] = 0;
              }
              break;
            }
            case 2: {
              const i1 = imm >> 31;
              x[rd2] = a1 < i1 || (a1 === i1 && a0 >>> 0 < imm >>> 0) ? 1 : 0;
              x[rd2 + 1] = 0;
              break;
            }
            case 3: {
              const i1 = imm >> 31;
              x[rd2] = a1 >>> 0 < i1 >>> 0 || (a1 === i1 && a0 >>> 0 < imm >>> 0) ? 1 : 0;
              x[rd2 + 1] = 0;
              break;
            }
            case 4:
              x[rd2] = a0 ^ imm;
              x[rd2 + 1] = a1 ^ (imm >> 31);
              break;
            case 5: {
              const f6 = inst >>> 26;
              const sh = imm & 63;
              if (f6 === 0) {
                if (sh === 0) {
                  x[rd2] = a0;
                  x[rd2 + 1] = a1;
                } else if (sh < 32) {
                  x[rd2] = (a0 >>> sh) | (a1 << (32 - sh));
                  x[rd2 + 1] = a1 >>> sh;
                } else {
                  x[rd2] = a1 >>> (sh - 32);
                  x[rd2 + 1] = 0;
                }
              } else if (f6 === 0x10) {
                if (sh === 0) {
                  x[rd2] = a0;
                  x[rd2 + 1] = a1;
                } else if (sh < 32) {
                  x[rd2] = (a0 >>> sh) | (a1 << (32 - sh));
                  x[rd2 + 1] = a1 >> sh;
                } else {
                  x[rd2] = a1 >> (sh - 32);
                  x[rd2 + 1] = a1 >> 31;
                }
              } else trap = this.illegal(ibits);
              break;
            }
            case 6:
              x[rd2] = a0 | imm;
              x[rd2 + 1] = a1 | (imm >> 31);
              break;
            default:
              x[rd2] = a0 & imm;
              x[rd2 + 1] = a1 & (imm >> 31);
              break;
          }
          break;
        }

        case 12: { // 0x33
          // OP
          const f7 = inst >>> 25;
          const a0 = x[r1]!;
          const a1 = x[r1 + 1]!;
          const b0 = x[r2]!;
          const b1 = x[r2 + 1]!;
          if (f7 === 0) {
            switch (f3) {
              case 0: {
                const s = (a0 >>> 0) + (b0 >>> 0);
                x[rd2] = s;
                x[rd2 + 1] = s >= TWO32 ? a1 + b1 + 1 : a1 + b1;
                break;
              }
              case 1: {
                const sh = b0 & 63;
                if (sh === 0) {
                  x[rd2] = a0;
                  x[rd2 + 1] = a1;
                } else if (sh < 32) {
                  x[rd2 + 1] = (a1 << sh) | (a0 >>> (32 - sh));
                  x[rd2] = a0 << sh;
                } else {
                  x[rd2 + 1] = a0 << (sh - 32);
                  x[rd2] = 0;
                }
                break;
              }
              case 2:
                x[rd2] = a1 < b1 || (a1 === b1 && a0 >>> 0 < b0 >>> 0) ? 1 : 0;
                x[rd2 + 1] = 0;
                break;
              case 3:
                x[rd2] = a1 >>> 0 < b1 >>> 0 || (a1 === b1 && a0 >>> 0 < b0 >>> 0) ? 1 : 0;
                x[rd2 + 1] = 0;
                break;
              case 4:
                x[rd2] = a0 ^ b0;
                x[rd2 + 1] = a1 ^ b1;
                break;
              case 5: {
                const sh = b0 & 63;
                if (sh === 0) {
                  x[rd2] = a0;
                  x[rd2 + 1] = a1;
                } else if (sh < 32) {
                  x[rd2] = (a0 >>> sh) | (a1 << (32 - sh));
                  x[rd2 + 1] = a1 >>> sh;
                } else {
                  x[rd2] = a1 >>> (sh - 32);
                  x[rd2 + 1] = 0;
                }
                break;
              }
              case 6:
                x[rd2] = a0 | b0;
                x[rd2 + 1] = a1 | b1;
                break;
              default:
                x[rd2] = a0 & b0;
                x[rd2 + 1] = a1 & b1;
                break;
            }
          } else if (f7 === 0x20) {
            if (f3 === 0) {
              const s = (a0 >>> 0) - (b0 >>> 0);
              x[rd2] = s;
              x[rd2 + 1] = s < 0 ? a1 - b1 - 1 : a1 - b1;
            } else if (f3 === 5) {
              const sh = b0 & 63;
              if (sh === 0) {
                x[rd2] = a0;
                x[rd2 + 1] = a1;
              } else if (sh < 32) {
                x[rd2] = (a0 >>> sh) | (a1 << (32 - sh));
                x[rd2 + 1] = a1 >> sh;
              } else {
                x[rd2] = a1 >> (sh - 32);
                x[rd2 + 1] = a1 >> 31;
              }
            } else trap = this.illegal(ibits);
          } else if (f7 === 1) mulDiv64(x, f3, rd2, a0, a1, b0, b1);
          else trap = this.illegal(ibits);
          break;
        }

        case 0: { // 0x03
          // LOAD
          // s is the exact unsigned address when the base's high word is 0
          const s = (x[r1]! >>> 0) + (inst >> 20);
          const b1 = x[r1 + 1]!;
          if (dBare && b1 === 0) {
            const off = s - dBase;
            if (off >= 0 && off <= dLim) {
              switch (f3) {
                case 0: {
                  const v = dView.getInt8(off);
                  x[rd2] = v;
                  x[rd2 + 1] = v >> 31;
                  break;
                }
                case 1: {
                  const v = dView.getInt16(off, true);
                  x[rd2] = v;
                  x[rd2 + 1] = v >> 31;
                  break;
                }
                case 2: {
                  const v = dView.getInt32(off, true);
                  x[rd2] = v;
                  x[rd2 + 1] = v >> 31;
                  break;
                }
                case 3:
                  x[rd2] = dView.getInt32(off, true);
                  x[rd2 + 1] = dView.getInt32(off + 4, true);
                  break;
                case 4:
                  x[rd2] = dView.getUint8(off);
                  x[rd2 + 1] = 0;
                  break;
                case 5:
                  x[rd2] = dView.getUint16(off, true);
                  x[rd2 + 1] = 0;
                  break;
                case 6:
                  x[rd2] = dView.getInt32(off, true);
                  x[rd2 + 1] = 0;
                  break;
                default:
                  trap = this.illegal(ibits);
              }
              break;
            }
          }
          if (f3 === 7) trap = this.illegal(ibits);
          else trap = !this.loadSlow(s | 0, (s < 0 ? b1 - 1 : s >= TWO32 ? b1 + 1 : b1) | 0, f3, rd2);
          chk = true;
          break;
        }

        case 8: { // 0x23
          // STORE
          const s = (x[r1]! >>> 0) + (((inst >> 25) << 5) | ((inst >> 7) & 31));
          const b1 = x[r1 + 1]!;
          const v0 = x[r2]!;
          if (dBare && b1 === 0) {
            const off = s - dBase;
            if (off >= 0 && off <= dLim) {
              switch (f3) {
                case 0:
                  dView.setInt8(off, v0);
                  dBlock!.markWritten(off, 1);
                  break;
                case 1:
                  dView.setInt16(off, v0, true);
                  dBlock!.markWritten(off, 2);
                  break;
                case 2:
                  dView.setInt32(off, v0, true);
                  dBlock!.markWritten(off, 4);
                  break;
                case 3:
                  dView.setInt32(off, v0, true);
                  dView.setInt32(off + 4, x[r2 + 1]!, true);
                  dBlock!.markWritten(off, 8);
                  break;
                default:
                  trap = this.illegal(ibits);
              }
              break;
            }
          }
          if (f3 > 3) trap = this.illegal(ibits);
          else trap = !this.memWrite(s | 0, (s < 0 ? b1 - 1 : s >= TWO32 ? b1 + 1 : b1) | 0, 1 << f3, v0, x[r2 + 1]!);
          chk = true;
          break;
        }

        case 24: { // 0x63
          // BRANCH
          const a0 = x[r1]!;
          const a1 = x[r1 + 1]!;
          const b0 = x[r2]!;
          const b1 = x[r2 + 1]!;
          let take: boolean;
          switch (f3) {
            case 0:
              take = a0 === b0 && a1 === b1;
              break;
            case 1:
              take = a0 !== b0 || a1 !== b1;
              break;
            case 4:
              take = a1 < b1 || (a1 === b1 && a0 >>> 0 < b0 >>> 0);
              break;
            case 5:
              take = !(a1 < b1 || (a1 === b1 && a0 >>> 0 < b0 >>> 0));
              break;
            case 6:
              take = a1 >>> 0 < b1 >>> 0 || (a1 === b1 && a0 >>> 0 < b0 >>> 0);
              break;
            case 7:
              take = !(a1 >>> 0 < b1 >>> 0 || (a1 === b1 && a0 >>> 0 < b0 >>> 0));
              break;
            default:
              take = false;
              trap = this.illegal(ibits);
          }
          if (take) next = poff + (((inst >> 31) << 12) | (((inst >> 7) & 1) << 11) | (((inst >> 25) & 0x3f) << 5) | (((inst >> 8) & 0xf) << 1));
          break;
        }

        case 27: { // 0x6f
          // JAL
          const link = fLo + next;
          next = poff + (((inst >> 31) << 20) | (inst & 0xff000) | (((inst >> 20) & 1) << 11) | (((inst >> 21) & 0x3ff) << 1));
          x[rd2] = link;
          x[rd2 + 1] = Math.floor(link / TWO32);
          break;
        }

        case 25: { // 0x67
          // JALR
          if (f3 !== 0) {
            trap = this.illegal(ibits);
            break;
          }
          const s = (x[r1]! >>> 0) + (inst >> 20);
          const tlo = (s | 0) & ~1;
          const thi = (s < 0 ? x[r1 + 1]! - 1 : s >= TWO32 ? x[r1 + 1]! + 1 : x[r1 + 1]!) | 0;
          const link = fLo + next;
          const target = thi >= -NEAR && thi < NEAR ? thi * TWO32 + (tlo >>> 0) : this.farTarget(tlo, thi);
          const t = target - fLo;
          if (t >= 0 && t < fLen) next = t | 0;
          else {
            fLo = target;
            fLen = 0;
            next = 0;
          }
          x[rd2] = link;
          x[rd2 + 1] = Math.floor(link / TWO32);
          break;
        }

        case 13: // 0x37 LUI
          x[rd2] = inst & 0xfffff000;
          x[rd2 + 1] = inst >> 31;
          break;

        case 5: { // 0x17
          // AUIPC
          const v = fLo + poff + (inst & 0xfffff000);
          x[rd2] = v;
          x[rd2 + 1] = Math.floor(v / TWO32);
          break;
        }

        case 6: { // 0x1b
          // OP-IMM-32
          const a0 = x[r1]!;
          let v: number;
          if (f3 === 0) v = (a0 + (inst >> 20)) | 0;
          else if (f3 === 1 && inst >>> 25 === 0) v = a0 << ((inst >> 20) & 31);
          else if (f3 === 5 && inst >>> 25 === 0) v = (a0 >>> ((inst >> 20) & 31)) | 0;
          else if (f3 === 5 && inst >>> 25 === 0x20) v = a0 >> ((inst >> 20) & 31);
          else {
            trap = this.illegal(ibits);
            break;
          }
          x[rd2] = v;
          x[rd2 + 1] = v >> 31;
          break;
        }

        case 14: { // 0x3b
          // OP-32
          const f7 = inst >>> 25;
          const a0 = x[r1]!;
          const b0 = x[r2]!;
          let v: number;
          if (f7 === 0) {
            if (f3 === 0) v = (a0 + b0) | 0;
            else if (f3 === 1) v = a0 << (b0 & 31);
            else if (f3 === 5) v = (a0 >>> (b0 & 31)) | 0;
            else {
              trap = this.illegal(ibits);
              break;
            }
          } else if (f7 === 0x20) {
            if (f3 === 0) v = (a0 - b0) | 0;
            else if (f3 === 5) v = a0 >> (b0 & 31);
            else {
              trap = this.illegal(ibits);
              break;
            }
          } else if (f7 === 1 && f3 !== 1 && f3 !== 2 && f3 !== 3) v = mulDiv32(f3, a0, b0);
          else {
            trap = this.illegal(ibits);
            break;
          }
          x[rd2] = v;
          x[rd2 + 1] = v >> 31;
          break;
        }

        case 3: // 0x0f MISC-MEM: FENCE, FENCE.I (no instruction cache to flush: fetch always reads memory)
          if (f3 > 1) trap = this.illegal(ibits);
          break;

        case 11: // 0x2f AMO
          trap = !this.execAmo(inst, ibits, f3, rd2, r1, r2);
          chk = true;
          break;

        case 28: { // 0x73
          // SYSTEM
          this.pc = fLo + poff;
          const r = this.execSystem(inst, ibits, f3, n);
          chk = true;
          if (r === SYS_NEXT) break;
          if (r === SYS_TRAP) {
            trap = true;
            break;
          }
          if (r === SYS_JUMP) {
            fLo = this.pc;
            fLen = 0;
            next = 0;
            break;
          }
          if (r === SYS_WFI) {
            if ((this.mip & this.mie) === 0) {
              this.wfi = true;
              poff = next;
              n++;
              reason = "wfi";
              break outer;
            }
            break;
          }
          reason = "ebreak";
          break outer;
        }

        case 1: // 0x07
        case 9: // 0x27
        case 16: // 0x43
        case 17: // 0x47
        case 18: // 0x4b
        case 19: // 0x4f
        case 20: // 0x53
          trap = !execFp(this, inst, ibits);
          chk = true;
          break;

        default:
          trap = this.illegal(ibits);
      }

      if (trap) {
        this.pc = fLo + poff;
        this.takeException();
        fLo = this.pc;
        poff = 0;
        fLen = 0;
        traps++;
        chk = true;
        continue;
      }
      x[0] = 0;
      x[1] = 0;
      poff = next;
      n++;
    }

    this.pc = fLo + poff;
    this.syncCounters(n);
    return { executed: n, traps, reason };
  }

  // ------------------------------------------------------ trap machinery

  /** Records an illegal-instruction exception (tval = the instruction bits, as QEMU); returns true. */
  illegal(ibits: number): boolean {
    this.excCause = EXC.ILLEGAL;
    this.excTval = BigInt(ibits >>> 0);
    return true;
  }

  /** Records an exception with tval; returns false (for "access failed" call chains). */
  fault(cause: number, tval: bigint): false {
    this.excCause = cause;
    this.excTval = tval;
    return false;
  }

  private faultAt(cause: number, lo: number, hi: number): false {
    return this.fault(cause, u64(lo, hi));
  }

  private farTarget(lo: number, hi: number): number {
    this.farPc = u64(lo, hi);
    return NaN;
  }

  private takeException(): void {
    const cause = this.excCause;
    this.excCause = -1;
    this.enterTrap(cause, false, this.excTval);
  }

  /** Enters a trap (exception or interrupt) from the current pc. */
  enterTrap(cause: number, interrupt: boolean, tval: bigint): void {
    const epc = this.getPc();
    const deleg = interrupt ? this.mideleg : this.medeleg;
    let s = this.mstatus;
    const causeVal = (interrupt ? 1n << 63n : 0n) | BigInt(cause);
    if (this.priv <= 1 && ((deleg >>> cause) & 1) !== 0) {
      s = (s & ~(MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SIE)) | (s & MSTATUS.SIE ? MSTATUS.SPIE : 0) | (this.priv === 1 ? MSTATUS.SPP : 0);
      this.scause = causeVal;
      this.sepc = epc;
      this.stval = tval;
      const base = this.stvec & ~3n;
      this.setPc(interrupt && (this.stvec & 3n) === 1n ? base + BigInt(4 * cause) : base);
      this.priv = 1;
    } else {
      s = (s & ~(MSTATUS.MPIE | MSTATUS.MPP | MSTATUS.MIE)) | (s & MSTATUS.MIE ? MSTATUS.MPIE : 0) | (this.priv << 11);
      this.mcause = causeVal;
      this.mepc = epc;
      this.mtval = tval;
      const base = this.mtvec & ~3n;
      this.setPc(interrupt && (this.mtvec & 3n) === 1n ? base + BigInt(4 * cause) : base);
      this.priv = 3;
    }
    this.mstatus = s;
    this.loadRes = 0xffff_ffff_ffff_ffffn;
    this.wfi = false;
    this.modeChanged();
  }

  private syncCounters(n: number): void {
    const d = n - this.counted;
    if (d <= 0) return;
    this.counted = n;
    const bd = BigInt(d);
    if ((this.mcountinhibit & 4) === 0) this.minstret = BigInt.asUintN(64, this.minstret + bd);
    if ((this.mcountinhibit & 1) === 0) this.mcycle = BigInt.asUintN(64, this.mcycle + bd);
  }

  /** Call after any change of priv, satp or mstatus: recomputes translation state, flushes the TLB and fetch window. */
  private modeChanged(): void {
    const mprv = this.priv === 3 && (this.mstatus & MSTATUS.MPRV) !== 0;
    const effPriv = mprv ? (this.mstatus >> 11) & 3 : this.priv;
    this.dBare = this.satp >> 60n === 0n || effPriv === 3;
    this.tlbTag.fill(NaN);
    this.fLen = 0;
    this.fBase = 0;
  }

  // ------------------------------------------------------------- memory

  private fetchSlow(pc: number): number {
    if (Number.isNaN(pc)) {
      const paging = this.priv !== 3 && this.satp >> 60n !== 0n;
      this.fault(paging ? EXC.INST_PAGE : EXC.INST_ACCESS, this.farPc);
      return 0;
    }
    const lo = pc | 0;
    const hi = Math.floor(pc / TWO32);
    const pa = this.translate(lo, hi, ACC_FETCH);
    if (pa < 0) return 0;
    const w = this.bus.ramAt(pa, 2);
    if (!w) {
      this.faultAt(EXC.INST_ACCESS, lo, hi);
      return 0;
    }
    const off = pa - w.base;
    const len = w.block.length;
    const bare = this.priv === 3 || this.satp >> 60n === 0n;
    if (bare) {
      this.fBase = w.base;
      this.fLen = len - 3;
      this.fOff = 0;
      this.fView = w.view;
    } else {
      const po = lo & 4095;
      const start = off - po;
      if (start >= 0 && start + 4096 <= len) {
        this.fBase = pc - po;
        this.fLen = 4093;
        this.fOff = start;
        this.fView = w.view;
      } else this.fLen = 0;
    }
    const half = w.view.getUint16(off, true);
    if ((half & 3) !== 3) return half;
    if (off + 4 <= len && (bare || (lo & 4095) !== 4094)) return (w.view.getUint16(off + 2, true) << 16) | half;
    // The second parcel lies in another page or window.
    const pc2 = pc + 2;
    const lo2 = pc2 | 0;
    const hi2 = Math.floor(pc2 / TWO32);
    const pa2 = this.translate(lo2, hi2, ACC_FETCH);
    if (pa2 < 0) return 0;
    const w2 = this.bus.ramAt(pa2, 2);
    if (!w2) {
      this.faultAt(EXC.INST_ACCESS, lo2, hi2);
      return 0;
    }
    this.fLen = 0;
    return (w2.view.getUint16(pa2 - w2.base, true) << 16) | half;
  }

  /** Translates a virtual address for an access; returns the physical address, or -1 with an exception recorded. */
  translate(lo: number, hi: number, acc: number): number {
    const bare = acc === ACC_FETCH ? this.priv === 3 || this.satp >> 60n === 0n : this.dBare;
    if (bare) {
      if (hi < 0 || hi >= NEAR) {
        this.faultAt(ACCESS_FAULT[acc]!, lo, hi);
        return -1;
      }
      return hi * TWO32 + (lo >>> 0);
    }
    const top = hi >> 6;
    if (top !== 0 && top !== -1) {
      this.faultAt(PAGE_FAULT[acc]!, lo, hi);
      return -1;
    }
    const vpn = hi * 1048576 + (lo >>> 12);
    const idx = (vpn & (TLB_SIZE - 1)) + acc * TLB_SIZE;
    if (this.tlbTag[idx] === vpn) return this.tlbPa[idx]! + (lo & 4095);
    return this.walk(lo, hi, acc, vpn, idx);
  }

  /** Sv39 page-table walk (hardware A/D update, as QEMU); fills the TLB. */
  private walk(lo: number, hi: number, acc: number, vpn: number, idx: number): number {
    const effPriv = acc === ACC_FETCH ? this.priv : this.priv === 3 && this.mstatus & MSTATUS.MPRV ? (this.mstatus >> 11) & 3 : this.priv;
    const vpns = [(lo >>> 12) & 511, (lo >>> 21) & 511, ((lo >>> 30) | (hi << 2)) & 511];
    let a = Number(this.satp & 0xfff_ffff_ffffn) * 4096;
    let level = 2;
    let w: RamWindow | undefined;
    let o = 0;
    let pteLo = 0;
    let pteHi = 0;
    for (;;) {
      const pteAddr = a + vpns[level]! * 8;
      w = this.bus.ramAt(pteAddr, 8);
      if (!w) {
        this.faultAt(ACCESS_FAULT[acc]!, lo, hi);
        return -1;
      }
      o = pteAddr - w.base;
      pteLo = w.view.getInt32(o, true);
      pteHi = w.view.getInt32(o + 4, true);
      if ((pteLo & 1) === 0 || (pteLo & 6) === 4 || pteHi >>> 22 !== 0) {
        this.faultAt(PAGE_FAULT[acc]!, lo, hi);
        return -1;
      }
      if ((pteLo & 0xa) !== 0) break; // leaf (R or X)
      if (--level < 0) {
        this.faultAt(PAGE_FAULT[acc]!, lo, hi);
        return -1;
      }
      a = ((pteHi & 0x3fffff) * 4194304 + (pteLo >>> 10)) * 4096;
    }
    const user = (pteLo & 16) !== 0;
    const sum = (this.mstatus & MSTATUS.SUM) !== 0;
    const mxr = (this.mstatus & MSTATUS.MXR) !== 0;
    let ok: boolean;
    if (effPriv === 0) ok = user;
    else ok = !user || (acc !== ACC_FETCH && sum);
    if (ok) {
      if (acc === ACC_FETCH) ok = (pteLo & 8) !== 0;
      else if (acc === ACC_LOAD) ok = (pteLo & 2) !== 0 || (mxr && (pteLo & 8) !== 0);
      else ok = (pteLo & 4) !== 0;
    }
    let ppn = (pteHi & 0x3fffff) * 4194304 + (pteLo >>> 10);
    if (ok && level > 0) {
      const span = level === 1 ? 512 : 262144;
      if (ppn % span !== 0) ok = false;
      else ppn += level === 1 ? vpns[0]! : vpns[1]! * 512 + vpns[0]!;
    }
    if (!ok) {
      this.faultAt(PAGE_FAULT[acc]!, lo, hi);
      return -1;
    }
    const need = acc === ACC_STORE ? 0xc0 : 0x40;
    if ((pteLo & need) !== need) {
      w.view.setInt32(o, pteLo | need, true);
      w.block.markWritten(o, 4);
    }
    const page = ppn * 4096;
    this.tlbTag[idx] = vpn;
    this.tlbPa[idx] = page;
    return page + (lo & 4095);
  }

  private ramFor(pa: number, size: number): RamWindow | undefined {
    const w = this.bus.ramAt(pa, size);
    if (w && this.dBare) {
      this.dBase = w.base;
      this.dLim = w.block.length - 8;
      this.dView = w.view;
      this.dBlock = w.block;
    }
    return w;
  }

  private mmioFor(pa: number, size: number): MmioWindow | undefined {
    const m = this.bus.mmioAt(pa);
    return m && pa + size <= m.base + m.size ? m : undefined;
  }

  private loadSlow(lo: number, hi: number, f3: number, rd2: number): boolean {
    if (!this.memRead(lo, hi, 1 << (f3 & 3), ACC_LOAD)) return false;
    let v = this.rlo;
    let h = this.rhi;
    switch (f3) {
      case 0:
        v = (v << 24) >> 24;
        h = v >> 31;
        break;
      case 1:
        v = (v << 16) >> 16;
        h = v >> 31;
        break;
      case 2:
        h = v >> 31;
        break;
      case 4:
      case 5:
      case 6:
        h = 0;
        break;
    }
    this.x[rd2] = v;
    this.x[rd2 + 1] = h;
    return true;
  }

  /**
   * Reads `size` bytes at virtual address (lo, hi) into rlo/rhi (zero-extended).
   * Returns false with an exception recorded on a fault. Misaligned accesses are allowed.
   */
  memRead(lo: number, hi: number, size: number, acc: number = ACC_LOAD): boolean {
    if (!this.dBare && (lo & 4095) + size > 4096) {
      // Crosses a page: byte by byte.
      let rl = 0;
      let rh = 0;
      for (let i = 0; i < size; i++) {
        const s = (lo >>> 0) + i;
        const blo = s | 0;
        const bhi = (s >= TWO32 ? hi + 1 : hi) | 0;
        const pa = this.translate(blo, bhi, acc);
        if (pa < 0 || !this.physRead(pa, 1, blo, bhi, acc)) return false;
        if (i < 4) rl |= this.rlo << (8 * i);
        else rh |= this.rlo << (8 * (i - 4));
      }
      this.rlo = rl;
      this.rhi = rh;
      return true;
    }
    const pa = this.translate(lo, hi, acc);
    return pa >= 0 && this.physRead(pa, size, lo, hi, acc);
  }

  private physRead(pa: number, size: number, lo: number, hi: number, acc: number): boolean {
    const w = this.ramFor(pa, size);
    if (w) {
      const off = pa - w.base;
      const v = w.view;
      switch (size) {
        case 1:
          this.rlo = v.getUint8(off);
          this.rhi = 0;
          break;
        case 2:
          this.rlo = v.getUint16(off, true);
          this.rhi = 0;
          break;
        case 4:
          this.rlo = v.getInt32(off, true);
          this.rhi = 0;
          break;
        default:
          this.rlo = v.getInt32(off, true);
          this.rhi = v.getInt32(off + 4, true);
      }
      return true;
    }
    const m = this.mmioFor(pa, size);
    if (m) {
      const val = m.device.read(pa - m.base, size as 1 | 2 | 4 | 8);
      this.rlo = Number(BigInt.asIntN(32, val));
      this.rhi = size === 8 ? Number(BigInt.asIntN(32, val >> 32n)) : 0;
      if (size === 1) this.rlo &= 0xff;
      else if (size === 2) this.rlo &= 0xffff;
      return true;
    }
    return this.faultAt(ACCESS_FAULT[acc]!, lo, hi);
  }

  /** Writes the low `size` bytes of (v0, v1) at virtual address (lo, hi); false with an exception recorded on a fault. */
  memWrite(lo: number, hi: number, size: number, v0: number, v1: number): boolean {
    if (!this.dBare && (lo & 4095) + size > 4096) {
      // Crosses a page: translate every byte first so a fault leaves memory untouched.
      const pas: number[] = [];
      for (let i = 0; i < size; i++) {
        const s = (lo >>> 0) + i;
        const pa = this.translate(s | 0, (s >= TWO32 ? hi + 1 : hi) | 0, ACC_STORE);
        if (pa < 0) return false;
        pas.push(pa);
      }
      for (let i = 0; i < size; i++) {
        const byte = (i < 4 ? v0 >>> (8 * i) : v1 >>> (8 * (i - 4))) & 0xff;
        const s = (lo >>> 0) + i;
        if (!this.physWrite(pas[i]!, 1, byte, 0, s | 0, (s >= TWO32 ? hi + 1 : hi) | 0)) return false;
      }
      return true;
    }
    const pa = this.translate(lo, hi, ACC_STORE);
    return pa >= 0 && this.physWrite(pa, size, v0, v1, lo, hi);
  }

  private physWrite(pa: number, size: number, v0: number, v1: number, lo: number, hi: number): boolean {
    const w = this.ramFor(pa, size);
    if (w) {
      const off = pa - w.base;
      const v = w.view;
      switch (size) {
        case 1:
          v.setUint8(off, v0 & 0xff);
          break;
        case 2:
          v.setUint16(off, v0 & 0xffff, true);
          break;
        case 4:
          v.setInt32(off, v0, true);
          break;
        default:
          v.setInt32(off, v0, true);
          v.setInt32(off + 4, v1, true);
      }
      w.block.markWritten(off, size);
      return true;
    }
    const m = this.mmioFor(pa, size);
    if (m) {
      const val = size === 8 ? u64(v0, v1) : BigInt((size === 4 ? v0 : v0 & (size === 2 ? 0xffff : 0xff)) >>> 0);
      m.device.write(pa - m.base, size as 1 | 2 | 4 | 8, val);
      return true;
    }
    return this.faultAt(EXC.STORE_ACCESS, lo, hi);
  }

  // ---------------------------------------------------------------- AMO

  private execAmo(inst: number, ibits: number, f3: number, rd2: number, r1: number, r2: number): boolean {
    if (f3 !== 2 && f3 !== 3) return !this.illegal(ibits);
    const op = inst >>> 27;
    const size = f3 === 2 ? 4 : 8;
    const x = this.x;
    const lo = x[r1]!;
    const hi = x[r1 + 1]!;
    const addr = u64(lo, hi);
    const rd = rd2 >> 1;
    if (op === 2) {
      // LR
      if (r2 !== 0) return !this.illegal(ibits);
      if (lo & (size - 1)) return this.fault(EXC.LOAD_MISALIGNED, addr);
      if (!this.memRead(lo, hi, size, ACC_LOAD)) return false;
      const v = size === 4 ? BigInt(this.rlo | 0) : s64(this.rlo, this.rhi);
      this.loadRes = addr;
      this.loadVal = BigInt.asUintN(64, v);
      this.setX(rd, v);
      return true;
    }
    const known = op === 0 || op === 1 || op === 3 || op === 4 || op === 8 || op === 12 || op === 16 || op === 20 || op === 24 || op === 28;
    if (!known) return !this.illegal(ibits);
    if (lo & (size - 1)) return this.fault(EXC.STORE_MISALIGNED, addr);
    const b = size === 4 ? BigInt(x[r2]! | 0) : s64(x[r2]!, x[r2 + 1]!);
    if (op === 3) {
      // SC: succeeds if the reservation is for this address and memory still holds the loaded value (as QEMU's cmpxchg).
      const hadRes = this.loadRes === addr;
      this.loadRes = 0xffff_ffff_ffff_ffffn;
      if (!hadRes) {
        this.setX(rd, 1n);
        return true;
      }
      const pa = this.translate(lo, hi, ACC_STORE);
      if (pa < 0 || !this.physRead(pa, size, lo, hi, ACC_STORE)) return false;
      const cur = size === 4 ? BigInt(this.rlo | 0) : s64(this.rlo, this.rhi);
      if (BigInt.asUintN(64, cur) !== this.loadVal) {
        this.setX(rd, 1n);
        return true;
      }
      if (!this.physWrite(pa, size, x[r2]!, x[r2 + 1]!, lo, hi)) return false;
      this.setX(rd, 0n);
      return true;
    }
    const pa = this.translate(lo, hi, ACC_STORE);
    if (pa < 0 || !this.physRead(pa, size, lo, hi, ACC_STORE)) return false;
    const a = size === 4 ? BigInt(this.rlo | 0) : s64(this.rlo, this.rhi);
    const bits = size * 8;
    const ua = BigInt.asUintN(bits, a);
    const ub = BigInt.asUintN(bits, b);
    let r: bigint;
    switch (op) {
      case 0:
        r = a + b;
        break;
      case 1:
        r = b;
        break;
      case 4:
        r = a ^ b;
        break;
      case 8:
        r = a | b;
        break;
      case 12:
        r = a & b;
        break;
      case 16:
        r = a < b ? a : b;
        break;
      case 20:
        r = a > b ? a : b;
        break;
      case 24:
        r = ua < ub ? a : b;
        break;
      default:
        r = ua > ub ? a : b;
        break;
    }
    if (!this.physWrite(pa, size, Number(BigInt.asIntN(32, r)), Number(BigInt.asIntN(32, r >> 32n)), lo, hi)) return false;
    this.setX(rd, a);
    return true;
  }

  // ------------------------------------------------------------- SYSTEM

  private execSystem(inst: number, ibits: number, f3: number, n: number): number {
    const rd = (inst >> 7) & 31;
    const rs1 = (inst >> 15) & 31;
    if (f3 === 0) {
      if (rd !== 0) {
            this.illegal(ibits);
            return SYS_TRAP;
          }
      switch (inst) {
        case 0x00000073: // ECALL
          this.fault(this.priv === 0 ? EXC.ECALL_U : this.priv === 1 ? EXC.ECALL_S : EXC.ECALL_M, 0n);
          return SYS_TRAP;
        case 0x00100073: // EBREAK
          if (this.ebreakStops) return SYS_EBREAK;
          this.fault(EXC.BREAKPOINT, 0n);
          return SYS_TRAP;
        case 0x10200073: {
          // SRET
          if (this.priv === 0 || (this.priv === 1 && this.mstatus & MSTATUS.TSR)) {
            this.illegal(ibits);
            return SYS_TRAP;
          }
          let s = this.mstatus;
          const np = s & MSTATUS.SPP ? 1 : 0;
          s = (s & ~(MSTATUS.SIE | MSTATUS.SPP)) | (s & MSTATUS.SPIE ? MSTATUS.SIE : 0) | MSTATUS.SPIE;
          s &= ~MSTATUS.MPRV; // the new privilege is never M
          this.mstatus = s;
          this.setPc(this.sepc);
          this.priv = np;
          this.loadRes = 0xffff_ffff_ffff_ffffn;
          this.modeChanged();
          return SYS_JUMP;
        }
        case 0x30200073: {
          // MRET
          if (this.priv !== 3) {
            this.illegal(ibits);
            return SYS_TRAP;
          }
          let s = this.mstatus;
          const mpp = (s >> 11) & 3;
          const np: 0 | 1 | 3 = mpp === 3 ? 3 : mpp === 1 ? 1 : 0;
          s = (s & ~(MSTATUS.MIE | MSTATUS.MPP)) | (s & MSTATUS.MPIE ? MSTATUS.MIE : 0) | MSTATUS.MPIE;
          if (np !== 3) s &= ~MSTATUS.MPRV;
          this.mstatus = s;
          this.setPc(this.mepc);
          this.priv = np;
          this.loadRes = 0xffff_ffff_ffff_ffffn;
          this.modeChanged();
          return SYS_JUMP;
        }
        case 0x10500073: // WFI
          if (this.priv === 0 || (this.priv === 1 && this.mstatus & MSTATUS.TW)) {
            this.illegal(ibits);
            return SYS_TRAP;
          }
          return SYS_WFI;
        default:
          if (inst >>> 25 === 0x09) {
            // SFENCE.VMA
            if (this.priv === 0 || (this.priv === 1 && this.mstatus & MSTATUS.TVM)) {
            this.illegal(ibits);
            return SYS_TRAP;
          }
            this.modeChanged();
            return SYS_NEXT;
          }
          this.illegal(ibits);
          return SYS_TRAP;
      }
    }
    if (f3 === 4) {
      this.illegal(ibits);
      return SYS_TRAP;
    }
    // Zicsr
    const csr = inst >>> 20;
    const op = f3 & 3; // 1 RW, 2 RS, 3 RC
    const src = f3 >= 5 ? BigInt(rs1) : this.getX(rs1);
    const write = op === 1 || rs1 !== 0;
    if (((csr >> 8) & 3) > this.priv || (write && csr >>> 10 === 3)) {
      this.illegal(ibits);
      return SYS_TRAP;
    }
    this.syncCounters(n);
    const old = this.csrRead(csr);
    if (old === undefined) {
      this.illegal(ibits);
      return SYS_TRAP;
    }
    if (write) {
      const nv = op === 1 ? src : op === 2 ? old | src : old & ~src;
      if (!this.csrWrite(csr, BigInt.asUintN(64, nv))) {
        this.illegal(ibits);
        return SYS_TRAP;
      }
    }
    this.setX(rd, old);
    return SYS_NEXT;
  }

  private counterAllowed(index: number): boolean {
    if (this.priv < 3 && ((this.mcounteren >>> index) & 1) === 0) return false;
    if (this.priv === 0 && ((this.scounteren >>> index) & 1) === 0) return false;
    return true;
  }

  private fpEnabled(): boolean {
    return (this.mstatus & MSTATUS.FS) !== 0;
  }

  /**
   * Reads a CSR as the current privilege level would (privilege-dependent
   * checks such as TVM and counter enables apply; the generic CSR-address
   * privilege check does not). Returns undefined when the access is illegal.
   */
  csrRead(csr: number): bigint | undefined {
    switch (csr) {
      case CSR.fflags:
        return this.fpEnabled() ? BigInt(this.fflags) : undefined;
      case CSR.frm:
        return this.fpEnabled() ? BigInt(this.frm) : undefined;
      case CSR.fcsr:
        return this.fpEnabled() ? BigInt((this.frm << 5) | this.fflags) : undefined;
      case CSR.sstatus: {
        let v = SSTATUS_HI | BigInt(this.mstatus & SSTATUS_RMASK);
        if ((this.mstatus & MSTATUS.FS) === MSTATUS.FS || (this.mstatus & MSTATUS.XS) === MSTATUS.XS) v |= 1n << 63n;
        return v;
      }
      case CSR.sie:
        return BigInt(this.mie & this.mideleg & S_INTS);
      case CSR.stvec:
        return this.stvec;
      case CSR.scounteren:
        return BigInt(this.scounteren >>> 0);
      case CSR.senvcfg:
        return this.senvcfg;
      case CSR.sscratch:
        return this.sscratch;
      case CSR.sepc:
        return this.sepc;
      case CSR.scause:
        return this.scause;
      case CSR.stval:
        return this.stval;
      case CSR.sip:
        return BigInt(this.mip & this.mideleg & S_INTS);
      case CSR.satp:
        return this.priv === 1 && this.mstatus & MSTATUS.TVM ? undefined : this.satp;
      case CSR.mstatus:
        return this.mstatusValue;
      case CSR.misa:
        return (2n << 62n) | BigInt(MISA_EXT);
      case CSR.medeleg:
        return BigInt(this.medeleg >>> 0);
      case CSR.mideleg:
        return BigInt(this.mideleg >>> 0);
      case CSR.mie:
        return BigInt(this.mie >>> 0);
      case CSR.mtvec:
        return this.mtvec;
      case CSR.mcounteren:
        return BigInt(this.mcounteren >>> 0);
      case CSR.menvcfg:
        return this.menvcfg;
      case CSR.mcountinhibit:
        return BigInt(this.mcountinhibit >>> 0);
      case CSR.mscratch:
        return this.mscratch;
      case CSR.mepc:
        return this.mepc;
      case CSR.mcause:
        return this.mcause;
      case CSR.mtval:
        return this.mtval;
      case CSR.mip:
        return BigInt(this.mip >>> 0);
      case CSR.pmpcfg0:
      case CSR.pmpcfg2: {
        const b = csr === CSR.pmpcfg0 ? 0 : 8;
        let v = 0n;
        for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(this.pmpcfg[b + i]!);
        return v;
      }
      case CSR.mcycle:
        return this.mcycle;
      case CSR.minstret:
        return this.minstret;
      case CSR.cycle:
        return this.counterAllowed(0) ? this.mcycle : undefined;
      case CSR.time:
        return this.counterAllowed(1) ? BigInt.asUintN(64, this.timeSource()) : undefined;
      case CSR.instret:
        return this.counterAllowed(2) ? this.minstret : undefined;
      case CSR.mvendorid:
        return 0n;
      case CSR.marchid:
      case CSR.mimpid:
        return QEMU_72_ARCHID;
      case CSR.mhartid:
        return this.mhartid;
      case CSR.mconfigptr:
        return 0n;
    }
    if (csr >= CSR.pmpaddr0 && csr < CSR.pmpaddr0 + 16) return this.pmpaddr[csr - CSR.pmpaddr0]!;
    if (csr > 0xb02 && csr <= 0xb1f) return 0n; // mhpmcounter3..31
    if (csr > 0x322 && csr <= 0x33f) return 0n; // mhpmevent3..31
    if (csr > 0xc02 && csr <= 0xc1f) return this.counterAllowed(csr - 0xc00) ? 0n : undefined; // hpmcounter3..31
    return undefined;
  }

  /** Writes a CSR (WARL legalisation applied); false when the write is illegal. */
  csrWrite(csr: number, v: bigint): boolean {
    const lo = Number(v & 0xffffffffn);
    switch (csr) {
      case CSR.fflags:
      case CSR.frm:
      case CSR.fcsr:
        if (!this.fpEnabled()) return false;
        if (csr === CSR.fflags) this.fflags = lo & 31;
        else if (csr === CSR.frm) this.frm = lo & 7;
        else {
          this.fflags = lo & 31;
          this.frm = (lo >> 5) & 7;
        }
        this.mstatus |= MSTATUS.FS;
        return true;
      case CSR.sstatus:
        this.mstatus = (this.mstatus & ~SSTATUS_WMASK) | (lo & SSTATUS_WMASK);
        this.modeChanged();
        return true;
      case CSR.sie: {
        const m = this.mideleg & S_INTS;
        this.mie = (this.mie & ~m) | (lo & m);
        return true;
      }
      case CSR.stvec:
        if ((v & 3n) < 2n) this.stvec = v;
        return true;
      case CSR.scounteren:
        this.scounteren = lo;
        return true;
      case CSR.senvcfg:
        this.senvcfg = v & 1n;
        return true;
      case CSR.sscratch:
        this.sscratch = v;
        return true;
      case CSR.sepc:
        this.sepc = v & ~1n;
        return true;
      case CSR.scause:
        this.scause = v;
        return true;
      case CSR.stval:
        this.stval = v;
        return true;
      case CSR.sip: {
        const m = this.mideleg & (1 << IRQ.SSI);
        this.mip = (this.mip & ~m) | (lo & m);
        return true;
      }
      case CSR.satp: {
        if (this.priv === 1 && this.mstatus & MSTATUS.TVM) return false;
        const mode = v >> 60n;
        // Only Bare and Sv39 are implemented: a write selecting another mode has no effect at all (priv spec 4.1.11).
        if (mode === 0n || mode === SATP_MODE_SV39) {
          this.satp = v;
          this.modeChanged();
        }
        return true;
      }
      case CSR.mstatus: {
        let s = (this.mstatus & ~MSTATUS_WMASK) | (lo & MSTATUS_WMASK);
        if ((s & MSTATUS.MPP) === 2 << 11) s = (s & ~MSTATUS.MPP) | (this.mstatus & MSTATUS.MPP); // MPP=2 is reserved: keep the old value
        this.mstatus = s;
        this.modeChanged();
        return true;
      }
      case CSR.misa:
        return true; // WARL, read-only here
      case CSR.medeleg:
        this.medeleg = lo & MEDELEG_MASK;
        return true;
      case CSR.mideleg:
        this.mideleg = lo & S_INTS;
        return true;
      case CSR.mie:
        this.mie = lo & ALL_INTS;
        return true;
      case CSR.mtvec:
        if ((v & 3n) < 2n) this.mtvec = v;
        return true;
      case CSR.mcounteren:
        this.mcounteren = lo;
        return true;
      case CSR.menvcfg:
        this.menvcfg = v & 1n;
        return true;
      case CSR.mcountinhibit:
        this.mcountinhibit = lo & ~2;
        return true;
      case CSR.mscratch:
        this.mscratch = v;
        return true;
      case CSR.mepc:
        this.mepc = v & ~1n;
        return true;
      case CSR.mcause:
        this.mcause = v;
        return true;
      case CSR.mtval:
        this.mtval = v;
        return true;
      case CSR.mip: {
        const m = S_INTS;
        this.softwareSeip = (lo & (1 << IRQ.SEI)) !== 0;
        let mip = (this.mip & ~m) | (lo & m);
        if (this.externalSeip) mip |= 1 << IRQ.SEI;
        this.mip = mip;
        return true;
      }
      case CSR.pmpcfg0:
      case CSR.pmpcfg2: {
        const b = csr === CSR.pmpcfg0 ? 0 : 8;
        for (let i = 0; i < 8; i++) {
          if (this.pmpcfg[b + i]! & 0x80) continue; // locked
          this.pmpcfg[b + i] = Number((v >> BigInt(8 * i)) & 0x9fn);
        }
        return true;
      }
      case CSR.mcycle:
        // The written value is what the next instruction sees (this one's increment is cancelled).
        this.mcycle = this.mcountinhibit & 1 ? v : BigInt.asUintN(64, v - 1n);
        return true;
      case CSR.minstret:
        this.minstret = this.mcountinhibit & 4 ? v : BigInt.asUintN(64, v - 1n);
        return true;
    }
    if (csr >= CSR.pmpaddr0 && csr < CSR.pmpaddr0 + 16) {
      const i = csr - CSR.pmpaddr0;
      const locked = (this.pmpcfg[i]! & 0x80) !== 0 || (i < 15 && (this.pmpcfg[i + 1]! & 0x98) === 0x88); // next entry locked TOR
      if (!locked) this.pmpaddr[i] = v & ((1n << 54n) - 1n);
      return true;
    }
    if ((csr > 0xb02 && csr <= 0xb1f) || (csr > 0x322 && csr <= 0x33f)) return true; // hpm counters/events: read-only zero
    return false;
  }
}

const SYS_NEXT = 0;
const SYS_TRAP = 1;
const SYS_JUMP = 2;
const SYS_WFI = 3;
const SYS_EBREAK = 4;

/** MUL/MULH/MULHSU/MULHU/DIV/DIVU/REM/REMU on register pairs. */
function mulDiv64(x: Int32Array, f3: number, rd2: number, a0: number, a1: number, b0: number, b1: number): void {
  if (f3 === 0) {
    umul32(a0 >>> 0, b0 >>> 0);
    x[rd2] = MR[0]!;
    x[rd2 + 1] = MR[1]! + Math.imul(a0, b1) + Math.imul(a1, b0);
    return;
  }
  if (f3 < 4) {
    // high 64 bits of the 128-bit product
    umul32(a0 >>> 0, b0 >>> 0);
    const h00 = MR[1]!;
    umul32(a0 >>> 0, b1 >>> 0);
    const l01 = MR[0]!;
    const h01 = MR[1]!;
    umul32(a1 >>> 0, b0 >>> 0);
    const l10 = MR[0]!;
    const h10 = MR[1]!;
    umul32(a1 >>> 0, b1 >>> 0);
    const l11 = MR[0]!;
    const h11 = MR[1]!;
    const t1 = h00 + l01 + l10;
    const t2 = h01 + h10 + l11 + Math.floor(t1 / TWO32);
    let w2 = t2 % TWO32;
    let w3 = (h11 + Math.floor(t2 / TWO32)) % TWO32;
    // signed corrections: hi -= (a < 0 ? b : 0) [MULH, MULHSU]; hi -= (b < 0 ? a : 0) [MULH]
    if (f3 !== 3 && a1 < 0) {
      const s = w2 - (b0 >>> 0);
      w2 = s < 0 ? s + TWO32 : s;
      w3 = w3 - (b1 >>> 0) - (s < 0 ? 1 : 0);
    }
    if (f3 === 1 && b1 < 0) {
      const s = w2 - (a0 >>> 0);
      w2 = s < 0 ? s + TWO32 : s;
      w3 = w3 - (a1 >>> 0) - (s < 0 ? 1 : 0);
    }
    x[rd2] = w2;
    x[rd2 + 1] = w3;
    return;
  }
  const signed = f3 === 4 || f3 === 6;
  const isRem = f3 >= 6;
  if (signed ? a1 === a0 >> 31 && b1 === b0 >> 31 : a1 === 0 && b1 === 0) {
    // both operands fit in 32 bits (as signed resp. unsigned): exact in doubles
    const a = signed ? a0 : a0 >>> 0;
    const b = signed ? b0 : b0 >>> 0;
    let r: number;
    if (b === 0) r = isRem ? a : -1;
    else r = isRem ? a % b : Math.trunc(a / b);
    x[rd2] = r;
    x[rd2 + 1] = signed || (b === 0 && !isRem) ? Math.floor(r / TWO32) : 0; // unsigned x/0 = -1: all ones
    return;
  }
  const a = signed ? s64(a0, a1) : u64(a0, a1);
  const b = signed ? s64(b0, b1) : u64(b0, b1);
  let r: bigint;
  if (b === 0n) r = isRem ? a : -1n;
  else if (signed && b === -1n && a === -(1n << 63n)) r = isRem ? 0n : a;
  else r = isRem ? a % b : a / b;
  x[rd2] = Number(BigInt.asIntN(32, r));
  x[rd2 + 1] = Number(BigInt.asIntN(32, r >> 32n));
}

/** MULW/DIVW/DIVUW/REMW/REMUW: 32-bit result (caller sign-extends). */
function mulDiv32(f3: number, a0: number, b0: number): number {
  switch (f3) {
    case 0:
      return Math.imul(a0, b0);
    case 4:
      if (b0 === 0) return -1;
      if (a0 === -2147483648 && b0 === -1) return a0;
      return (a0 / b0) | 0;
    case 5:
      if (b0 === 0) return -1;
      return ((a0 >>> 0) / (b0 >>> 0)) | 0;
    case 6:
      if (b0 === 0) return a0;
      if (b0 === -1) return 0;
      return a0 % b0 | 0;
    default:
      if (b0 === 0) return a0;
      return (a0 >>> 0) % (b0 >>> 0) | 0;
  }
}
