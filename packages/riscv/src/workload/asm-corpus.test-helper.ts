// A deterministic corpus of GNU-syntax instructions covering every Program method with
// operands chosen to hit the edges of each immediate and every compressed form.

const X = ["zero", "ra", "sp", "gp", "tp", "t0", "s0", "s1", "a0", "a2", "a5", "a7", "s11", "t6"];
const XC = ["s0", "s1", "a0", "a3", "a5"]; // x8..x15, the RVC 3-bit registers
const F = ["ft0", "fs0", "fs1", "fa0", "fa5", "fa7", "ft11"];
const I12 = [0, 1, -1, 4, 8, 16, 31, -32, 32, -33, 124, 128, 248, 252, 256, 496, 504, 512, -512, -528, 1020, 1024, 2047, -2048];
const SH64 = [0, 1, 5, 31, 32, 63];
const SH32 = [0, 1, 5, 31];
const U20 = [0, 1, 31, 32, 0x12345, 0x7ffff, 0x80000, 0xfffe0, 0xfffff];
const RM = ["rne", "rtz", "rdn", "rup", "rmm", "dyn"];
const CSR = ["mstatus", "mscratch", "mtvec", "mhartid", "fcsr", "0x7c0"];

/** Small deterministic PRNG (xorshift32), so the corpus is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return <T>(xs: readonly T[]): T => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return xs[s % xs.length]!;
  };
}

export function corpus(): string[] {
  const pick = rng(0x5eed);
  const out: string[] = [];
  const n = (k: number, f: () => string) => {
    for (let i = 0; i < k; i++) out.push(f());
  };
  const x = () => pick(X);
  const xc = () => pick(XC);
  const f = () => pick(F);
  const mem = () => `${pick(I12)}(${pick([...X, "sp", "sp", ...XC])})`;

  for (const op of ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"]) {
    n(24, () => `${op} ${x()}, ${x()}, ${pick(I12)}`);
    n(8, () => { const r = pick([...XC, "sp"]); return `${op} ${r}, ${r}, ${pick(I12)}`; });
  }
  n(12, () => `addi ${xc()}, sp, ${pick(I12)}`);
  n(8, () => `addi sp, sp, ${pick(I12)}`);
  n(6, () => `addi ${x()}, zero, ${pick(I12)}`);
  for (const op of ["slli", "srli", "srai"]) {
    n(12, () => `${op} ${x()}, ${x()}, ${pick(SH64)}`);
    n(8, () => { const r = pick([...XC, "ra", "t6"]); return `${op} ${r}, ${r}, ${pick(SH64)}`; });
  }
  for (const op of ["slliw", "srliw", "sraiw"]) n(8, () => `${op} ${x()}, ${x()}, ${pick(SH32)}`);
  for (const op of ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw", "sllw", "srlw", "sraw",
    "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw", "divuw", "remw", "remuw"]) {
    n(6, () => `${op} ${x()}, ${x()}, ${x()}`);
    n(4, () => { const r = xc(); return pick([true, false]) ? `${op} ${r}, ${r}, ${xc()}` : `${op} ${r}, ${xc()}, ${r}`; });
    n(2, () => { const r = x(); return `${op} ${r}, ${r}, ${x()}`; });
  }
  n(6, () => `add ${x()}, zero, ${x()}`);
  n(6, () => `add ${x()}, ${x()}, zero`);
  for (const op of ["lui", "auipc"]) n(14, () => `${op} ${x()}, ${pick(U20)}`);
  for (const op of ["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", "sb", "sh", "sw", "sd"]) n(16, () => `${op} ${x()}, ${mem()}`);
  for (const op of ["flw", "fld", "fsw", "fsd"]) n(16, () => `${op} ${f()}, ${mem()}`);
  n(16, () => `jalr ${pick(["zero", "ra", "a0", "t0"])}, ${pick([0, 0, 0, 4, -8, 2047])}(${x()})`);
  n(4, () => `jalr ${pick(["ra", "a0", "t0", "s1"])}`);
  for (const op of ["csrrw", "csrrs", "csrrc"]) n(6, () => `${op} ${x()}, ${pick(CSR)}, ${x()}`);
  for (const op of ["csrrwi", "csrrsi", "csrrci"]) n(6, () => `${op} ${x()}, ${pick(CSR)}, ${pick([0, 1, 17, 31])}`);
  for (const w of ["w", "d"]) {
    for (const o of ["", ".aq", ".rl", ".aqrl"]) {
      out.push(`lr.${w}${o} ${x()}, (${x()})`);
      out.push(`sc.${w}${o} ${x()}, ${x()}, (${x()})`);
      for (const a of ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"]) out.push(`${a}.${w}${o} ${x()}, ${x()}, (${x()})`);
    }
  }
  for (const t of ["s", "d"]) {
    for (const op of ["fadd", "fsub", "fmul", "fdiv"]) { n(2, () => `${op}.${t} ${f()}, ${f()}, ${f()}`); n(3, () => `${op}.${t} ${f()}, ${f()}, ${f()}, ${pick(RM)}`); }
    for (const op of ["fmadd", "fmsub", "fnmsub", "fnmadd"]) { n(2, () => `${op}.${t} ${f()}, ${f()}, ${f()}, ${f()}`); n(2, () => `${op}.${t} ${f()}, ${f()}, ${f()}, ${f()}, ${pick(RM)}`); }
    out.push(`fsqrt.${t} ${f()}, ${f()}`, `fsqrt.${t} ${f()}, ${f()}, rtz`);
    for (const op of ["fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax"]) n(2, () => `${op}.${t} ${f()}, ${f()}, ${f()}`);
    for (const op of ["feq", "flt", "fle"]) n(2, () => `${op}.${t} ${x()}, ${f()}, ${f()}`);
    out.push(`fclass.${t} ${x()}, ${f()}`);
    for (const i of ["w", "wu", "l", "lu"]) {
      out.push(`fcvt.${i}.${t} ${x()}, ${f()}`, `fcvt.${i}.${t} ${x()}, ${f()}, ${pick(RM)}`);
      out.push(`fcvt.${t}.${i} ${f()}, ${x()}`);
      // binutils 2.40 takes no rounding mode on the always-exact int32 -> double conversions
      if (t === "s" || i === "l" || i === "lu") out.push(`fcvt.${t}.${i} ${f()}, ${x()}, ${pick(RM)}`);
    }
    for (const p of ["fmv", "fneg", "fabs"]) out.push(`${p}.${t} ${f()}, ${f()}`);
  }
  out.push(`fcvt.s.d ${f()}, ${f()}`, `fcvt.s.d ${f()}, ${f()}, rup`, `fcvt.d.s ${f()}, ${f()}`);
  out.push(`fmv.x.w ${x()}, ${f()}`, `fmv.w.x ${f()}, ${x()}`, `fmv.x.d ${x()}, ${f()}`, `fmv.d.x ${f()}, ${x()}`);
  out.push("fence", "fence rw, rw", "fence iorw, o", "fence r, w", "fence.i", "ecall", "ebreak", "mret", "sret", "wfi", "sfence.vma", "sfence.vma a0", "sfence.vma a0, a1");
  out.push("nop", "ret", "jr a0", "jr ra", "mv a0, a1", "mv s0, sp", "mv sp, a0", "not a0, a1", "neg a0, a1", "negw t0, t1", "sext.w a0, a1", "sext.w a0, a0",
    "seqz a0, a1", "snez a0, a1", "sltz a0, a1", "sgtz a0, a1", "csrr a0, mhartid", "csrw mscratch, a1", "csrs mstatus, t0", "csrc mie, t1",
    "csrwi mscratch, 5", "csrsi mstatus, 8", "csrci mstatus, 8", "frcsr a0", "fscsr a0, a1", "frflags a0", "fsflags a0, a1", "frrm t0", "fsrm t0, t1");
  return out;
}
