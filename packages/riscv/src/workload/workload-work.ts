// One iteration of the workload's deterministic work. Every result is folded into a
// callee-saved register with its own theme (integer, 32-bit ops, memory, double, single,
// fflags, CSRs, compares), so when an emulator disagrees with QEMU the register that differs
// already says which kind of instruction to look at. Nothing here reads the pc, time,
// cycle or instret: those differ between QEMU and any other implementation.
//
// Registers: s0..s10 as in FINAL_REGISTER_ROLES; a7 = RAM window base, a6 = window pages,
// tp = hart block. Clobbers t0..t6, a0..a2 and f0..f31 freely. Takes an ecall and an
// ebreak trap per iteration (see workload-trap.ts).

import type { Program } from "./asm.js";
import type { XReg } from "./regs.js";
import { HB } from "./layout.js";

/** acc = rotl(acc, 7) + v: order-sensitive, so a swapped pair of results shows up too. */
export function mix(p: Program, acc: XReg, v: XReg, tmp: XReg = "t6"): void {
  p.slli(tmp, acc, 7);
  p.srli(acc, acc, 57);
  p.or(acc, acc, tmp);
  p.add(acc, acc, v);
}

const LCG_MUL = 6364136223846793005n; // Knuth's MMIX constants
const LCG_INC = 1442695040888963407n;
const INT64_MIN = 0x8000_0000_0000_0000n;
const MSTATUS_MIE = 1 << 3;

export function emitIteration(p: Program, interrupts: boolean): void {
  emitInteger(p);
  emitWord(p);
  emitCompare(p);
  emitMemory(p);
  emitDouble(p);
  emitSingle(p);
  emitCsr(p);
  emitSyncTraps(p, interrupts);
}

/** s0: xorshift64, s1: 64-bit LCG, s2: the multiply/divide/shift results. */
function emitInteger(p: Program): void {
  p.slli("t0", "s0", 13).xor("s0", "s0", "t0");
  p.srli("t0", "s0", 7).xor("s0", "s0", "t0");
  p.slli("t0", "s0", 17).xor("s0", "s0", "t0");
  p.li("t1", LCG_MUL).mul("s1", "s1", "t1");
  p.li("t1", LCG_INC).add("s1", "s1", "t1");

  for (const op of ["mul", "mulh", "mulhsu", "mulhu"] as const) {
    p[op]("t0", "s0", "s1");
    mix(p, "s2", "t0");
  }
  // divisor from the top four bits: -8..7, so division by zero and by -1 both come up
  p.srai("t1", "s0", 60);
  p.li("t2", INT64_MIN);
  for (const [op, a] of [["div", "s1"], ["rem", "s1"], ["divu", "s1"], ["remu", "s1"], ["div", "t2"], ["rem", "t2"]] as const) {
    p[op]("t0", a, "t1");
    mix(p, "s2", "t0");
  }
  // a wide divisor (may be zero too)
  p.srli("t1", "s1", 34);
  for (const op of ["divu", "remu", "div", "rem"] as const) {
    p[op]("t0", "s0", "t1");
    mix(p, "s2", "t0");
  }
  // register shift amounts use the low 6 bits only
  for (const op of ["sll", "srl", "sra"] as const) {
    p[op]("t0", "s1", "s0");
    mix(p, "s2", "t0");
  }
  p.xori("t0", "s0", -1366).ori("t1", "s1", 0x2a5).andi("t2", "s1", -256);
  p.sub("t0", "t0", "t1").xor("t0", "t0", "t2");
  p.srai("t1", "s1", 41).slli("t2", "s0", 63).or("t0", "t0", "t2").add("t0", "t0", "t1");
  mix(p, "s2", "t0");
  // lui with bit 31 set sign-extends on RV64
  p.lui("t0", 0x8badf).addiw("t0", "t0", -0x7ef);
  p.and("t0", "t0", "s1");
  mix(p, "s2", "t0");
}

/** s3: the RV64 *W instructions, whose results are sign-extended 32-bit values. */
function emitWord(p: Program): void {
  p.srai("t1", "s1", 61); // small divisor -4..3, zero included
  for (const [op, a, b] of [
    ["addw", "s0", "s1"], ["subw", "s0", "s1"], ["sllw", "s0", "s1"], ["srlw", "s0", "s1"], ["sraw", "s1", "s0"],
    ["mulw", "s0", "s1"], ["divw", "s0", "s1"], ["divuw", "s1", "s0"], ["remw", "s0", "s1"], ["remuw", "s1", "s0"],
    ["divw", "s0", "t1"], ["remw", "s1", "t1"], ["divuw", "s0", "t1"], ["remuw", "s1", "t1"],
  ] as const) {
    p[op]("t0", a, b);
    mix(p, "s3", "t0");
  }
  // INT32_MIN / -1 overflows to INT32_MIN, remainder 0
  p.lui("t2", 0x80000).li("t1", -1);
  p.divw("t0", "t2", "t1");
  mix(p, "s3", "t0");
  p.remw("t0", "t2", "t1");
  mix(p, "s3", "t0");
  p.addiw("t0", "s0", -1234);
  mix(p, "s3", "t0");
  p.slliw("t0", "s1", 13);
  mix(p, "s3", "t0");
  p.srliw("t0", "s1", 7);
  mix(p, "s3", "t0");
  p.sraiw("t0", "s0", 19);
  mix(p, "s3", "t0");
  p.sext_w("t0", "s1").negw("t1", "s0").add("t0", "t0", "t1");
  mix(p, "s3", "t0");
}

/** s10: set-less-than results and which way each kind of branch went. */
function emitCompare(p: Program): void {
  p.slt("t0", "s0", "s1");
  p.sltu("t1", "s0", "s1").slli("t1", "t1", 1).or("t0", "t0", "t1");
  p.slti("t1", "s0", -5).slli("t1", "t1", 2).or("t0", "t0", "t1");
  p.sltiu("t1", "s1", 2000).slli("t1", "t1", 3).or("t0", "t0", "t1");
  p.seqz("t1", "t1").slli("t1", "t1", 4).or("t0", "t0", "t1");
  p.snez("t1", "s2").slli("t1", "t1", 5).or("t0", "t0", "t1");
  mix(p, "s10", "t0");
  // each branch adds a distinct odd weight when it is NOT taken
  const branches: Array<[(t: string) => void, number]> = [
    [(t) => p.blt("s0", "s1", t), 3],
    [(t) => p.bge("s0", "s1", t), 5],
    [(t) => p.bltu("s0", "s1", t), 7],
    [(t) => p.bgeu("s0", "s1", t), 11],
    [(t) => p.beq("s0", "s0", t), 13],
    [(t) => p.bne("s0", "s1", t), 17],
    [(t) => p.bltz("s1", t), 19],
    [(t) => p.bgtz("s0", t), 23],
  ];
  for (const [branch, weight] of branches) {
    const skip = p.newLabel("br");
    branch(skip);
    p.addi("s10", "s10", weight);
    p.label(skip);
  }
  // a backward branch that is taken a data-dependent number of times (1..8)
  p.andi("t0", "s0", 7).addi("t0", "t0", 1);
  const again = p.newLabel("count");
  p.label(again);
  p.addi("s10", "s10", 29);
  p.addi("t0", "t0", -1);
  p.bnez("t0", again);
}

/** s4: stores into one page of the RAM window per iteration, the loads back, AMOs, LR/SC. */
function emitMemory(p: Program): void {
  // page = iterations % pages; t2 = a spot in its first half picked by s0
  p.remu("t0", "s9", "a6").slli("t0", "t0", 12).add("t0", "t0", "a7");
  p.andi("t1", "s0", 0x7f8).add("t2", "t0", "t1");
  p.sd("s1", 0, "t2");
  p.sw("s0", 8, "t2");
  p.sh("s1", 12, "t2");
  p.sb("s0", 14, "t2");
  p.sb("s2", 15, "t2");
  for (const [op, off] of [["ld", 0], ["lw", 8], ["lwu", 8], ["lh", 12], ["lhu", 12], ["lb", 15], ["lbu", 15], ["lb", 14], ["lwu", 4], ["ld", 8]] as const) {
    p[op]("t3", off, "t2");
    mix(p, "s4", "t3");
  }
  // the AMO area: the last 64 bytes of the page
  p.li("t4", 4096 - 64).add("t4", "t0", "t4");
  const amos = [
    ["amoadd_d", 0, "s1"], ["amoxor_d", 8, "s0"], ["amoand_d", 16, "s1"], ["amoor_d", 24, "s0"],
    ["amomin_d", 32, "s0"], ["amomax_d", 32, "s1"], ["amominu_d", 40, "s1"], ["amomaxu_d", 40, "s0"],
    ["amoswap_w", 48, "s0"], ["amoadd_w", 52, "s1"], ["amomin_w", 56, "s1"], ["amomaxu_w", 60, "s0"],
  ] as const;
  for (const [op, off, src] of amos) {
    p.addi("t5", "t4", off);
    p[op]("t3", src, "t5", off % 16 === 0 ? "aqrl" : "");
    mix(p, "s4", "t3");
  }
  // LR/SC increment of a dword, retried until the store-conditional succeeds
  p.addi("t5", "t4", 16);
  const retry = p.newLabel("lrsc");
  p.label(retry);
  p.lr_d("t3", "t5", "aq");
  p.add("t3", "t3", "s0");
  p.sc_d("a0", "t3", "t5", "rl");
  p.bnez("a0", retry);
  mix(p, "s4", "t3");
  p.addi("t5", "t4", 48);
  const retryW = p.newLabel("lrscw");
  p.label(retryW);
  p.lr_w("t3", "t5");
  p.addiw("t3", "t3", 1);
  p.sc_w("a0", "t3", "t5");
  p.bnez("a0", retryW);
  mix(p, "s4", "t3");
  p.fence("rw", "rw");
}

/** s5: double precision (arithmetic, fused ops, conversions, NaNs, a subnormal), with fixed and dynamic rounding. */
function emitDouble(p: Program): void {
  // frm cycles through the five valid modes; the old one goes into the CSR accumulator
  p.li("t1", 5).remu("t0", "s9", "t1");
  p.fsrm("t1", "t0");
  mix(p, "s8", "t1");

  p.srli("t0", "s0", 11).fcvt_d_l("ft0", "t0"); // below 2^53: exact
  p.srli("t1", "s1", 11).ori("t1", "t1", 1).fcvt_d_lu("ft1", "t1");
  p.fdiv_d("ft2", "ft0", "ft1");
  p.fsqrt_d("ft3", "ft0");
  p.fmul_d("ft4", "ft2", "ft3");
  p.fadd_d("ft5", "ft4", "ft1", "rtz");
  p.fsub_d("ft6", "ft5", "ft0", "rdn");
  p.fmadd_d("ft7", "ft2", "ft3", "ft1", "rup");
  p.fnmsub_d("fa0", "ft2", "ft3", "ft4");
  p.fmsub_d("fa1", "ft3", "ft3", "ft0", "rne");
  p.fnmadd_d("fa2", "ft2", "ft1", "ft6", "rmm");
  p.fmin_d("fa3", "ft6", "fa1");
  p.fmax_d("fa4", "fa0", "fa2");
  p.fsgnjn_d("fa5", "ft7", "ft6");
  p.fsgnjx_d("fa6", "fa1", "fa2");
  p.fdiv_d("fa7", "ft6", "fa1"); // fa1 may be zero: infinity and DZ
  for (const f of ["ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7"] as const) {
    p.fmv_x_d("t0", f);
    mix(p, "s5", "t0");
  }
  // conversions back to integers, saturating ones included (NV)
  p.fcvt_l_d("t0", "ft7", "rtz");
  mix(p, "s5", "t0");
  p.fcvt_w_d("t0", "ft0");
  mix(p, "s5", "t0");
  p.fcvt_wu_d("t0", "ft2", "rup");
  mix(p, "s5", "t0");
  p.fneg_d("ft8", "ft0").fcvt_lu_d("t0", "ft8");
  mix(p, "s5", "t0");
  p.fcvt_l_d("t0", "fa7", "rmm");
  mix(p, "s5", "t0");
  // the square root of a negative number is the canonical NaN; fmax ignores a quiet NaN
  p.fsqrt_d("ft9", "ft8");
  p.fmv_x_d("t0", "ft9");
  mix(p, "s5", "t0");
  p.fmax_d("ft10", "ft9", "ft2");
  p.fmv_x_d("t0", "ft10");
  mix(p, "s5", "t0");
  for (const f of ["ft9", "ft8", "ft2", "fa7", "fa1"] as const) {
    p.fclass_d("t0", f);
    mix(p, "s5", "t0");
  }
  p.feq_d("t0", "ft2", "ft2").flt_d("t1", "ft8", "ft0").slli("t1", "t1", 1).or("t0", "t0", "t1");
  p.fle_d("t1", "ft9", "ft0").slli("t1", "t1", 2).or("t0", "t0", "t1");
  mix(p, "s5", "t0");
  // a subnormal operand and result (UF, NX)
  p.li("t0", 0x0000_0000_0001_2345n).fmv_d_x("ft11", "t0");
  p.fmul_d("ft11", "ft11", "ft2");
  p.fmv_x_d("t0", "ft11");
  mix(p, "s5", "t0");
  // through memory
  p.fsd("ft7", HB.fpScratch, "tp");
  p.ld("t0", HB.fpScratch, "tp").xor("t0", "t0", "s0").sd("t0", HB.fpScratch + 8, "tp");
  p.fld("ft11", HB.fpScratch + 8, "tp");
  p.fadd_d("ft11", "ft11", "ft0");
  p.fmv_x_d("t0", "ft11");
  mix(p, "s5", "t0");
  p.frflags("t0").fsflags("t1", "zero");
  mix(p, "s7", "t0");
}

/** s6: single precision, NaN-boxing included (fmv.x.d of a single shows the all-ones upper half). */
function emitSingle(p: Program): void {
  p.fcvt_s_d("fs0", "ft2");
  p.fcvt_s_d("fs1", "ft0", "rtz");
  p.srli("t0", "s1", 40).fcvt_s_l("fs2", "t0");
  p.fcvt_s_w("fs3", "s0", "rdn");
  p.fcvt_s_wu("fs4", "s1");
  p.fadd_s("fs5", "fs0", "fs2");
  p.fmul_s("fs6", "fs1", "fs0", "rup");
  p.fdiv_s("fs7", "fs3", "fs4");
  p.fsqrt_s("fs8", "fs2");
  p.fmadd_s("fs9", "fs0", "fs1", "fs3");
  p.fnmsub_s("fs10", "fs7", "fs8", "fs5", "rmm");
  p.fmin_s("fs11", "fs3", "fs7");
  p.fmax_s("ft8", "fs6", "fs9");
  p.fsgnjx_s("ft9", "fs10", "fs3");
  for (const f of ["fs0", "fs1", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9"] as const) {
    p.fmv_x_w("t0", f);
    mix(p, "s6", "t0");
  }
  p.fmv_x_d("t0", "fs9"); // NaN-boxed: upper 32 bits all ones
  mix(p, "s6", "t0");
  p.fcvt_w_s("t0", "fs6", "rtz");
  mix(p, "s6", "t0");
  p.fcvt_lu_s("t0", "fs9");
  mix(p, "s6", "t0");
  p.fcvt_d_s("ft10", "fs7").fmv_x_d("t0", "ft10");
  mix(p, "s6", "t0");
  p.feq_s("t0", "fs0", "fs1").fle_s("t1", "fs3", "fs4").slli("t1", "t1", 1).or("t0", "t0", "t1");
  p.flt_s("t1", "fs11", "fs3").slli("t1", "t1", 2).or("t0", "t0", "t1");
  p.fclass_s("t1", "fs7").slli("t1", "t1", 3).or("t0", "t0", "t1");
  mix(p, "s6", "t0");
  // an unboxed single (upper half not all ones) reads as the canonical NaN
  p.fmv_d_x("ft11", "s0").fadd_s("ft11", "ft11", "fs0").fmv_x_w("t0", "ft11");
  mix(p, "s6", "t0");
  p.fsw("fs5", HB.fpScratch + 16, "tp").lw("t0", HB.fpScratch + 16, "tp");
  mix(p, "s6", "t0");
  p.sw("s1", HB.fpScratch + 20, "tp").flw("ft11", HB.fpScratch + 20, "tp").fmv_x_d("t0", "ft11");
  mix(p, "s6", "t0");
  p.frflags("t0").fsflags("t1", "zero");
  mix(p, "s7", "t0");
}

/** s8: read-modify-write of mscratch in all six forms, mhartid, frm. */
function emitCsr(p: Program): void {
  p.csrrw("t0", "mscratch", "s0");
  mix(p, "s8", "t0");
  p.csrrs("t0", "mscratch", "s1");
  mix(p, "s8", "t0");
  p.csrrc("t0", "mscratch", "s2");
  mix(p, "s8", "t0");
  p.csrrsi("t0", "mscratch", 0x15);
  mix(p, "s8", "t0");
  p.csrrci("t0", "mscratch", 0x0e);
  mix(p, "s8", "t0");
  p.csrrwi("t0", "mscratch", 0x1b);
  mix(p, "s8", "t0");
  p.csrr("t0", "mscratch");
  mix(p, "s8", "t0");
  p.csrw("mscratch", "s3");
  p.csrr("t0", "mhartid");
  mix(p, "s8", "t0");
  p.frcsr("t0"); // frm only: the flags were just cleared
  mix(p, "s8", "t0");
}

/** s8 too: an ecall (the handler computes a0) and an ebreak, with mcause read back after mret. */
function emitSyncTraps(p: Program, interrupts: boolean): void {
  p.mv("a0", "s1");
  p.ecall();
  mix(p, "s8", "a0");
  // no timer interrupt between the ebreak's mret and reading mcause
  if (interrupts) p.csrci("mstatus", MSTATUS_MIE);
  p.ebreak();
  p.csrr("t0", "mcause");
  if (interrupts) p.csrsi("mstatus", MSTATUS_MIE);
  mix(p, "s8", "t0");
  p.ld("t0", HB.syncTraps, "tp");
  mix(p, "s8", "t0");
}
