// A RISC-V assembler as a TypeScript builder, so the project's guest programs are ordinary
// code: `const p = new Program(); p.label("loop"); p.addi("a0", "a0", 1); p.bnez("a0", "loop");`.
//
// Methods mirror GNU as operand order (`ld rd, off(rs1)` is `p.ld(rd, off, rs1)`; AMOs are
// `p.amoadd_d(rd, rs2, rs1, "aqrl")`), dots in mnemonics become underscores. Labels may be
// used before they are defined: such references are fixed up by assemble(). Every
// instruction has a fixed size when it is emitted (no relaxation), so addresses never move:
// - 32-bit RV64G encodings, or with `compressed: true` the RVC form GNU as would pick for
//   instructions whose operands are all known (forward branches stay 32-bit);
// - `li` expands to a size that depends only on its constant, `la` is always auipc+addi,
//   `call`/`j` are a single jal (±1 MiB, plenty for these programs).

import * as C from "./compress.js";
import { ProgramImage, type AssembledImage } from "@vmstate/core";
import { AsmError, checkImm, encB, encI, encJ, encR, encR4, encS, encU, hiLo, OP } from "./encode.js";
import { liSteps } from "./li.js";
import { csrnum, fnum, ROUNDING, xnum, type AmoOrder, type Csr, type FReg, type RoundingMode, type XReg } from "./regs.js";

export { AsmError } from "./encode.js";

/** A jump or branch target: a label name, or a byte offset relative to the instruction. */
export type Target = string | number;

export interface ProgramOptions {
  /** Address of the first byte (default 0x80000000, where QEMU's virt loads -kernel with -bios none). */
  base?: bigint;
  /** Emit RVC encodings where GNU as would (default false). */
  compressed?: boolean;
}

export type Assembled = AssembledImage;

type Fixup =
  | { kind: "branch"; at: number; label: string; word: number }
  | { kind: "jal"; at: number; label: string; word: number }
  | { kind: "pcrel"; at: number; label: string; rd: number };

/**
 * The rounding mode GNU as writes for conversions that are always exact (fcvt.d.s,
 * fcvt.d.w, fcvt.d.wu) when none is given. The value is what binutils 2.40 emits.
 */
const EXACT_RM: RoundingMode = "rne";

const FMT_S = 0;
const FMT_D = 1;

export class Program extends ProgramImage<Fixup> {
  readonly compressed: boolean;

  constructor(options: ProgramOptions = {}) {
    super(options.base ?? 0x8000_0000n);
    this.compressed = options.compressed ?? false;
  }

  protected patch(view: DataView, f: Fixup, target: number): void {
    const off = target - f.at;
    switch (f.kind) {
      case "branch": view.setUint32(f.at, (f.word | encB(0, 0, 0, 0, off)) >>> 0, true); break;
      case "jal": view.setUint32(f.at, (f.word | encJ(0, 0, off)) >>> 0, true); break;
      case "pcrel": {
        const { hi, lo } = hiLo(off);
        view.setUint32(f.at, encU(OP.AUIPC, f.rd, hi), true);
        view.setUint32(f.at + 4, encI(OP.OP_IMM, 0, f.rd, f.rd, lo), true);
        break;
      }
    }
  }

  /** nops, with a c.nop for a 2-byte gap (which only a compressed program can have). */
  protected padWithNops(bytes: number): void {
    if (bytes % 2 !== 0) throw new AsmError(`cannot pad ${bytes} bytes with instructions`);
    let pad = bytes;
    if (pad % 4 === 2) {
      this.inst16(0x0001);
      pad -= 2;
    }
    for (; pad > 0; pad -= 4) this.inst32(0x0000_0013);
  }

  /** A raw 32-bit instruction word. */
  inst32(word: number): this {
    this.put(word >>> 0, 4);
    return this;
  }

  /** A raw 16-bit (compressed) instruction. */
  inst16(half: number): this {
    this.put(half & 0xffff, 2);
    return this;
  }

  /** 64-bit data (GNU's .dword); a label name stores that label's absolute address. */
  dword(...v: Array<number | bigint | string>): this {
    return this.quad(...v);
  }

  // ---- emission helpers ------------------------------------------------------------------

  /** The compressed form when compression is on and one exists, else the 32-bit word. */
  private emit(word: number, compressed?: () => number | null): this {
    const half = this.compressed && compressed ? compressed() : null;
    return half === null ? this.inst32(word) : this.inst16(half);
  }

  /** Pc-relative offset of a target that is already known (number, or a label defined earlier). */
  private knownOffset(t: Target): number | undefined {
    if (typeof t === "number") return t;
    const at = this.labels.get(t);
    return at === undefined ? undefined : at - this.len;
  }

  private branch(f3: number, rs1: XReg, rs2: XReg, t: Target): this {
    const a = xnum(rs1);
    const b = xnum(rs2);
    const off = this.knownOffset(t);
    if (off !== undefined) {
      return this.emit(encB(OP.BRANCH, f3, a, b, off), () => (b === 0 && (f3 === 0 || f3 === 1) ? C.cBranchZero(f3 === 1, a, off) : null));
    }
    this.addFixup({ kind: "branch", at: this.len, label: t as string, word: encB(OP.BRANCH, f3, a, b, 0) });
    return this.inst32(0);
  }

  private i(op: number, f3: number, rd: number, rs1: number, imm: number, c?: () => number | null): this {
    return this.emit(encI(op, f3, rd, rs1, imm), c);
  }

  private r(op: number, f3: number, f7: number, rd: number, rs1: number, rs2: number, c?: () => number | null): this {
    return this.emit(encR(op, f3, f7, rd, rs1, rs2), c);
  }

  private shiftImm(op: number, f3: number, hiBits: number, rd: XReg, rs1: XReg, sh: number, max: number, c?: "slli" | "srli" | "srai"): this {
    checkImm("shift amount", sh, 0, max);
    const d = xnum(rd);
    const s = xnum(rs1);
    return this.i(op, f3, d, s, hiBits | sh, c ? () => C.cShiftImm(c, d, s, sh) : undefined);
  }

  private alu(f3: number, f7: number, rd: XReg, rs1: XReg, rs2: XReg, op: number = OP.OP, c?: C.CAluOp): this {
    const d = xnum(rd);
    const a = xnum(rs1);
    const b = xnum(rs2);
    return this.r(op, f3, f7, d, a, b, c ? () => C.cAlu(c, d, a, b) : undefined);
  }

  // ---- RV64I -----------------------------------------------------------------------------

  /** lui with the 20-bit field (0..0xfffff, or -0x80000..-1 as two's complement). */
  lui(rd: XReg, imm20: number): this {
    const d = xnum(rd);
    return this.emit(encU(OP.LUI, d, imm20), () => C.cLui(d, imm20 & 0xfffff));
  }
  auipc(rd: XReg, imm20: number): this {
    return this.inst32(encU(OP.AUIPC, xnum(rd), imm20));
  }
  jal(rd: XReg, t: Target): this {
    const d = xnum(rd);
    const off = this.knownOffset(t);
    if (off !== undefined) return this.emit(encJ(OP.JAL, d, off), () => (d === 0 ? C.cJ(off) : null));
    this.addFixup({ kind: "jal", at: this.len, label: t as string, word: encJ(OP.JAL, d, 0) });
    return this.inst32(0);
  }
  /**
   * `jalr rd, off(rs1)`, never compressed (GNU as compresses only the forms below); the
   * one-operand `jalr rs` is `jalr ra, 0(rs)` and may become c.jalr.
   */
  jalr(rd: XReg, off: number, rs1: XReg): this;
  jalr(rs: XReg): this;
  jalr(rd: XReg, off?: number, rs1?: XReg): this {
    if (off === undefined || rs1 === undefined) {
      const s = xnum(rd);
      return this.i(OP.JALR, 0, 1, s, 0, () => C.cJalr(1, s, 0));
    }
    return this.i(OP.JALR, 0, xnum(rd), xnum(rs1), off);
  }

  beq(rs1: XReg, rs2: XReg, t: Target): this { return this.branch(0, rs1, rs2, t); }
  bne(rs1: XReg, rs2: XReg, t: Target): this { return this.branch(1, rs1, rs2, t); }
  blt(rs1: XReg, rs2: XReg, t: Target): this { return this.branch(4, rs1, rs2, t); }
  bge(rs1: XReg, rs2: XReg, t: Target): this { return this.branch(5, rs1, rs2, t); }
  bltu(rs1: XReg, rs2: XReg, t: Target): this { return this.branch(6, rs1, rs2, t); }
  bgeu(rs1: XReg, rs2: XReg, t: Target): this { return this.branch(7, rs1, rs2, t); }

  private load(f3: number, rd: number, off: number, rs1: XReg, c?: C.CMemOp, op: number = OP.LOAD, float = false): this {
    const s = xnum(rs1);
    return this.i(op, f3, rd, s, off, c ? () => C.cMem(c, rd, off, s, float) : undefined);
  }
  private store(f3: number, rs2: number, off: number, rs1: XReg, c?: C.CMemOp, op: number = OP.STORE, float = false): this {
    const s = xnum(rs1);
    return this.emit(encS(op, f3, s, rs2, off), c ? () => C.cMem(c, rs2, off, s, float) : undefined);
  }

  lb(rd: XReg, off: number, rs1: XReg): this { return this.load(0, xnum(rd), off, rs1); }
  lh(rd: XReg, off: number, rs1: XReg): this { return this.load(1, xnum(rd), off, rs1); }
  lw(rd: XReg, off: number, rs1: XReg): this { return this.load(2, xnum(rd), off, rs1, "lw"); }
  ld(rd: XReg, off: number, rs1: XReg): this { return this.load(3, xnum(rd), off, rs1, "ld"); }
  lbu(rd: XReg, off: number, rs1: XReg): this { return this.load(4, xnum(rd), off, rs1); }
  lhu(rd: XReg, off: number, rs1: XReg): this { return this.load(5, xnum(rd), off, rs1); }
  lwu(rd: XReg, off: number, rs1: XReg): this { return this.load(6, xnum(rd), off, rs1); }
  sb(rs2: XReg, off: number, rs1: XReg): this { return this.store(0, xnum(rs2), off, rs1); }
  sh(rs2: XReg, off: number, rs1: XReg): this { return this.store(1, xnum(rs2), off, rs1); }
  sw(rs2: XReg, off: number, rs1: XReg): this { return this.store(2, xnum(rs2), off, rs1, "sw"); }
  sd(rs2: XReg, off: number, rs1: XReg): this { return this.store(3, xnum(rs2), off, rs1, "sd"); }

  addi(rd: XReg, rs1: XReg, imm: number): this {
    const d = xnum(rd);
    const s = xnum(rs1);
    return this.i(OP.OP_IMM, 0, d, s, imm, () => C.cAddi(d, s, imm));
  }
  slti(rd: XReg, rs1: XReg, imm: number): this { return this.i(OP.OP_IMM, 2, xnum(rd), xnum(rs1), imm); }
  sltiu(rd: XReg, rs1: XReg, imm: number): this { return this.i(OP.OP_IMM, 3, xnum(rd), xnum(rs1), imm); }
  xori(rd: XReg, rs1: XReg, imm: number): this { return this.i(OP.OP_IMM, 4, xnum(rd), xnum(rs1), imm); }
  ori(rd: XReg, rs1: XReg, imm: number): this { return this.i(OP.OP_IMM, 6, xnum(rd), xnum(rs1), imm); }
  andi(rd: XReg, rs1: XReg, imm: number): this {
    const d = xnum(rd);
    const s = xnum(rs1);
    return this.i(OP.OP_IMM, 7, d, s, imm, () => C.cAndi(d, s, imm));
  }
  slli(rd: XReg, rs1: XReg, sh: number): this { return this.shiftImm(OP.OP_IMM, 1, 0, rd, rs1, sh, 63, "slli"); }
  srli(rd: XReg, rs1: XReg, sh: number): this { return this.shiftImm(OP.OP_IMM, 5, 0, rd, rs1, sh, 63, "srli"); }
  srai(rd: XReg, rs1: XReg, sh: number): this { return this.shiftImm(OP.OP_IMM, 5, 0x400, rd, rs1, sh, 63, "srai"); }

  add(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(0, 0x00, rd, rs1, rs2, OP.OP, "add"); }
  sub(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(0, 0x20, rd, rs1, rs2, OP.OP, "sub"); }
  sll(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(1, 0x00, rd, rs1, rs2); }
  slt(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(2, 0x00, rd, rs1, rs2); }
  sltu(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(3, 0x00, rd, rs1, rs2); }
  xor(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(4, 0x00, rd, rs1, rs2, OP.OP, "xor"); }
  srl(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(5, 0x00, rd, rs1, rs2); }
  sra(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(5, 0x20, rd, rs1, rs2); }
  or(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(6, 0x00, rd, rs1, rs2, OP.OP, "or"); }
  and(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(7, 0x00, rd, rs1, rs2, OP.OP, "and"); }

  addiw(rd: XReg, rs1: XReg, imm: number): this {
    const d = xnum(rd);
    const s = xnum(rs1);
    return this.i(OP.OP_IMM_32, 0, d, s, imm, () => C.cAddiw(d, s, imm));
  }
  slliw(rd: XReg, rs1: XReg, sh: number): this { return this.shiftImm(OP.OP_IMM_32, 1, 0, rd, rs1, sh, 31); }
  srliw(rd: XReg, rs1: XReg, sh: number): this { return this.shiftImm(OP.OP_IMM_32, 5, 0, rd, rs1, sh, 31); }
  sraiw(rd: XReg, rs1: XReg, sh: number): this { return this.shiftImm(OP.OP_IMM_32, 5, 0x400, rd, rs1, sh, 31); }
  addw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(0, 0x00, rd, rs1, rs2, OP.OP_32, "addw"); }
  subw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(0, 0x20, rd, rs1, rs2, OP.OP_32, "subw"); }
  sllw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(1, 0x00, rd, rs1, rs2, OP.OP_32); }
  srlw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(5, 0x00, rd, rs1, rs2, OP.OP_32); }
  sraw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(5, 0x20, rd, rs1, rs2, OP.OP_32); }

  /** fence with GNU's default "iorw, iorw"; pred/succ are strings of i, o, r, w. */
  fence(pred = "iorw", succ = "iorw"): this {
    const set = (s: string) => {
      if (!/^[iorw]*$/.test(s)) throw new AsmError(`fence: bad ordering set ${s}`);
      return (s.includes("i") ? 8 : 0) | (s.includes("o") ? 4 : 0) | (s.includes("r") ? 2 : 0) | (s.includes("w") ? 1 : 0);
    };
    return this.inst32(((set(pred) << 24) | (set(succ) << 20) | OP.MISC_MEM) >>> 0);
  }
  fence_i(): this { return this.inst32(0x0000_100f); }
  ecall(): this { return this.inst32(0x0000_0073); }
  ebreak(): this { return this.emit(0x0010_0073, () => C.C_EBREAK); }

  // ---- privileged ------------------------------------------------------------------------

  mret(): this { return this.inst32(0x3020_0073); }
  sret(): this { return this.inst32(0x1020_0073); }
  wfi(): this { return this.inst32(0x1050_0073); }
  sfence_vma(rs1: XReg = "zero", rs2: XReg = "zero"): this { return this.inst32(encR(OP.SYSTEM, 0, 0x09, 0, xnum(rs1), xnum(rs2))); }

  // ---- Zicsr -----------------------------------------------------------------------------

  private csr(f3: number, rd: XReg, csr: Csr, src: number): this {
    return this.inst32(((csrnum(csr) << 20) | (src << 15) | (f3 << 12) | (xnum(rd) << 7) | OP.SYSTEM) >>> 0);
  }
  csrrw(rd: XReg, csr: Csr, rs1: XReg): this { return this.csr(1, rd, csr, xnum(rs1)); }
  csrrs(rd: XReg, csr: Csr, rs1: XReg): this { return this.csr(2, rd, csr, xnum(rs1)); }
  csrrc(rd: XReg, csr: Csr, rs1: XReg): this { return this.csr(3, rd, csr, xnum(rs1)); }
  csrrwi(rd: XReg, csr: Csr, uimm: number): this { return this.csr(5, rd, csr, checkImm("CSR uimm", uimm, 0, 31)); }
  csrrsi(rd: XReg, csr: Csr, uimm: number): this { return this.csr(6, rd, csr, checkImm("CSR uimm", uimm, 0, 31)); }
  csrrci(rd: XReg, csr: Csr, uimm: number): this { return this.csr(7, rd, csr, checkImm("CSR uimm", uimm, 0, 31)); }

  // ---- M ---------------------------------------------------------------------------------

  mul(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(0, 1, rd, rs1, rs2); }
  mulh(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(1, 1, rd, rs1, rs2); }
  mulhsu(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(2, 1, rd, rs1, rs2); }
  mulhu(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(3, 1, rd, rs1, rs2); }
  div(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(4, 1, rd, rs1, rs2); }
  divu(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(5, 1, rd, rs1, rs2); }
  rem(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(6, 1, rd, rs1, rs2); }
  remu(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(7, 1, rd, rs1, rs2); }
  mulw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(0, 1, rd, rs1, rs2, OP.OP_32); }
  divw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(4, 1, rd, rs1, rs2, OP.OP_32); }
  divuw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(5, 1, rd, rs1, rs2, OP.OP_32); }
  remw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(6, 1, rd, rs1, rs2, OP.OP_32); }
  remuw(rd: XReg, rs1: XReg, rs2: XReg): this { return this.alu(7, 1, rd, rs1, rs2, OP.OP_32); }

  // ---- A ---------------------------------------------------------------------------------

  private amo(f5: number, f3: number, rd: XReg, rs2: number, rs1: XReg, order: AmoOrder): this {
    const ord = { "": 0, aq: 2, rl: 1, aqrl: 3 }[order];
    if (ord === undefined) throw new AsmError(`bad AMO ordering ${order}`);
    return this.inst32(encR(OP.AMO, f3, (f5 << 2) | ord, xnum(rd), xnum(rs1), rs2));
  }
  lr_w(rd: XReg, rs1: XReg, order: AmoOrder = ""): this { return this.amo(0b00010, 2, rd, 0, rs1, order); }
  lr_d(rd: XReg, rs1: XReg, order: AmoOrder = ""): this { return this.amo(0b00010, 3, rd, 0, rs1, order); }
  sc_w(rd: XReg, rs2: XReg, rs1: XReg, order: AmoOrder = ""): this { return this.amo(0b00011, 2, rd, xnum(rs2), rs1, order); }
  sc_d(rd: XReg, rs2: XReg, rs1: XReg, order: AmoOrder = ""): this { return this.amo(0b00011, 3, rd, xnum(rs2), rs1, order); }
  amoswap_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b00001, 2, rd, xnum(rs2), rs1, o); }
  amoadd_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b00000, 2, rd, xnum(rs2), rs1, o); }
  amoxor_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b00100, 2, rd, xnum(rs2), rs1, o); }
  amoand_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b01100, 2, rd, xnum(rs2), rs1, o); }
  amoor_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b01000, 2, rd, xnum(rs2), rs1, o); }
  amomin_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b10000, 2, rd, xnum(rs2), rs1, o); }
  amomax_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b10100, 2, rd, xnum(rs2), rs1, o); }
  amominu_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b11000, 2, rd, xnum(rs2), rs1, o); }
  amomaxu_w(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b11100, 2, rd, xnum(rs2), rs1, o); }
  amoswap_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b00001, 3, rd, xnum(rs2), rs1, o); }
  amoadd_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b00000, 3, rd, xnum(rs2), rs1, o); }
  amoxor_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b00100, 3, rd, xnum(rs2), rs1, o); }
  amoand_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b01100, 3, rd, xnum(rs2), rs1, o); }
  amoor_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b01000, 3, rd, xnum(rs2), rs1, o); }
  amomin_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b10000, 3, rd, xnum(rs2), rs1, o); }
  amomax_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b10100, 3, rd, xnum(rs2), rs1, o); }
  amominu_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b11000, 3, rd, xnum(rs2), rs1, o); }
  amomaxu_d(rd: XReg, rs2: XReg, rs1: XReg, o: AmoOrder = ""): this { return this.amo(0b11100, 3, rd, xnum(rs2), rs1, o); }

  // ---- F and D ---------------------------------------------------------------------------

  flw(rd: FReg, off: number, rs1: XReg): this { return this.load(2, fnum(rd), off, rs1, undefined, OP.LOAD_FP, true); }
  fld(rd: FReg, off: number, rs1: XReg): this { return this.load(3, fnum(rd), off, rs1, "fld", OP.LOAD_FP, true); }
  fsw(rs2: FReg, off: number, rs1: XReg): this { return this.store(2, fnum(rs2), off, rs1, undefined, OP.STORE_FP, true); }
  fsd(rs2: FReg, off: number, rs1: XReg): this { return this.store(3, fnum(rs2), off, rs1, "fsd", OP.STORE_FP, true); }

  /** OP-FP with funct5/fmt, a rounding mode or fixed funct3, and raw register numbers. */
  private fop(f5: number, fmt: number, f3: number, rd: number, rs1: number, rs2: number): this {
    return this.inst32(encR(OP.OP_FP, f3, (f5 << 2) | fmt, rd, rs1, rs2));
  }
  private fma(op: number, fmt: number, rd: FReg, rs1: FReg, rs2: FReg, rs3: FReg, rm: RoundingMode): this {
    return this.inst32(encR4(op, ROUNDING[rm], fmt, fnum(rd), fnum(rs1), fnum(rs2), fnum(rs3)));
  }

  fmadd_s(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.MADD, FMT_S, rd, a, b, c, rm); }
  fmsub_s(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.MSUB, FMT_S, rd, a, b, c, rm); }
  fnmsub_s(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.NMSUB, FMT_S, rd, a, b, c, rm); }
  fnmadd_s(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.NMADD, FMT_S, rd, a, b, c, rm); }
  fmadd_d(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.MADD, FMT_D, rd, a, b, c, rm); }
  fmsub_d(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.MSUB, FMT_D, rd, a, b, c, rm); }
  fnmsub_d(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.NMSUB, FMT_D, rd, a, b, c, rm); }
  fnmadd_d(rd: FReg, a: FReg, b: FReg, c: FReg, rm: RoundingMode = "dyn"): this { return this.fma(OP.NMADD, FMT_D, rd, a, b, c, rm); }

  fadd_s(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00000, FMT_S, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fsub_s(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00001, FMT_S, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fmul_s(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00010, FMT_S, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fdiv_s(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00011, FMT_S, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fsqrt_s(rd: FReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b01011, FMT_S, ROUNDING[rm], fnum(rd), fnum(a), 0); }
  fadd_d(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00000, FMT_D, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fsub_d(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00001, FMT_D, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fmul_d(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00010, FMT_D, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fdiv_d(rd: FReg, a: FReg, b: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b00011, FMT_D, ROUNDING[rm], fnum(rd), fnum(a), fnum(b)); }
  fsqrt_d(rd: FReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b01011, FMT_D, ROUNDING[rm], fnum(rd), fnum(a), 0); }

  fsgnj_s(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00100, FMT_S, 0, fnum(rd), fnum(a), fnum(b)); }
  fsgnjn_s(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00100, FMT_S, 1, fnum(rd), fnum(a), fnum(b)); }
  fsgnjx_s(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00100, FMT_S, 2, fnum(rd), fnum(a), fnum(b)); }
  fmin_s(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00101, FMT_S, 0, fnum(rd), fnum(a), fnum(b)); }
  fmax_s(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00101, FMT_S, 1, fnum(rd), fnum(a), fnum(b)); }
  fsgnj_d(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00100, FMT_D, 0, fnum(rd), fnum(a), fnum(b)); }
  fsgnjn_d(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00100, FMT_D, 1, fnum(rd), fnum(a), fnum(b)); }
  fsgnjx_d(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00100, FMT_D, 2, fnum(rd), fnum(a), fnum(b)); }
  fmin_d(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00101, FMT_D, 0, fnum(rd), fnum(a), fnum(b)); }
  fmax_d(rd: FReg, a: FReg, b: FReg): this { return this.fop(0b00101, FMT_D, 1, fnum(rd), fnum(a), fnum(b)); }

  fcvt_s_d(rd: FReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b01000, FMT_S, ROUNDING[rm], fnum(rd), fnum(a), 1); }
  fcvt_d_s(rd: FReg, a: FReg, rm: RoundingMode = EXACT_RM): this { return this.fop(0b01000, FMT_D, ROUNDING[rm], fnum(rd), fnum(a), 0); }

  feq_s(rd: XReg, a: FReg, b: FReg): this { return this.fop(0b10100, FMT_S, 2, xnum(rd), fnum(a), fnum(b)); }
  flt_s(rd: XReg, a: FReg, b: FReg): this { return this.fop(0b10100, FMT_S, 1, xnum(rd), fnum(a), fnum(b)); }
  fle_s(rd: XReg, a: FReg, b: FReg): this { return this.fop(0b10100, FMT_S, 0, xnum(rd), fnum(a), fnum(b)); }
  feq_d(rd: XReg, a: FReg, b: FReg): this { return this.fop(0b10100, FMT_D, 2, xnum(rd), fnum(a), fnum(b)); }
  flt_d(rd: XReg, a: FReg, b: FReg): this { return this.fop(0b10100, FMT_D, 1, xnum(rd), fnum(a), fnum(b)); }
  fle_d(rd: XReg, a: FReg, b: FReg): this { return this.fop(0b10100, FMT_D, 0, xnum(rd), fnum(a), fnum(b)); }
  fclass_s(rd: XReg, a: FReg): this { return this.fop(0b11100, FMT_S, 1, xnum(rd), fnum(a), 0); }
  fclass_d(rd: XReg, a: FReg): this { return this.fop(0b11100, FMT_D, 1, xnum(rd), fnum(a), 0); }

  // float -> integer (rs2 picks w/wu/l/lu) and integer -> float
  fcvt_w_s(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_S, ROUNDING[rm], xnum(rd), fnum(a), 0); }
  fcvt_wu_s(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_S, ROUNDING[rm], xnum(rd), fnum(a), 1); }
  fcvt_l_s(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_S, ROUNDING[rm], xnum(rd), fnum(a), 2); }
  fcvt_lu_s(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_S, ROUNDING[rm], xnum(rd), fnum(a), 3); }
  fcvt_w_d(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_D, ROUNDING[rm], xnum(rd), fnum(a), 0); }
  fcvt_wu_d(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_D, ROUNDING[rm], xnum(rd), fnum(a), 1); }
  fcvt_l_d(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_D, ROUNDING[rm], xnum(rd), fnum(a), 2); }
  fcvt_lu_d(rd: XReg, a: FReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11000, FMT_D, ROUNDING[rm], xnum(rd), fnum(a), 3); }
  fcvt_s_w(rd: FReg, a: XReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11010, FMT_S, ROUNDING[rm], fnum(rd), xnum(a), 0); }
  fcvt_s_wu(rd: FReg, a: XReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11010, FMT_S, ROUNDING[rm], fnum(rd), xnum(a), 1); }
  fcvt_s_l(rd: FReg, a: XReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11010, FMT_S, ROUNDING[rm], fnum(rd), xnum(a), 2); }
  fcvt_s_lu(rd: FReg, a: XReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11010, FMT_S, ROUNDING[rm], fnum(rd), xnum(a), 3); }
  fcvt_d_w(rd: FReg, a: XReg, rm: RoundingMode = EXACT_RM): this { return this.fop(0b11010, FMT_D, ROUNDING[rm], fnum(rd), xnum(a), 0); }
  fcvt_d_wu(rd: FReg, a: XReg, rm: RoundingMode = EXACT_RM): this { return this.fop(0b11010, FMT_D, ROUNDING[rm], fnum(rd), xnum(a), 1); }
  fcvt_d_l(rd: FReg, a: XReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11010, FMT_D, ROUNDING[rm], fnum(rd), xnum(a), 2); }
  fcvt_d_lu(rd: FReg, a: XReg, rm: RoundingMode = "dyn"): this { return this.fop(0b11010, FMT_D, ROUNDING[rm], fnum(rd), xnum(a), 3); }

  fmv_x_w(rd: XReg, a: FReg): this { return this.fop(0b11100, FMT_S, 0, xnum(rd), fnum(a), 0); }
  fmv_w_x(rd: FReg, a: XReg): this { return this.fop(0b11110, FMT_S, 0, fnum(rd), xnum(a), 0); }
  fmv_x_d(rd: XReg, a: FReg): this { return this.fop(0b11100, FMT_D, 0, xnum(rd), fnum(a), 0); }
  fmv_d_x(rd: FReg, a: XReg): this { return this.fop(0b11110, FMT_D, 0, fnum(rd), xnum(a), 0); }

  // ---- pseudo-instructions ---------------------------------------------------------------

  nop(): this { return this.addi("zero", "zero", 0); }
  mv(rd: XReg, rs: XReg): this { return this.addi(rd, rs, 0); }
  not(rd: XReg, rs: XReg): this { return this.xori(rd, rs, -1); }
  neg(rd: XReg, rs: XReg): this { return this.sub(rd, "zero", rs); }
  negw(rd: XReg, rs: XReg): this { return this.subw(rd, "zero", rs); }
  sext_w(rd: XReg, rs: XReg): this { return this.addiw(rd, rs, 0); }
  seqz(rd: XReg, rs: XReg): this { return this.sltiu(rd, rs, 1); }
  snez(rd: XReg, rs: XReg): this { return this.sltu(rd, "zero", rs); }
  sltz(rd: XReg, rs: XReg): this { return this.slt(rd, rs, "zero"); }
  sgtz(rd: XReg, rs: XReg): this { return this.slt(rd, "zero", rs); }

  beqz(rs: XReg, t: Target): this { return this.beq(rs, "zero", t); }
  bnez(rs: XReg, t: Target): this { return this.bne(rs, "zero", t); }
  blez(rs: XReg, t: Target): this { return this.bge("zero", rs, t); }
  bgez(rs: XReg, t: Target): this { return this.bge(rs, "zero", t); }
  bltz(rs: XReg, t: Target): this { return this.blt(rs, "zero", t); }
  bgtz(rs: XReg, t: Target): this { return this.blt("zero", rs, t); }
  bgt(rs: XReg, rt: XReg, t: Target): this { return this.blt(rt, rs, t); }
  ble(rs: XReg, rt: XReg, t: Target): this { return this.bge(rt, rs, t); }
  bgtu(rs: XReg, rt: XReg, t: Target): this { return this.bltu(rt, rs, t); }
  bleu(rs: XReg, rt: XReg, t: Target): this { return this.bgeu(rt, rs, t); }

  j(t: Target): this { return this.jal("zero", t); }
  jr(rs: XReg): this {
    const s = xnum(rs);
    return this.i(OP.JALR, 0, 0, s, 0, () => C.cJalr(0, s, 0));
  }
  ret(): this { return this.jr("ra"); }
  /** jal ra (not auipc+jalr): these programs are far smaller than jal's ±1 MiB. */
  call(t: Target): this { return this.jal("ra", t); }
  tail(t: Target): this { return this.jal("zero", t); }

  /** Loads any 64-bit constant (numbers must be safe integers; use bigint beyond 2^53). */
  li(rd: XReg, value: number | bigint): this {
    if (typeof value === "number" && !Number.isSafeInteger(value)) throw new AsmError(`li: ${value} is not a safe integer; pass a bigint`);
    for (const s of liSteps(BigInt(value))) {
      switch (s.op) {
        case "lui": this.lui(rd, s.imm20); break;
        case "addi": this.addi(rd, s.fromZero ? "zero" : rd, s.imm); break;
        case "addiw": this.addiw(rd, rd, s.imm); break;
        case "slli": this.slli(rd, rd, s.shamt); break;
      }
    }
    return this;
  }

  /** Address of a label, pc-relative (auipc + addi), so the image is position-independent. */
  la(rd: XReg, label: string): this {
    const d = xnum(rd);
    if (d === 0) throw new AsmError("la into x0");
    this.addFixup({ kind: "pcrel", at: this.len, label, rd: d });
    this.inst32(0);
    return this.inst32(0);
  }

  csrr(rd: XReg, csr: Csr): this { return this.csrrs(rd, csr, "zero"); }
  csrw(csr: Csr, rs: XReg): this { return this.csrrw("zero", csr, rs); }
  csrs(csr: Csr, rs: XReg): this { return this.csrrs("zero", csr, rs); }
  csrc(csr: Csr, rs: XReg): this { return this.csrrc("zero", csr, rs); }
  csrwi(csr: Csr, uimm: number): this { return this.csrrwi("zero", csr, uimm); }
  csrsi(csr: Csr, uimm: number): this { return this.csrrsi("zero", csr, uimm); }
  csrci(csr: Csr, uimm: number): this { return this.csrrci("zero", csr, uimm); }
  frcsr(rd: XReg): this { return this.csrr(rd, "fcsr"); }
  fscsr(rd: XReg, rs: XReg): this { return this.csrrw(rd, "fcsr", rs); }
  frflags(rd: XReg): this { return this.csrr(rd, "fflags"); }
  fsflags(rd: XReg, rs: XReg): this { return this.csrrw(rd, "fflags", rs); }
  frrm(rd: XReg): this { return this.csrr(rd, "frm"); }
  fsrm(rd: XReg, rs: XReg): this { return this.csrrw(rd, "frm", rs); }

  fmv_s(rd: FReg, rs: FReg): this { return this.fsgnj_s(rd, rs, rs); }
  fneg_s(rd: FReg, rs: FReg): this { return this.fsgnjn_s(rd, rs, rs); }
  fabs_s(rd: FReg, rs: FReg): this { return this.fsgnjx_s(rd, rs, rs); }
  fmv_d(rd: FReg, rs: FReg): this { return this.fsgnj_d(rd, rs, rs); }
  fneg_d(rd: FReg, rs: FReg): this { return this.fsgnjn_d(rd, rs, rs); }
  fabs_d(rd: FReg, rs: FReg): this { return this.fsgnjx_d(rd, rs, rs); }
}
