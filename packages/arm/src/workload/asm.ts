// An A64 assembler as a TypeScript builder, so guest programs are ordinary code:
//   const p = new Program({ base: 0x4020_0000n });
//   p.label("loop"); p.add("x0", "x0", 1); p.cbnz("x1", "loop");
//
// Methods follow GNU as: mnemonic names (dots become underscores: b.eq is b_eq or
// b_cond("eq", ...)), operands in GNU order and spelling. Shift and extend modifiers are
// GNU text ("lsl #3", "sxtw #2"). Memory operands are arrays mirroring the brackets:
//   [x1]  [x1, #8]  [x1, #-16]!  [x1], #16  [x1, x2, lsl #3]  [x1, w2, sxtw]
//   p.ldr("x0", ["x1"])  p.ldr("x0", ["x1", 8])  p.ldr("x0", ["x1", -16], "!")
//   p.ldr("x0", ["x1"], 16)  p.ldr("x0", ["x1", "x2", "lsl #3"])  p.ldr("x0", ["x1", "w2", "sxtw"])
// and a label name where GNU takes a label (branches, adr, ldr literal).
//
// Every instruction is 4 bytes and fixed when emitted; labels may be used before they are
// defined (assemble() patches those). Pseudo-instructions: `li` (movz/movn/orr plus movk,
// a length depending only on the value), `la` (adrp + add), `mov`, `cmp`, `cset`, ...

import { ProgramImage, type AssembledImage } from "@vmstate/core";
import { AsmError, checkImm, encodeBitmask, encodeFpImm8, field } from "./encode.js";
import {
  BARRIERS, cond, EXTENDS, fp, gp, gpSp, gpZr, isFpName, isGpName, modifier, PSTATE_FIELDS, SHIFTS, sysreg, vec,
  type BarrierOption, type Cond, type FpReg, type GpReg, type Modifier, type PstateField, type SimdScalar, type SysregMnemonic,
  type VecReg, type WReg, type XReg,
} from "./regs.js";

export { AsmError } from "./encode.js";

/** A branch target: a label, or a byte offset relative to the instruction. */
export type Target = string | number;

/** A memory operand, as GNU's brackets: [base], [base, #imm], [base, Rm{, modifier}]. */
export type Mem = readonly [base: XReg] | readonly [base: XReg, offset: number] | readonly [base: XReg, index: GpReg, mod?: Modifier];
/** After a memory operand: "!" for pre-index writeback, a number for post-index. */
export type Writeback = "!" | number;

export interface ProgramOptions {
  /** Address of the first byte (default 0x4020_0000, where the workload is linked for QEMU's virt). */
  base?: bigint;
}

export type Assembled = AssembledImage;

type FixKind = "b26" | "imm19" | "imm14" | "adr" | "adrp" | "lo12";
interface Fixup {
  kind: FixKind;
  at: number;
  label: string;
  /** The instruction, its offset field zero. */
  word: number;
}

export type LoadStoreOp =
  | "ldr" | "str" | "ldrb" | "strb" | "ldrh" | "strh" | "ldrsb" | "ldrsh" | "ldrsw"
  | "ldur" | "stur" | "ldurb" | "sturb" | "ldurh" | "sturh" | "ldursb" | "ldursh" | "ldursw";
export type AtomicOp = "ldadd" | "ldclr" | "ldeor" | "ldset" | "ldsmax" | "ldsmin" | "ldumax" | "ldumin" | "swp";
export type AtomicOrder = "" | "a" | "l" | "al";
type FpOp2 = "fmul" | "fdiv" | "fadd" | "fsub" | "fmax" | "fmin" | "fmaxnm" | "fminnm" | "fnmul";
type FpOp1 = "fmov" | "fabs" | "fneg" | "fsqrt" | "frintn" | "frintp" | "frintm" | "frintz" | "frinta" | "frintx" | "frinti";
type FpCvtOp = "fcvtns" | "fcvtnu" | "fcvtps" | "fcvtpu" | "fcvtms" | "fcvtmu" | "fcvtzs" | "fcvtzu" | "fcvtas" | "fcvtau";

const FP2: Record<FpOp2, number> = { fmul: 0, fdiv: 1, fadd: 2, fsub: 3, fmax: 4, fmin: 5, fmaxnm: 6, fminnm: 7, fnmul: 8 };
const FP1: Record<FpOp1, number> = { fmov: 0, fabs: 1, fneg: 2, fsqrt: 3, frintn: 8, frintp: 9, frintm: 10, frintz: 11, frinta: 12, frintx: 14, frinti: 15 };
/** [rmode, opcode] of the FP to integer conversions. */
const FCVT: Record<FpCvtOp, [number, number]> = {
  fcvtns: [0, 0], fcvtnu: [0, 1], fcvtps: [1, 0], fcvtpu: [1, 1], fcvtms: [2, 0], fcvtmu: [2, 1], fcvtzs: [3, 0], fcvtzu: [3, 1], fcvtas: [0, 4], fcvtau: [0, 5],
};
const ATOMIC: Record<AtomicOp, [o3: number, opc: number]> = {
  ldadd: [0, 0], ldclr: [0, 1], ldeor: [0, 2], ldset: [0, 3], ldsmax: [0, 4], ldsmin: [0, 5], ldumax: [0, 6], ldumin: [0, 7], swp: [1, 0],
};

const INVERT = (c: string): number => cond(c) ^ 1;
const ftype = (r: { size: string }, what: string): number => {
  if (r.size === "s") return 0;
  if (r.size === "d") return 1;
  if (r.size === "h") return 3;
  throw new AsmError(`${what}: needs an s or d register`);
};

export class Program extends ProgramImage<Fixup> {
  constructor(options: ProgramOptions = {}) {
    super(options.base ?? 0x4020_0000n);
    if (this.base % 4n !== 0n) throw new AsmError("base must be 4-byte aligned");
  }

  override label(name: string): this {
    if (isGpName(name) || isFpName(name)) throw new AsmError(`label ${name} looks like a register`);
    return super.label(name);
  }

  protected patch(view: DataView, f: Fixup, target: number): void {
    view.setUint32(f.at, this.patchWord(f.kind, f.word, f.at, target), true);
  }

  private patchWord(kind: FixKind, word: number, at: number, target: number): number {
    const off = target - at;
    switch (kind) {
      case "b26": return (word | field(checkImm("branch offset", off, -(2 ** 27), 2 ** 27 - 4, 4) / 4, 26)) >>> 0;
      case "imm19": return (word | (field(checkImm("offset", off, -(2 ** 20), 2 ** 20 - 4, 4) / 4, 19) << 5)) >>> 0;
      case "imm14": return (word | (field(checkImm("tbz/tbnz offset", off, -(2 ** 15), 2 ** 15 - 4, 4) / 4, 14) << 5)) >>> 0;
      case "adr": {
        const v = field(checkImm("adr offset", off, -(2 ** 20), 2 ** 20 - 1), 21);
        return (word | ((v & 3) << 29) | ((v >>> 2) << 5)) >>> 0;
      }
      case "adrp": {
        const pages = Number(((this.base + BigInt(target)) >> 12n) - ((this.base + BigInt(at)) >> 12n));
        const v = field(checkImm("adrp page offset", pages, -(2 ** 20), 2 ** 20 - 1), 21);
        return (word | ((v & 3) << 29) | ((v >>> 2) << 5)) >>> 0;
      }
      case "lo12": return (word | (Number((this.base + BigInt(target)) & 0xfffn) << 10)) >>> 0;
      default: throw new AsmError(`bad fixup ${String(kind)}`);
    }
  }

  protected padWithNops(bytes: number): void {
    if (bytes % 4 !== 0) throw new AsmError(`cannot pad ${bytes} bytes with instructions`);
    for (let i = 0; i < bytes; i += 4) this.nop();
  }

  /** A raw instruction word. */
  inst(word: number): this {
    if (this.len % 4 !== 0) throw new AsmError(`instruction at ${this.addr(this.len)} is not 4-byte aligned`);
    this.put(word >>> 0, 4);
    return this;
  }

  // ---- emission helpers ------------------------------------------------------------------

  /** Emits `word`, with a pc-relative field filled now (label known or a number) or at assemble(). */
  private ref(kind: FixKind, word: number, t: Target): this {
    if (typeof t === "number") return this.inst(this.patchWord(kind, word, this.len, this.len + t));
    const at = this.labels.get(t);
    if (at !== undefined) {
      try {
        return this.inst(this.patchWord(kind, word, this.len, at));
      } catch (e) {
        throw new AsmError(`reference to ${t} at ${this.addr(this.len)}: ${(e as Error).message}`);
      }
    }
    this.addFixup({ kind, at: this.len, label: t, word });
    return this.inst(0);
  }

  // ---- data processing: arithmetic --------------------------------------------------------

  private addSub(op: 0 | 1, S: 0 | 1, rdName: string, rnName: string, op2: number | bigint | string, mod?: string): this {
    const mnem = `${op ? "sub" : "add"}${S ? "s" : ""}`;
    if (typeof op2 === "number" || typeof op2 === "bigint") {
      const rd = S ? gpZr(rdName, mnem) : gpSp(rdName, mnem);
      const rn = gpSp(rnName, mnem);
      if (rd.sf !== rn.sf) throw new AsmError(`${mnem}: ${rdName} and ${rnName} differ in width`);
      let imm = Number(op2);
      let sh = 0;
      if (mod !== undefined) {
        const m = modifier(mod);
        if (m.kind !== "lsl" || (m.amount !== 0 && m.amount !== 12)) throw new AsmError(`${mnem}: immediate shift must be lsl #0 or #12`);
        sh = m.amount === 12 ? 1 : 0;
      }
      if (imm < 0 && mod === undefined && imm >= -0xfff000) return this.addSub(op ? 0 : 1, S, rdName, rnName, -imm);
      if (sh === 0 && imm > 0xfff && imm % 4096 === 0 && imm / 4096 <= 0xfff) {
        imm /= 4096;
        sh = 1;
      }
      checkImm(`${mnem} immediate`, imm, 0, 0xfff);
      return this.inst((rd.sf << 31) | (op << 30) | (S << 29) | 0x11000000 | (sh << 22) | (imm << 10) | (rn.n << 5) | rd.n);
    }
    const rd = gp(rdName);
    const rn = gp(rnName);
    const rm = gpZr(op2, mnem);
    const m = mod === undefined ? undefined : modifier(mod);
    const useExtended = (m !== undefined && !m.isShift) || rn.sp || (rd.sp && !S);
    if (useExtended) {
      if (rd.zr && !S) throw new AsmError(`${mnem}: ${rdName} cannot be the zero register`);
      if (rn.zr) throw new AsmError(`${mnem}: ${rnName} cannot be the zero register with an extended register`);
      let option: number;
      let amount = 0;
      if (m === undefined || m.kind === "lsl") {
        option = rd.sf ? 3 : 2;
        amount = m?.amount ?? 0;
      } else {
        option = EXTENDS[m.kind as keyof typeof EXTENDS];
        amount = m.amount;
      }
      checkImm(`${mnem} extend amount`, amount, 0, 4);
      const wantX = (option & 3) === 3;
      if (rd.sf === 1 && rm.sf !== (wantX ? 1 : 0)) throw new AsmError(`${mnem}: ${op2} has the wrong width for this extend`);
      return this.inst((rd.sf << 31) | (op << 30) | (S << 29) | 0x0b200000 | (rm.n << 16) | (option << 13) | (amount << 10) | (rn.n << 5) | rd.n);
    }
    if (rd.sp || rn.sp) throw new AsmError(`${mnem}: sp needs the extended-register form`);
    if (rd.sf !== rn.sf || rd.sf !== rm.sf) throw new AsmError(`${mnem}: operands differ in width`);
    const { shift, amount } = this.shiftMod(m, rd.sf, false, mnem);
    return this.inst((rd.sf << 31) | (op << 30) | (S << 29) | 0x0b000000 | (shift << 22) | (rm.n << 16) | (amount << 10) | (rn.n << 5) | rd.n);
  }

  private shiftMod(m: ReturnType<typeof modifier> | undefined, sf: number, allowRor: boolean, mnem: string): { shift: number; amount: number } {
    if (m === undefined) return { shift: 0, amount: 0 };
    if (!m.isShift || (m.kind === "ror" && !allowRor)) throw new AsmError(`${mnem}: ${m.kind} is not allowed here`);
    checkImm(`${mnem} shift amount`, m.amount, 0, sf ? 63 : 31);
    return { shift: SHIFTS[m.kind as keyof typeof SHIFTS], amount: m.amount };
  }

  add(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this;
  add(vd: VecReg, vn: VecReg, vm: VecReg): this;
  add(rd: string, rn: string, op2: number | bigint | string, mod?: Modifier): this {
    if (rd.startsWith("v")) return this.vecArith(0, rd, rn, op2 as string);
    return this.addSub(0, 0, rd, rn, op2, mod);
  }
  adds(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this {
    return this.addSub(0, 1, rd, rn, op2, mod);
  }
  sub(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this;
  sub(vd: VecReg, vn: VecReg, vm: VecReg): this;
  sub(rd: string, rn: string, op2: number | bigint | string, mod?: Modifier): this {
    if (rd.startsWith("v")) return this.vecArith(1, rd, rn, op2 as string);
    return this.addSub(1, 0, rd, rn, op2, mod);
  }
  subs(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this {
    return this.addSub(1, 1, rd, rn, op2, mod);
  }
  cmp(rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this {
    return this.addSub(1, 1, gp(rn).sf ? "xzr" : "wzr", rn, op2, mod);
  }
  cmn(rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this {
    return this.addSub(0, 1, gp(rn).sf ? "xzr" : "wzr", rn, op2, mod);
  }
  neg(rd: GpReg, rm: GpReg, mod?: Modifier): this {
    return this.addSub(1, 0, rd, gp(rd).sf ? "xzr" : "wzr", rm, mod);
  }
  negs(rd: GpReg, rm: GpReg, mod?: Modifier): this {
    return this.addSub(1, 1, rd, gp(rd).sf ? "xzr" : "wzr", rm, mod);
  }

  private carry(op: number, S: number, rdName: string, rnName: string, rmName: string): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    const rm = gpZr(rmName);
    if (rd.sf !== rn.sf || rd.sf !== rm.sf) throw new AsmError("adc/sbc: operands differ in width");
    return this.inst((rd.sf << 31) | (op << 30) | (S << 29) | 0x1a000000 | (rm.n << 16) | (rn.n << 5) | rd.n);
  }
  adc(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.carry(0, 0, rd, rn, rm); }
  adcs(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.carry(0, 1, rd, rn, rm); }
  sbc(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.carry(1, 0, rd, rn, rm); }
  sbcs(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.carry(1, 1, rd, rn, rm); }
  ngc(rd: GpReg, rm: GpReg): this { return this.carry(1, 0, rd, gp(rd).sf ? "xzr" : "wzr", rm); }

  // ---- data processing: logical ----------------------------------------------------------

  private logical(opc: number, N: 0 | 1, rdName: string, rnName: string, op2: number | bigint | string, mod?: string): this {
    const mnem = ["and", "orr", "eor", "ands"][opc]! + (N ? "(not)" : "");
    if (typeof op2 === "number" || typeof op2 === "bigint") {
      if (N) throw new AsmError(`${mnem}: no immediate form`);
      const rd = opc === 3 ? gpZr(rdName, mnem) : gpSp(rdName, mnem);
      const rn = gpZr(rnName, mnem);
      if (rd.sf !== rn.sf) throw new AsmError(`${mnem}: operands differ in width`);
      const enc = encodeBitmask(BigInt(op2), rd.sf ? 64 : 32);
      if (!enc) throw new AsmError(`${mnem}: 0x${BigInt.asUintN(64, BigInt(op2)).toString(16)} is not a logical immediate`);
      return this.inst((rd.sf << 31) | (opc << 29) | 0x12000000 | (enc.n << 22) | (enc.immr << 16) | (enc.imms << 10) | (rn.n << 5) | rd.n);
    }
    const rd = gpZr(rdName, mnem);
    const rn = gpZr(rnName, mnem);
    const rm = gpZr(op2, mnem);
    if (rd.sf !== rn.sf || rd.sf !== rm.sf) throw new AsmError(`${mnem}: operands differ in width`);
    const { shift, amount } = this.shiftMod(mod === undefined ? undefined : modifier(mod), rd.sf, true, mnem);
    return this.inst((rd.sf << 31) | (opc << 29) | 0x0a000000 | (shift << 22) | (N << 21) | (rm.n << 16) | (amount << 10) | (rn.n << 5) | rd.n);
  }

  and(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this;
  and(vd: VecReg, vn: VecReg, vm: VecReg): this;
  and(rd: string, rn: string, op2: number | bigint | string, mod?: Modifier): this {
    if (rd.startsWith("v")) return this.vecLogic(0, 0, rd, rn, op2 as string);
    return this.logical(0, 0, rd, rn, op2, mod);
  }
  orr(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this;
  orr(vd: VecReg, vn: VecReg, vm: VecReg): this;
  orr(rd: string, rn: string, op2: number | bigint | string, mod?: Modifier): this {
    if (rd.startsWith("v")) return this.vecLogic(0, 2, rd, rn, op2 as string);
    return this.logical(1, 0, rd, rn, op2, mod);
  }
  eor(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this;
  eor(vd: VecReg, vn: VecReg, vm: VecReg): this;
  eor(rd: string, rn: string, op2: number | bigint | string, mod?: Modifier): this {
    if (rd.startsWith("v")) return this.vecLogic(1, 0, rd, rn, op2 as string);
    return this.logical(2, 0, rd, rn, op2, mod);
  }
  ands(rd: GpReg, rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this { return this.logical(3, 0, rd, rn, op2, mod); }
  bic(rd: GpReg, rn: GpReg, rm: GpReg, mod?: Modifier): this;
  bic(vd: VecReg, vn: VecReg, vm: VecReg): this;
  bic(rd: string, rn: string, rm: string, mod?: Modifier): this {
    if (rd.startsWith("v")) return this.vecLogic(0, 1, rd, rn, rm);
    return this.logical(0, 1, rd, rn, rm, mod);
  }
  orn(rd: GpReg, rn: GpReg, rm: GpReg, mod?: Modifier): this { return this.logical(1, 1, rd, rn, rm, mod); }
  eon(rd: GpReg, rn: GpReg, rm: GpReg, mod?: Modifier): this { return this.logical(2, 1, rd, rn, rm, mod); }
  bics(rd: GpReg, rn: GpReg, rm: GpReg, mod?: Modifier): this { return this.logical(3, 1, rd, rn, rm, mod); }
  tst(rn: GpReg, op2: number | bigint | GpReg, mod?: Modifier): this {
    return this.logical(3, 0, gp(rn).sf ? "xzr" : "wzr", rn, op2, mod);
  }
  mvn(rd: GpReg, rm: GpReg, mod?: Modifier): this {
    return this.logical(1, 1, rd, gp(rd).sf ? "xzr" : "wzr", rm, mod);
  }

  // ---- moves -----------------------------------------------------------------------------

  private moveWide(opc: number, rdName: string, imm: number, mod?: string): this {
    const rd = gpZr(rdName, "mov wide");
    let hw = 0;
    if (mod !== undefined) {
      const m = modifier(mod);
      if (m.kind !== "lsl" || m.amount % 16 !== 0 || m.amount > (rd.sf ? 48 : 16)) throw new AsmError(`movz/movn/movk: bad shift ${mod}`);
      hw = m.amount / 16;
    }
    checkImm("16-bit immediate", imm, 0, 0xffff);
    return this.inst((rd.sf << 31) | (opc << 29) | 0x12800000 | (hw << 21) | (imm << 5) | rd.n);
  }
  movz(rd: GpReg, imm: number, mod?: Modifier): this { return this.moveWide(2, rd, imm, mod); }
  movn(rd: GpReg, imm: number, mod?: Modifier): this { return this.moveWide(0, rd, imm, mod); }
  movk(rd: GpReg, imm: number, mod?: Modifier): this { return this.moveWide(3, rd, imm, mod); }

  /**
   * The single instruction GNU as makes of `mov rd, #value` (movz, movn or orr with a
   * logical immediate), or undefined when there is none.
   */
  private movImmWord(rdName: string, value: bigint): number | undefined {
    const rd = gp(rdName);
    const width = rd.sf ? 64 : 32;
    const v = BigInt.asUintN(width, value);
    const halves = width / 16;
    if (!rd.sp) {
      for (let hw = 0; hw < halves; hw++) {
        if ((v & ~(0xffffn << BigInt(16 * hw))) === 0n) {
          return ((rd.sf << 31) | (2 << 29) | 0x12800000 | (hw << 21) | (Number((v >> BigInt(16 * hw)) & 0xffffn) << 5) | rd.n) >>> 0;
        }
      }
      const inv = BigInt.asUintN(width, ~v);
      for (let hw = 0; hw < halves; hw++) {
        if ((inv & ~(0xffffn << BigInt(16 * hw))) === 0n) {
          return ((rd.sf << 31) | 0x12800000 | (hw << 21) | (Number((inv >> BigInt(16 * hw)) & 0xffffn) << 5) | rd.n) >>> 0;
        }
      }
    }
    if (rd.zr) return undefined;
    const enc = encodeBitmask(v, width);
    if (!enc) return undefined;
    return ((rd.sf << 31) | (1 << 29) | 0x12000000 | (enc.n << 22) | (enc.immr << 16) | (enc.imms << 10) | (31 << 5) | rd.n) >>> 0;
  }

  /** mov: register to register (orr, or add #0 with sp), an immediate (movz/movn/orr), or vector/element moves. */
  mov(rd: GpReg, src: GpReg | number | bigint): this;
  mov(vd: VecReg, vn: VecReg): this;
  mov(rd: GpReg, vn: VecReg): this;
  mov(vd: VecReg, rn: GpReg): this;
  mov(rd: string, src: string | number | bigint): this {
    if (typeof src === "string" && rd.startsWith("v") && src.startsWith("v")) return this.vecLogic(0, 2, rd, src, src);
    if (typeof src === "string" && src.startsWith("v")) return this.umov(rd as GpReg, src as VecReg);
    if (rd.startsWith("v")) return this.ins(rd as VecReg, src as GpReg);
    if (typeof src !== "string") {
      const w = this.movImmWord(rd, BigInt(src));
      if (w === undefined) throw new AsmError(`mov: 0x${BigInt.asUintN(64, BigInt(src)).toString(16)} needs more than one instruction (use li)`);
      return this.inst(w);
    }
    const d = gp(rd);
    const s = gp(src);
    if (d.sp || s.sp) return this.addSub(0, 0, rd, src, 0);
    return this.logical(1, 0, rd, d.sf ? "xzr" : "wzr", src);
  }

  /**
   * Loads any 64-bit constant: one mov when possible, else movz (or movn when more
   * halfwords are all ones) and movk for the remaining halfwords.
   */
  li(rdName: GpReg, value: bigint | number): this {
    const rd = gpZr(rdName, "li");
    const width = rd.sf ? 64 : 32;
    const v = BigInt.asUintN(width, BigInt(value));
    const one = this.movImmWord(rdName, v);
    if (one !== undefined) return this.inst(one);
    const halves: number[] = [];
    for (let i = 0; i < width / 16; i++) halves.push(Number((v >> BigInt(16 * i)) & 0xffffn));
    const ones = halves.filter((h) => h === 0xffff).length;
    const zeros = halves.filter((h) => h === 0).length;
    const inverted = ones > zeros;
    const skip = inverted ? 0xffff : 0;
    let first = true;
    halves.forEach((h, i) => {
      if (h === skip) return;
      const mod = `lsl #${16 * i}` as Modifier;
      if (first) {
        if (inverted) this.movn(rdName, ~h & 0xffff, mod);
        else this.movz(rdName, h, mod);
        first = false;
      } else this.movk(rdName, h, mod);
    });
    return this;
  }

  /** Number of instructions li(rd, value) emits. */
  liLength(rd: GpReg, value: bigint | number): number {
    const p = new Program({ base: this.base });
    p.li(rd, value);
    return p.size / 4;
  }

  // ---- bitfield and shifts ---------------------------------------------------------------

  private bitfield(opc: number, rdName: string, rnName: string, immr: number, imms: number): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    const w = rd.sf ? 64 : 32;
    checkImm("immr", immr, 0, w - 1);
    checkImm("imms", imms, 0, w - 1);
    return this.inst((rd.sf << 31) | (opc << 29) | 0x13000000 | (rd.sf << 22) | (immr << 16) | (imms << 10) | (rn.n << 5) | rd.n);
  }
  sbfm(rd: GpReg, rn: GpReg, immr: number, imms: number): this { return this.bitfield(0, rd, rn, immr, imms); }
  bfm(rd: GpReg, rn: GpReg, immr: number, imms: number): this { return this.bitfield(1, rd, rn, immr, imms); }
  ubfm(rd: GpReg, rn: GpReg, immr: number, imms: number): this { return this.bitfield(2, rd, rn, immr, imms); }

  private width(r: string): number {
    return gp(r).sf ? 64 : 32;
  }
  private checkField(rd: string, lsb: number, width: number): number {
    const w = this.width(rd);
    checkImm("lsb", lsb, 0, w - 1);
    checkImm("width", width, 1, w - lsb);
    return w;
  }
  ubfx(rd: GpReg, rn: GpReg, lsb: number, width: number): this { this.checkField(rd, lsb, width); return this.ubfm(rd, rn, lsb, lsb + width - 1); }
  sbfx(rd: GpReg, rn: GpReg, lsb: number, width: number): this { this.checkField(rd, lsb, width); return this.sbfm(rd, rn, lsb, lsb + width - 1); }
  bfxil(rd: GpReg, rn: GpReg, lsb: number, width: number): this { this.checkField(rd, lsb, width); return this.bfm(rd, rn, lsb, lsb + width - 1); }
  ubfiz(rd: GpReg, rn: GpReg, lsb: number, width: number): this { const w = this.checkField(rd, lsb, width); return this.ubfm(rd, rn, (w - lsb) % w, width - 1); }
  sbfiz(rd: GpReg, rn: GpReg, lsb: number, width: number): this { const w = this.checkField(rd, lsb, width); return this.sbfm(rd, rn, (w - lsb) % w, width - 1); }
  bfi(rd: GpReg, rn: GpReg, lsb: number, width: number): this { const w = this.checkField(rd, lsb, width); return this.bfm(rd, rn, (w - lsb) % w, width - 1); }
  sxtb(rd: GpReg, rn: WReg): this { return this.inst(this.extWord(0, rd, rn, 7)); }
  sxth(rd: GpReg, rn: WReg): this { return this.inst(this.extWord(0, rd, rn, 15)); }
  sxtw(rd: XReg, rn: WReg): this { return this.inst(this.extWord(0, rd, rn, 31)); }
  uxtb(rd: WReg, rn: WReg): this { return this.inst(this.extWord(2, rd, rn, 7)); }
  uxth(rd: WReg, rn: WReg): this { return this.inst(this.extWord(2, rd, rn, 15)); }
  private extWord(opc: number, rdName: string, rnName: string, imms: number): number {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    if (rn.sf) throw new AsmError(`sxt/uxt: the source ${rnName} must be a w register`);
    if (opc === 2 && rd.sf) throw new AsmError("uxtb/uxth: the destination must be a w register");
    return ((rd.sf << 31) | (opc << 29) | 0x13000000 | (rd.sf << 22) | (imms << 10) | (rn.n << 5) | rd.n) >>> 0;
  }

  private shiftOp(kind: 0 | 1 | 2 | 3, rd: string, rn: string, amount: number | string): this {
    if (typeof amount === "string") return this.dp2([8, 9, 10, 11][kind]!, rd, rn, amount);
    const w = this.width(rd);
    checkImm("shift amount", amount, 0, w - 1);
    switch (kind) {
      case 0: return this.ubfm(rd as GpReg, rn as GpReg, (w - amount) % w, w - 1 - amount);
      case 1: return this.ubfm(rd as GpReg, rn as GpReg, amount, w - 1);
      case 2: return this.sbfm(rd as GpReg, rn as GpReg, amount, w - 1);
      default: return this.extr(rd as GpReg, rn as GpReg, rn as GpReg, amount);
    }
  }
  lsl(rd: GpReg, rn: GpReg, amount: number | GpReg): this { return this.shiftOp(0, rd, rn, amount); }
  lsr(rd: GpReg, rn: GpReg, amount: number | GpReg): this { return this.shiftOp(1, rd, rn, amount); }
  asr(rd: GpReg, rn: GpReg, amount: number | GpReg): this { return this.shiftOp(2, rd, rn, amount); }
  ror(rd: GpReg, rn: GpReg, amount: number | GpReg): this { return this.shiftOp(3, rd, rn, amount); }

  extr(rdName: GpReg, rnName: GpReg, rmName: GpReg, lsb: number): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    const rm = gpZr(rmName);
    checkImm("extr lsb", lsb, 0, rd.sf ? 63 : 31);
    return this.inst((rd.sf << 31) | 0x13800000 | (rd.sf << 22) | (rm.n << 16) | (lsb << 10) | (rn.n << 5) | rd.n);
  }

  // ---- data processing: one, two and three sources ----------------------------------------

  private dp1(opcode: number, rdName: string, rnName: string): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    if (rd.sf !== rn.sf) throw new AsmError("operands differ in width");
    return this.inst((rd.sf << 31) | 0x5ac00000 | (opcode << 10) | (rn.n << 5) | rd.n);
  }
  rbit(rd: GpReg, rn: GpReg): this { return this.dp1(0, rd, rn); }
  rev16(rd: GpReg, rn: GpReg): this { return this.dp1(1, rd, rn); }
  rev32(rd: XReg, rn: XReg): this { return this.dp1(2, rd, rn); }
  rev(rd: GpReg, rn: GpReg): this { return this.dp1(gp(rd).sf ? 3 : 2, rd, rn); }
  clz(rd: GpReg, rn: GpReg): this { return this.dp1(4, rd, rn); }
  cls(rd: GpReg, rn: GpReg): this { return this.dp1(5, rd, rn); }

  private dp2(opcode: number, rdName: string, rnName: string, rmName: string): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    const rm = gpZr(rmName);
    if (rd.sf !== rn.sf) throw new AsmError("operands differ in width");
    return this.inst((rd.sf << 31) | 0x1ac00000 | (rm.n << 16) | (opcode << 10) | (rn.n << 5) | rd.n);
  }
  udiv(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp2(2, rd, rn, rm); }
  sdiv(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp2(3, rd, rn, rm); }
  lslv(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp2(8, rd, rn, rm); }
  lsrv(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp2(9, rd, rn, rm); }
  asrv(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp2(10, rd, rn, rm); }
  rorv(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp2(11, rd, rn, rm); }

  private dp3(op31: number, o0: number, rdName: string, rnName: string, rmName: string, raName: string): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    const rm = gpZr(rmName);
    const ra = gpZr(raName);
    const long = op31 !== 0 && op31 !== 2 && op31 !== 6;
    if (long && (rn.sf || rm.sf || !rd.sf)) throw new AsmError("long multiply: xd, wn, wm");
    return this.inst((rd.sf << 31) | 0x1b000000 | (op31 << 21) | (rm.n << 16) | (o0 << 15) | (ra.n << 10) | (rn.n << 5) | rd.n);
  }
  madd(rd: GpReg, rn: GpReg, rm: GpReg, ra: GpReg): this { return this.dp3(0, 0, rd, rn, rm, ra); }
  msub(rd: GpReg, rn: GpReg, rm: GpReg, ra: GpReg): this { return this.dp3(0, 1, rd, rn, rm, ra); }
  mul(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp3(0, 0, rd, rn, rm, gp(rd).sf ? "xzr" : "wzr"); }
  mneg(rd: GpReg, rn: GpReg, rm: GpReg): this { return this.dp3(0, 1, rd, rn, rm, gp(rd).sf ? "xzr" : "wzr"); }
  smaddl(rd: XReg, rn: WReg, rm: WReg, ra: XReg): this { return this.dp3(1, 0, rd, rn, rm, ra); }
  smsubl(rd: XReg, rn: WReg, rm: WReg, ra: XReg): this { return this.dp3(1, 1, rd, rn, rm, ra); }
  umaddl(rd: XReg, rn: WReg, rm: WReg, ra: XReg): this { return this.dp3(5, 0, rd, rn, rm, ra); }
  umsubl(rd: XReg, rn: WReg, rm: WReg, ra: XReg): this { return this.dp3(5, 1, rd, rn, rm, ra); }
  smull(rd: XReg, rn: WReg, rm: WReg): this { return this.dp3(1, 0, rd, rn, rm, "xzr"); }
  umull(rd: XReg, rn: WReg, rm: WReg): this { return this.dp3(5, 0, rd, rn, rm, "xzr"); }
  smulh(rd: XReg, rn: XReg, rm: XReg): this { return this.dp3(2, 0, rd, rn, rm, "xzr"); }
  umulh(rd: XReg, rn: XReg, rm: XReg): this { return this.dp3(6, 0, rd, rn, rm, "xzr"); }

  // ---- conditional select and compare ---------------------------------------------------

  private csel_(op: number, o2: number, rdName: string, rnName: string, rmName: string, c: string): this {
    const rd = gpZr(rdName);
    const rn = gpZr(rnName);
    const rm = gpZr(rmName);
    if (rd.sf !== rn.sf || rd.sf !== rm.sf) throw new AsmError("operands differ in width");
    return this.inst((rd.sf << 31) | (op << 30) | 0x1a800000 | (rm.n << 16) | (cond(c) << 12) | (o2 << 10) | (rn.n << 5) | rd.n);
  }
  csel(rd: GpReg, rn: GpReg, rm: GpReg, c: Cond): this { return this.csel_(0, 0, rd, rn, rm, c); }
  csinc(rd: GpReg, rn: GpReg, rm: GpReg, c: Cond): this { return this.csel_(0, 1, rd, rn, rm, c); }
  csinv(rd: GpReg, rn: GpReg, rm: GpReg, c: Cond): this { return this.csel_(1, 0, rd, rn, rm, c); }
  csneg(rd: GpReg, rn: GpReg, rm: GpReg, c: Cond): this { return this.csel_(1, 1, rd, rn, rm, c); }
  private invCond(c: string): Cond {
    const v = INVERT(c);
    if (cond(c) >= 14) throw new AsmError(`${c} cannot be inverted here`);
    return (["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"] as const)[v]!;
  }
  cset(rd: GpReg, c: Cond): this { const z = gp(rd).sf ? "xzr" : "wzr"; return this.csinc(rd, z, z, this.invCond(c)); }
  csetm(rd: GpReg, c: Cond): this { const z = gp(rd).sf ? "xzr" : "wzr"; return this.csinv(rd, z, z, this.invCond(c)); }
  cinc(rd: GpReg, rn: GpReg, c: Cond): this { return this.csinc(rd, rn, rn, this.invCond(c)); }
  cinv(rd: GpReg, rn: GpReg, c: Cond): this { return this.csinv(rd, rn, rn, this.invCond(c)); }
  cneg(rd: GpReg, rn: GpReg, c: Cond): this { return this.csneg(rd, rn, rn, this.invCond(c)); }

  private ccm(op: number, rnName: string, op2: string | number, nzcv: number, c: string): this {
    const rn = gpZr(rnName);
    checkImm("nzcv", nzcv, 0, 15);
    if (typeof op2 === "number") {
      checkImm("ccmp immediate", op2, 0, 31);
      return this.inst((rn.sf << 31) | (op << 30) | 0x3a400800 | (op2 << 16) | (cond(c) << 12) | (rn.n << 5) | nzcv);
    }
    const rm = gpZr(op2);
    if (rm.sf !== rn.sf) throw new AsmError("operands differ in width");
    return this.inst((rn.sf << 31) | (op << 30) | 0x3a400000 | (rm.n << 16) | (cond(c) << 12) | (rn.n << 5) | nzcv);
  }
  ccmp(rn: GpReg, op2: GpReg | number, nzcv: number, c: Cond): this { return this.ccm(1, rn, op2, nzcv, c); }
  ccmn(rn: GpReg, op2: GpReg | number, nzcv: number, c: Cond): this { return this.ccm(0, rn, op2, nzcv, c); }

  // ---- pc-relative addresses -------------------------------------------------------------

  adr(rd: XReg, t: Target): this { return this.ref("adr", 0x10000000 | gpZr(rd, "adr").n, t); }
  adrp(rd: XReg, t: Target): this { return this.ref("adrp", 0x90000000 | gpZr(rd, "adrp").n, t); }
  /** rd = address of label: adrp + add :lo12: (any distance within ±4 GiB). */
  la(rd: XReg, label: string): this {
    return this.adrp(rd, label).add_lo12(rd, rd, label);
  }
  /** add rd, rn, #:lo12:label (the low 12 bits of the label's address, GNU's :lo12:). */
  add_lo12(rdName: XReg, rnName: XReg, label: string): this {
    const rd = gpSp(rdName, "add");
    const rn = gpSp(rnName, "add");
    return this.ref("lo12", 0x91000000 | (rn.n << 5) | rd.n, label);
  }

  // ---- branches --------------------------------------------------------------------------

  b(t: Target): this { return this.ref("b26", 0x14000000, t); }
  bl(t: Target): this { return this.ref("b26", 0x94000000, t); }
  b_cond(c: Cond, t: Target): this { return this.ref("imm19", 0x54000000 | cond(c), t); }
  b_eq(t: Target): this { return this.b_cond("eq", t); }
  b_ne(t: Target): this { return this.b_cond("ne", t); }
  b_cs(t: Target): this { return this.b_cond("cs", t); }
  b_hs(t: Target): this { return this.b_cond("hs", t); }
  b_cc(t: Target): this { return this.b_cond("cc", t); }
  b_lo(t: Target): this { return this.b_cond("lo", t); }
  b_mi(t: Target): this { return this.b_cond("mi", t); }
  b_pl(t: Target): this { return this.b_cond("pl", t); }
  b_vs(t: Target): this { return this.b_cond("vs", t); }
  b_vc(t: Target): this { return this.b_cond("vc", t); }
  b_hi(t: Target): this { return this.b_cond("hi", t); }
  b_ls(t: Target): this { return this.b_cond("ls", t); }
  b_ge(t: Target): this { return this.b_cond("ge", t); }
  b_lt(t: Target): this { return this.b_cond("lt", t); }
  b_gt(t: Target): this { return this.b_cond("gt", t); }
  b_le(t: Target): this { return this.b_cond("le", t); }
  b_al(t: Target): this { return this.b_cond("al", t); }
  cbz(rt: GpReg, t: Target): this { const r = gpZr(rt); return this.ref("imm19", (r.sf << 31) | 0x34000000 | r.n, t); }
  cbnz(rt: GpReg, t: Target): this { const r = gpZr(rt); return this.ref("imm19", (r.sf << 31) | 0x35000000 | r.n, t); }
  private tb(op: number, rtName: string, bit: number, t: Target): this {
    const r = gpZr(rtName);
    checkImm("tbz/tbnz bit", bit, 0, r.sf ? 63 : 31);
    return this.ref("imm14", ((bit >> 5) << 31) | op | ((bit & 31) << 19) | r.n, t);
  }
  tbz(rt: GpReg, bit: number, t: Target): this { return this.tb(0x36000000, rt, bit, t); }
  tbnz(rt: GpReg, bit: number, t: Target): this { return this.tb(0x37000000, rt, bit, t); }
  br(rn: XReg): this { return this.inst(0xd61f0000 | (gpZr(rn).n << 5)); }
  blr(rn: XReg): this { return this.inst(0xd63f0000 | (gpZr(rn).n << 5)); }
  ret(rn: XReg = "x30"): this { return this.inst(0xd65f0000 | (gpZr(rn).n << 5)); }

  // ---- loads and stores ------------------------------------------------------------------

  /** [size, V, opc] for the immediate/register forms, and the access size in bytes. */
  private lsShape(op: string, rtName: string): { size: number; V: number; opc: number; bytes: number; unscaledOnly: boolean } {
    const unscaled = /^(ld|st)ur/.test(op);
    const base = op.replace(/^(ld|st)ur/, "$1r");
    const load = base.startsWith("ld") ? 1 : 0;
    if (isFpName(rtName)) {
      if (base !== "ldr" && base !== "str") throw new AsmError(`${op}: ${rtName} is not a general register`);
      const f = fp(rtName);
      const size = { b: 0, h: 1, s: 2, d: 3, q: 0 }[f.size];
      const opc = f.size === "q" ? 2 | load : load;
      return { size, V: 1, opc, bytes: { b: 1, h: 2, s: 4, d: 8, q: 16 }[f.size], unscaledOnly: unscaled };
    }
    const rt = gpZr(rtName, op);
    switch (base) {
      case "ldr": case "str": return { size: rt.sf ? 3 : 2, V: 0, opc: load, bytes: rt.sf ? 8 : 4, unscaledOnly: unscaled };
      case "ldrb": case "strb": case "ldrh": case "strh":
        if (rt.sf) throw new AsmError(`${op}: needs a w register`);
        return { size: base.endsWith("b") ? 0 : 1, V: 0, opc: load, bytes: base.endsWith("b") ? 1 : 2, unscaledOnly: unscaled };
      case "ldrsb": case "ldrsh": {
        const b = base.endsWith("b") ? 1 : 2;
        return { size: b - 1, V: 0, opc: rt.sf ? 2 : 3, bytes: b, unscaledOnly: unscaled };
      }
      case "ldrsw":
        if (!rt.sf) throw new AsmError(`${op}: needs an x register`);
        return { size: 2, V: 0, opc: 2, bytes: 4, unscaledOnly: unscaled };
    }
    throw new AsmError(`unknown load/store ${op}`);
  }

  private loadStore(op: LoadStoreOp, rtName: string, mem: Mem | string, wb?: Writeback): this {
    const s = this.lsShape(op, rtName);
    const rt = isFpName(rtName) ? fp(rtName).n : gp(rtName).n;
    if (typeof mem === "string") {
      // literal
      if (s.unscaledOnly || wb !== undefined) throw new AsmError(`${op}: no literal form`);
      let opc: number;
      if (s.V) opc = s.bytes === 4 ? 0 : s.bytes === 8 ? 1 : s.bytes === 16 ? 2 : -1;
      else if (op === "ldr") opc = s.bytes === 8 ? 1 : 0;
      else if (op === "ldrsw") opc = 2;
      else opc = -1;
      if (opc < 0) throw new AsmError(`${op} ${rtName}: no literal form`);
      return this.ref("imm19", (opc << 30) | 0x18000000 | (s.V << 26) | rt, mem);
    }
    const rn = gpSp(mem[0], op).n;
    const head = (s.size << 30) | 0x38000000 | (s.V << 26) | (s.opc << 22) | (rn << 5) | rt;
    const scale = Math.log2(s.bytes);
    if (typeof mem[1] === "string") {
      if (wb !== undefined || s.unscaledOnly) throw new AsmError(`${op}: register offset cannot have writeback`);
      const rm = gpZr(mem[1], op);
      const m = mem[2] === undefined ? undefined : modifier(mem[2]);
      let option = 3;
      if (m && m.kind !== "lsl") {
        if (!["uxtw", "sxtw", "sxtx"].includes(m.kind)) throw new AsmError(`${op}: bad extend ${m.kind}`);
        option = EXTENDS[m.kind as "uxtw"];
      } else if (m && !m.explicit) throw new AsmError(`${op}: lsl needs an amount`);
      if (((option & 1) === 1) !== (rm.sf === 1)) throw new AsmError(`${op}: ${mem[1]} has the wrong width for ${m?.kind ?? "lsl"}`);
      const amount = m?.amount ?? 0;
      if (amount !== 0 && amount !== scale) throw new AsmError(`${op}: shift must be 0 or ${scale}`);
      const S = s.bytes === 1 ? (m?.explicit ? 1 : 0) : amount === scale && m?.explicit ? 1 : 0;
      return this.inst(head | 0x00200800 | (rm.n << 16) | (option << 13) | (S << 12));
    }
    const off = mem[1] ?? 0;
    if (wb === "!" || typeof wb === "number") {
      if (s.unscaledOnly) throw new AsmError(`${op}: no writeback form`);
      const imm = wb === "!" ? off : wb;
      if (wb !== "!" && mem.length > 1) throw new AsmError(`${op}: post-index takes [base] only`);
      checkImm(`${op} writeback offset`, imm, -256, 255);
      return this.inst(head | (field(imm, 9) << 12) | ((wb === "!" ? 3 : 1) << 10));
    }
    if (!s.unscaledOnly && off >= 0 && off % s.bytes === 0 && off / s.bytes < 4096) {
      return this.inst(head | 0x01000000 | ((off / s.bytes) << 10));
    }
    checkImm(`${op} offset`, off, -256, 255);
    return this.inst(head | (field(off, 9) << 12));
  }

  ldr(rt: GpReg | SimdScalar, mem: Mem | string, wb?: Writeback): this { return this.loadStore("ldr", rt, mem, wb); }
  str(rt: GpReg | SimdScalar, mem: Mem, wb?: Writeback): this { return this.loadStore("str", rt, mem, wb); }
  ldrb(rt: WReg, mem: Mem, wb?: Writeback): this { return this.loadStore("ldrb", rt, mem, wb); }
  strb(rt: WReg, mem: Mem, wb?: Writeback): this { return this.loadStore("strb", rt, mem, wb); }
  ldrh(rt: WReg, mem: Mem, wb?: Writeback): this { return this.loadStore("ldrh", rt, mem, wb); }
  strh(rt: WReg, mem: Mem, wb?: Writeback): this { return this.loadStore("strh", rt, mem, wb); }
  ldrsb(rt: GpReg, mem: Mem, wb?: Writeback): this { return this.loadStore("ldrsb", rt, mem, wb); }
  ldrsh(rt: GpReg, mem: Mem, wb?: Writeback): this { return this.loadStore("ldrsh", rt, mem, wb); }
  ldrsw(rt: XReg, mem: Mem | string, wb?: Writeback): this { return this.loadStore("ldrsw", rt, mem, wb); }
  ldur(rt: GpReg | SimdScalar, mem: Mem): this { return this.loadStore("ldur", rt, mem); }
  stur(rt: GpReg | SimdScalar, mem: Mem): this { return this.loadStore("stur", rt, mem); }
  ldurb(rt: WReg, mem: Mem): this { return this.loadStore("ldurb", rt, mem); }
  sturb(rt: WReg, mem: Mem): this { return this.loadStore("sturb", rt, mem); }
  ldurh(rt: WReg, mem: Mem): this { return this.loadStore("ldurh", rt, mem); }
  sturh(rt: WReg, mem: Mem): this { return this.loadStore("sturh", rt, mem); }
  ldursb(rt: GpReg, mem: Mem): this { return this.loadStore("ldursb", rt, mem); }
  ldursh(rt: GpReg, mem: Mem): this { return this.loadStore("ldursh", rt, mem); }
  ldursw(rt: XReg, mem: Mem): this { return this.loadStore("ldursw", rt, mem); }

  private pair(L: 0 | 1, signed: boolean, r1: string, r2: string, mem: Mem, wb?: Writeback): this {
    let opc: number;
    let V = 0;
    let bytes: number;
    let n1: number;
    let n2: number;
    if (isFpName(r1)) {
      const a = fp(r1);
      const b = fp(r2);
      if (a.size !== b.size || signed) throw new AsmError("ldp/stp: registers differ");
      opc = { s: 0, d: 1, q: 2 }[a.size as "s"] ?? -1;
      if (opc < 0) throw new AsmError("ldp/stp: s, d or q registers");
      V = 1;
      bytes = 4 << opc;
      n1 = a.n;
      n2 = b.n;
    } else {
      const a = gpZr(r1);
      const b = gpZr(r2);
      if (a.sf !== b.sf) throw new AsmError("ldp/stp: registers differ in width");
      if (signed && !a.sf) throw new AsmError("ldpsw: x registers");
      opc = signed ? 1 : a.sf ? 2 : 0;
      bytes = signed ? 4 : a.sf ? 8 : 4;
      n1 = a.n;
      n2 = b.n;
    }
    if (typeof mem[1] === "string") throw new AsmError("ldp/stp: no register offset");
    const rn = gpSp(mem[0]).n;
    const off = wb === undefined || wb === "!" ? (mem[1] ?? 0) : wb;
    if (typeof wb === "number" && mem.length > 1) throw new AsmError("ldp/stp: post-index takes [base] only");
    checkImm("ldp/stp offset", off, -64 * bytes, 63 * bytes, bytes);
    const mode = wb === undefined ? 2 : wb === "!" ? 3 : 1;
    return this.inst((opc << 30) | 0x28000000 | (V << 26) | (mode << 23) | (L << 22) | (field(off / bytes, 7) << 15) | (n2 << 10) | (rn << 5) | n1);
  }
  ldp(rt1: GpReg | SimdScalar, rt2: GpReg | SimdScalar, mem: Mem, wb?: Writeback): this { return this.pair(1, false, rt1, rt2, mem, wb); }
  stp(rt1: GpReg | SimdScalar, rt2: GpReg | SimdScalar, mem: Mem, wb?: Writeback): this { return this.pair(0, false, rt1, rt2, mem, wb); }
  ldpsw(rt1: XReg, rt2: XReg, mem: Mem, wb?: Writeback): this { return this.pair(1, true, rt1, rt2, mem, wb); }

  private baseOnly(mem: Mem, what: string): number {
    if (mem.length > 1 && mem[1] !== 0) throw new AsmError(`${what}: the address is [base] only`);
    return gpSp(mem[0], what).n;
  }

  /** Load/store exclusive and acquire/release (size from the register, or b/h suffix). */
  private excl(sizeSuffix: "" | "b" | "h", o2: number, L: number, o1: number, o0: number, rs: string | undefined, rt: string, rt2: string | undefined, mem: Mem, what: string): this {
    const t = gpZr(rt, what);
    const size = sizeSuffix === "b" ? 0 : sizeSuffix === "h" ? 1 : t.sf ? 3 : 2;
    if (sizeSuffix && t.sf) throw new AsmError(`${what}: needs a w register`);
    const s = rs === undefined ? 31 : gpZr(rs, what).n;
    if (rs !== undefined && gp(rs).sf) throw new AsmError(`${what}: the status register is a w register`);
    const t2 = rt2 === undefined ? 31 : gpZr(rt2, what).n;
    const rn = this.baseOnly(mem, what);
    return this.inst((size << 30) | 0x08000000 | (o2 << 23) | (L << 22) | (o1 << 21) | (s << 16) | (o0 << 15) | (t2 << 10) | (rn << 5) | t.n);
  }
  ldxr(rt: GpReg, mem: Mem): this { return this.excl("", 0, 1, 0, 0, undefined, rt, undefined, mem, "ldxr"); }
  ldaxr(rt: GpReg, mem: Mem): this { return this.excl("", 0, 1, 0, 1, undefined, rt, undefined, mem, "ldaxr"); }
  stxr(rs: WReg, rt: GpReg, mem: Mem): this { return this.excl("", 0, 0, 0, 0, rs, rt, undefined, mem, "stxr"); }
  stlxr(rs: WReg, rt: GpReg, mem: Mem): this { return this.excl("", 0, 0, 0, 1, rs, rt, undefined, mem, "stlxr"); }
  ldxrb(rt: WReg, mem: Mem): this { return this.excl("b", 0, 1, 0, 0, undefined, rt, undefined, mem, "ldxrb"); }
  ldxrh(rt: WReg, mem: Mem): this { return this.excl("h", 0, 1, 0, 0, undefined, rt, undefined, mem, "ldxrh"); }
  stxrb(rs: WReg, rt: WReg, mem: Mem): this { return this.excl("b", 0, 0, 0, 0, rs, rt, undefined, mem, "stxrb"); }
  stxrh(rs: WReg, rt: WReg, mem: Mem): this { return this.excl("h", 0, 0, 0, 0, rs, rt, undefined, mem, "stxrh"); }
  ldaxrb(rt: WReg, mem: Mem): this { return this.excl("b", 0, 1, 0, 1, undefined, rt, undefined, mem, "ldaxrb"); }
  stlxrb(rs: WReg, rt: WReg, mem: Mem): this { return this.excl("b", 0, 0, 0, 1, rs, rt, undefined, mem, "stlxrb"); }
  ldxp(rt: GpReg, rt2: GpReg, mem: Mem): this { return this.excl("", 0, 1, 1, 0, undefined, rt, rt2, mem, "ldxp"); }
  ldaxp(rt: GpReg, rt2: GpReg, mem: Mem): this { return this.excl("", 0, 1, 1, 1, undefined, rt, rt2, mem, "ldaxp"); }
  stxp(rs: WReg, rt: GpReg, rt2: GpReg, mem: Mem): this { return this.excl("", 0, 0, 1, 0, rs, rt, rt2, mem, "stxp"); }
  stlxp(rs: WReg, rt: GpReg, rt2: GpReg, mem: Mem): this { return this.excl("", 0, 0, 1, 1, rs, rt, rt2, mem, "stlxp"); }
  ldar(rt: GpReg, mem: Mem): this { return this.excl("", 1, 1, 0, 1, undefined, rt, undefined, mem, "ldar"); }
  stlr(rt: GpReg, mem: Mem): this { return this.excl("", 1, 0, 0, 1, undefined, rt, undefined, mem, "stlr"); }
  ldarb(rt: WReg, mem: Mem): this { return this.excl("b", 1, 1, 0, 1, undefined, rt, undefined, mem, "ldarb"); }
  stlrb(rt: WReg, mem: Mem): this { return this.excl("b", 1, 0, 0, 1, undefined, rt, undefined, mem, "stlrb"); }
  ldarh(rt: WReg, mem: Mem): this { return this.excl("h", 1, 1, 0, 1, undefined, rt, undefined, mem, "ldarh"); }
  stlrh(rt: WReg, mem: Mem): this { return this.excl("h", 1, 0, 0, 1, undefined, rt, undefined, mem, "stlrh"); }

  /** LSE atomic memory operations (Armv8.1; not on Cortex-A57): ldadd x0, x1, [x2] is atomic(\"ldadd\", \"\", \"x0\", \"x1\", [\"x2\"]). */
  atomic(op: AtomicOp, order: AtomicOrder, rsName: GpReg, rtName: GpReg, mem: Mem, sizeSuffix: "" | "b" | "h" = ""): this {
    const rs = gpZr(rsName, op);
    const rt = gpZr(rtName, op);
    if (rs.sf !== rt.sf || (sizeSuffix && rs.sf)) throw new AsmError(`${op}: register widths`);
    const size = sizeSuffix === "b" ? 0 : sizeSuffix === "h" ? 1 : rs.sf ? 3 : 2;
    const [o3, opc] = ATOMIC[op];
    const A = order === "a" || order === "al" ? 1 : 0;
    const R = order === "l" || order === "al" ? 1 : 0;
    const rn = this.baseOnly(mem, op);
    return this.inst((size << 30) | 0x38200000 | (A << 23) | (R << 22) | (rs.n << 16) | (o3 << 15) | (opc << 12) | (rn << 5) | rt.n);
  }
  ldadd(rs: GpReg, rt: GpReg, mem: Mem, order: AtomicOrder = ""): this { return this.atomic("ldadd", order, rs, rt, mem); }
  ldclr(rs: GpReg, rt: GpReg, mem: Mem, order: AtomicOrder = ""): this { return this.atomic("ldclr", order, rs, rt, mem); }
  ldeor(rs: GpReg, rt: GpReg, mem: Mem, order: AtomicOrder = ""): this { return this.atomic("ldeor", order, rs, rt, mem); }
  ldset(rs: GpReg, rt: GpReg, mem: Mem, order: AtomicOrder = ""): this { return this.atomic("ldset", order, rs, rt, mem); }
  swp(rs: GpReg, rt: GpReg, mem: Mem, order: AtomicOrder = ""): this { return this.atomic("swp", order, rs, rt, mem); }
  /** CAS (Armv8.1 LSE): compare with rs, store rt, old value into rs. */
  cas(rsName: GpReg, rtName: GpReg, mem: Mem, order: AtomicOrder = "", sizeSuffix: "" | "b" | "h" = ""): this {
    const rs = gpZr(rsName, "cas");
    const rt = gpZr(rtName, "cas");
    if (rs.sf !== rt.sf) throw new AsmError("cas: register widths");
    const size = sizeSuffix === "b" ? 0 : sizeSuffix === "h" ? 1 : rs.sf ? 3 : 2;
    const L = order === "a" || order === "al" ? 1 : 0;
    const o0 = order === "l" || order === "al" ? 1 : 0;
    const rn = this.baseOnly(mem, "cas");
    return this.inst((size << 30) | 0x08a07c00 | (L << 22) | (rs.n << 16) | (o0 << 15) | (rn << 5) | rt.n);
  }

  // ---- system ----------------------------------------------------------------------------

  mrs(rt: XReg, reg: SysregMnemonic | string): this {
    const [op0, op1, crn, crm, op2] = sysreg(reg);
    return this.inst(0xd5200000 | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | gpZr(rt, "mrs").n);
  }
  /** msr sysreg, xN; or msr spsel/daifset/daifclr, #imm. */
  msr(reg: SysregMnemonic | PstateField | string, src: XReg | number): this {
    if (typeof src === "number") {
      const f = (PSTATE_FIELDS as Record<string, readonly [number, number]>)[reg.toLowerCase()];
      if (!f) throw new AsmError(`msr: ${reg} is not a PSTATE field`);
      checkImm("msr immediate", src, 0, 15);
      return this.inst(0xd500401f | (f[0] << 16) | (src << 8) | (f[1] << 5));
    }
    const [op0, op1, crn, crm, op2] = sysreg(reg);
    return this.inst(0xd5000000 | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | gpZr(src, "msr").n);
  }
  private exc(base: number, imm: number): this {
    checkImm("imm16", imm, 0, 0xffff);
    return this.inst(base | (imm << 5));
  }
  svc(imm: number): this { return this.exc(0xd4000001, imm); }
  hvc(imm: number): this { return this.exc(0xd4000002, imm); }
  smc(imm: number): this { return this.exc(0xd4000003, imm); }
  brk(imm: number): this { return this.exc(0xd4200000, imm); }
  hlt(imm: number): this { return this.exc(0xd4400000, imm); }
  eret(): this { return this.inst(0xd69f03e0); }
  nop(): this { return this.inst(0xd503201f); }
  yield(): this { return this.inst(0xd503203f); }
  wfe(): this { return this.inst(0xd503205f); }
  wfi(): this { return this.inst(0xd503207f); }
  sev(): this { return this.inst(0xd503209f); }
  sevl(): this { return this.inst(0xd50320bf); }
  private barrier(base: number, opt: BarrierOption | number): this {
    const crm = typeof opt === "number" ? opt : BARRIERS[opt];
    if (crm === undefined) throw new AsmError(`bad barrier option ${opt}`);
    checkImm("barrier option", crm, 0, 15);
    return this.inst(base | (crm << 8));
  }
  dmb(opt: BarrierOption | number = "sy"): this { return this.barrier(0xd50330bf, opt); }
  dsb(opt: BarrierOption | number = "sy"): this { return this.barrier(0xd503309f, opt); }
  isb(): this { return this.inst(0xd5033fdf); }
  /** DC (data cache maintenance by address); zva zeroes a DCZID-sized block (64 bytes on Cortex-A57). */
  dc(op: "zva" | "civac" | "cvac" | "cvau" | "ivac", rt: XReg): this {
    const [op1, crm] = { zva: [3, 4], civac: [3, 14], cvac: [3, 10], cvau: [3, 11], ivac: [0, 6] }[op] as [number, number];
    return this.inst(0xd5087020 | (op1 << 16) | (crm << 8) | gpZr(rt, "dc").n);
  }
  /** IC: iallu, ialluis (no register) or ivau with an address. */
  ic(op: "iallu" | "ialluis" | "ivau", rt: XReg = "xzr"): this {
    const [op1, crm, op2] = { iallu: [0, 5, 0], ialluis: [0, 1, 0], ivau: [3, 5, 1] }[op] as [number, number, number];
    return this.inst(0xd5087000 | (op1 << 16) | (crm << 8) | (op2 << 5) | gpZr(rt, "ic").n);
  }
  clrex(imm = 15): this { return this.barrier(0xd503305f, imm); }

  // ---- floating point --------------------------------------------------------------------

  /**
   * fmov: FP register to FP register, general to FP and back (w<->s, x<->d, x<->v.d[1]),
   * or an immediate that the 8-bit FP immediate can express.
   */
  fmov(rd: FpReg | GpReg | VecReg, src: FpReg | GpReg | VecReg | number): this {
    if (typeof src === "number") {
      const d = fp(rd);
      const imm8 = encodeFpImm8(src);
      if (imm8 === undefined) throw new AsmError(`fmov: ${src} is not an 8-bit FP immediate`);
      return this.inst(0x1e201000 | (ftype(d, "fmov") << 22) | (imm8 << 13) | d.n);
    }
    if (isFpName(rd) && isFpName(src)) return this.fp1("fmov", rd as FpReg, src as FpReg);
    if (rd.startsWith("v") || src.startsWith("v")) {
      // x <-> v.d[1]
      const toGp = isGpName(rd);
      const v = vec(toGp ? src : rd);
      const g = gpZr(toGp ? rd : src, "fmov");
      if (!v.element || v.element.size !== "d" || v.element.index !== 1 || !g.sf) throw new AsmError("fmov: only xN <-> vN.d[1]");
      return this.inst(0x9ea00000 | ((toGp ? 6 : 7) << 16) | (1 << 19) | ((toGp ? v.n : g.n) << 5) | (toGp ? g.n : v.n));
    }
    const toGp = isGpName(rd);
    const g = gpZr(toGp ? rd : src, "fmov");
    const f = fp(toGp ? src : rd);
    const type = ftype(f, "fmov");
    if ((g.sf === 1) !== (type === 1)) throw new AsmError("fmov: w pairs with s, x with d");
    return this.inst((g.sf << 31) | 0x1e200000 | (type << 22) | ((toGp ? 6 : 7) << 16) | ((toGp ? f.n : g.n) << 5) | (toGp ? g.n : f.n));
  }

  private fp2(op: FpOp2, rdName: string, rnName: string, rmName: string): this {
    const d = fp(rdName);
    const n = fp(rnName);
    const m = fp(rmName);
    if (d.size !== n.size || d.size !== m.size) throw new AsmError(`${op}: registers differ in size`);
    return this.inst(0x1e200800 | (ftype(d, op) << 22) | (m.n << 16) | (FP2[op] << 12) | (n.n << 5) | d.n);
  }
  fadd(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fadd", rd, rn, rm); }
  fsub(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fsub", rd, rn, rm); }
  fmul(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fmul", rd, rn, rm); }
  fdiv(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fdiv", rd, rn, rm); }
  fmax(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fmax", rd, rn, rm); }
  fmin(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fmin", rd, rn, rm); }
  fmaxnm(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fmaxnm", rd, rn, rm); }
  fminnm(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fminnm", rd, rn, rm); }
  fnmul(rd: FpReg, rn: FpReg, rm: FpReg): this { return this.fp2("fnmul", rd, rn, rm); }

  private fp1(op: FpOp1, rdName: string, rnName: string): this {
    const d = fp(rdName);
    const n = fp(rnName);
    if (d.size !== n.size) throw new AsmError(`${op}: registers differ in size`);
    return this.inst(0x1e204000 | (ftype(d, op) << 22) | (FP1[op] << 15) | (n.n << 5) | d.n);
  }
  fabs(rd: FpReg, rn: FpReg): this { return this.fp1("fabs", rd, rn); }
  fneg(rd: FpReg, rn: FpReg): this { return this.fp1("fneg", rd, rn); }
  fsqrt(rd: FpReg, rn: FpReg): this { return this.fp1("fsqrt", rd, rn); }
  frintn(rd: FpReg, rn: FpReg): this { return this.fp1("frintn", rd, rn); }
  frintp(rd: FpReg, rn: FpReg): this { return this.fp1("frintp", rd, rn); }
  frintm(rd: FpReg, rn: FpReg): this { return this.fp1("frintm", rd, rn); }
  frintz(rd: FpReg, rn: FpReg): this { return this.fp1("frintz", rd, rn); }
  frinta(rd: FpReg, rn: FpReg): this { return this.fp1("frinta", rd, rn); }
  frintx(rd: FpReg, rn: FpReg): this { return this.fp1("frintx", rd, rn); }
  frinti(rd: FpReg, rn: FpReg): this { return this.fp1("frinti", rd, rn); }
  /** fcvt between single and double. */
  fcvt(rdName: FpReg, rnName: FpReg): this {
    const d = fp(rdName);
    const n = fp(rnName);
    if (d.size === n.size) throw new AsmError("fcvt: converts between sizes");
    const opc = { s: 0, d: 1, h: 3 }[d.size as "s"];
    return this.inst(0x1e204000 | (ftype(n, "fcvt") << 22) | ((4 | opc) << 15) | (n.n << 5) | d.n);
  }

  private fp3(o1: number, o0: number, rdName: string, rnName: string, rmName: string, raName: string): this {
    const d = fp(rdName);
    const [n, m, a] = [fp(rnName), fp(rmName), fp(raName)];
    if (n.size !== d.size || m.size !== d.size || a.size !== d.size) throw new AsmError("fmadd: registers differ in size");
    return this.inst(0x1f000000 | (ftype(d, "fmadd") << 22) | (o1 << 21) | (m.n << 16) | (o0 << 15) | (a.n << 10) | (n.n << 5) | d.n);
  }
  fmadd(rd: FpReg, rn: FpReg, rm: FpReg, ra: FpReg): this { return this.fp3(0, 0, rd, rn, rm, ra); }
  fmsub(rd: FpReg, rn: FpReg, rm: FpReg, ra: FpReg): this { return this.fp3(0, 1, rd, rn, rm, ra); }
  fnmadd(rd: FpReg, rn: FpReg, rm: FpReg, ra: FpReg): this { return this.fp3(1, 0, rd, rn, rm, ra); }
  fnmsub(rd: FpReg, rn: FpReg, rm: FpReg, ra: FpReg): this { return this.fp3(1, 1, rd, rn, rm, ra); }

  private fcmp_(e: number, rnName: string, rm: FpReg | number): this {
    const n = fp(rnName);
    if (typeof rm === "number") {
      if (rm !== 0) throw new AsmError("fcmp: the only immediate is 0.0");
      return this.inst(0x1e202008 | (ftype(n, "fcmp") << 22) | (n.n << 5) | (e << 4));
    }
    const m = fp(rm);
    if (m.size !== n.size) throw new AsmError("fcmp: registers differ in size");
    return this.inst(0x1e202000 | (ftype(n, "fcmp") << 22) | (m.n << 16) | (n.n << 5) | (e << 4));
  }
  fcmp(rn: FpReg, rm: FpReg | number): this { return this.fcmp_(0, rn, rm); }
  fcmpe(rn: FpReg, rm: FpReg | number): this { return this.fcmp_(1, rn, rm); }
  fcsel(rdName: FpReg, rnName: FpReg, rmName: FpReg, c: Cond): this {
    const d = fp(rdName);
    const [n, m] = [fp(rnName), fp(rmName)];
    if (n.size !== d.size || m.size !== d.size) throw new AsmError("fcsel: registers differ in size");
    return this.inst(0x1e200c00 | (ftype(d, "fcsel") << 22) | (m.n << 16) | (cond(c) << 12) | (n.n << 5) | d.n);
  }

  private fcvtInt(op: FpCvtOp, rdName: string, rnName: string): this {
    const d = gpZr(rdName, op);
    const n = fp(rnName);
    const [rmode, opcode] = FCVT[op];
    return this.inst((d.sf << 31) | 0x1e200000 | (ftype(n, op) << 22) | (rmode << 19) | (opcode << 16) | (n.n << 5) | d.n);
  }
  fcvtzs(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtzs", rd, rn); }
  fcvtzu(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtzu", rd, rn); }
  fcvtns(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtns", rd, rn); }
  fcvtnu(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtnu", rd, rn); }
  fcvtms(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtms", rd, rn); }
  fcvtmu(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtmu", rd, rn); }
  fcvtps(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtps", rd, rn); }
  fcvtpu(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtpu", rd, rn); }
  fcvtas(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtas", rd, rn); }
  fcvtau(rd: GpReg, rn: FpReg): this { return this.fcvtInt("fcvtau", rd, rn); }
  private cvtf(opcode: number, rdName: string, rnName: string): this {
    const d = fp(rdName);
    const n = gpZr(rnName, "cvtf");
    return this.inst((n.sf << 31) | 0x1e200000 | (ftype(d, "cvtf") << 22) | (opcode << 16) | (n.n << 5) | d.n);
  }
  scvtf(rd: FpReg, rn: GpReg): this { return this.cvtf(2, rd, rn); }
  ucvtf(rd: FpReg, rn: GpReg): this { return this.cvtf(3, rd, rn); }

  // ---- a few Advanced SIMD instructions ---------------------------------------------------

  private vecLogic(opU: number, size: number, rdName: string, rnName: string, rmName: string): this {
    const d = vec(rdName);
    const n = vec(rnName);
    const m = vec(rmName);
    if (!["8b", "16b"].includes(d.arrangement) || n.arrangement !== d.arrangement || m.arrangement !== d.arrangement) {
      throw new AsmError("vector logic: 8b or 16b arrangements");
    }
    const Q = d.arrangement === "16b" ? 1 : 0;
    return this.inst((Q << 30) | (opU << 29) | 0x0e201c00 | (size << 22) | (m.n << 16) | (n.n << 5) | d.n);
  }
  private vecArith(U: number, rdName: string, rnName: string, rmName: string): this {
    const d = vec(rdName);
    const n = vec(rnName);
    const m = vec(rmName);
    if (n.arrangement !== d.arrangement || m.arrangement !== d.arrangement || d.arrangement === "1d" || !d.arrangement) throw new AsmError("vector add/sub: arrangements");
    const Q = ["16b", "8h", "4s", "2d"].includes(d.arrangement) ? 1 : 0;
    const size = { b: 0, h: 1, s: 2, d: 3 }[d.arrangement.slice(-1) as "b"];
    return this.inst((Q << 30) | (U << 29) | 0x0e208400 | (size << 22) | (m.n << 16) | (n.n << 5) | d.n);
  }
  private imm5(e: { size: "b" | "h" | "s" | "d"; index: number }): number {
    const s = { b: 0, h: 1, s: 2, d: 3 }[e.size];
    checkImm("element index", e.index, 0, (16 >> s) - 1);
    return ((e.index << (s + 1)) | (1 << s)) & 31;
  }
  /** umov wN/xN, vM.<T>[i] (mov for s and d elements). */
  umov(rdName: GpReg, vnName: VecReg): this {
    const d = gpZr(rdName, "umov");
    const v = vec(vnName);
    if (!v.element) throw new AsmError("umov: needs an element");
    if ((v.element.size === "d") !== (d.sf === 1)) throw new AsmError("umov: x with d elements, w with the others");
    return this.inst((d.sf << 30) | 0x0e003c00 | (this.imm5(v.element) << 16) | (v.n << 5) | d.n);
  }
  /** ins vD.<T>[i], wN/xN (mov from a general register). */
  ins(vdName: VecReg, rnName: GpReg): this {
    const v = vec(vdName);
    const n = gpZr(rnName, "ins");
    if (!v.element) throw new AsmError("ins: needs an element");
    return this.inst(0x4e001c00 | (this.imm5(v.element) << 16) | (n.n << 5) | v.n);
  }
  /** dup vD.<T>, wN/xN. */
  dup(vdName: VecReg, rnName: GpReg): this {
    const v = vec(vdName);
    const n = gpZr(rnName, "dup");
    const size = v.arrangement.slice(-1) as "b" | "h" | "s" | "d";
    const Q = ["16b", "8h", "4s", "2d"].includes(v.arrangement) ? 1 : 0;
    if (v.arrangement === "1d" || !v.arrangement) throw new AsmError("dup: arrangement");
    return this.inst((Q << 30) | 0x0e000c00 | (this.imm5({ size, index: 0 }) << 16) | (n.n << 5) | v.n);
  }
}
