// `li rd, imm64`: the instruction sequence that builds a 64-bit constant, in the shape LLVM's
// RISCVMatInt uses (lui/addiw for the low 32 bits, then repeated slli + addi for the rest).
// Kept pure so the tests can evaluate every sequence and check it yields the constant.

export type LiStep =
  | { op: "lui"; imm20: number }
  | { op: "addi"; imm: number; fromZero: boolean }
  | { op: "addiw"; imm: number }
  | { op: "slli"; shamt: number };

const sext = (v: bigint, n: number) => BigInt.asIntN(n, v);

function ctz(v: bigint): number {
  let n = 0;
  while ((v & 1n) === 0n && n < 64) {
    v >>= 1n;
    n++;
  }
  return n;
}

/** Steps that load `value` (taken modulo 2^64) into a register. */
export function liSteps(value: bigint): LiStep[] {
  const v = sext(value, 64);
  if (v === sext(v, 32)) {
    const lo = Number(sext(v, 12));
    const hi20 = Number(BigInt.asUintN(20, (v + 0x800n) >> 12n));
    if (hi20 === 0) return [{ op: "addi", imm: lo, fromZero: true }];
    const steps: LiStep[] = [{ op: "lui", imm20: hi20 }];
    // addiw, not addi: lui sign-extends from bit 31, so 0x7ffff800..0x7fffffff need the 32-bit add
    if (lo !== 0) steps.push({ op: "addiw", imm: lo });
    return steps;
  }
  const lo = Number(sext(v, 12));
  let hi = BigInt.asUintN(64, v + 0x800n) >> 12n;
  const shamt = 12 + ctz(hi);
  hi = sext(hi >> BigInt(shamt - 12), 64 - shamt);
  const steps = [...liSteps(hi), { op: "slli", shamt } as LiStep];
  if (lo !== 0) steps.push({ op: "addi", imm: lo, fromZero: false });
  return steps;
}

/** What a step sequence computes, for the tests (and as documentation of the semantics). */
export function evalLiSteps(steps: readonly LiStep[]): bigint {
  let r = 0n;
  for (const s of steps) {
    switch (s.op) {
      case "lui": r = sext(BigInt(s.imm20) << 12n, 32); break;
      case "addi": r = sext((s.fromZero ? 0n : r) + BigInt(s.imm), 64); break;
      case "addiw": r = sext(r + BigInt(s.imm), 32); break;
      case "slli": r = sext(r << BigInt(s.shamt), 64); break;
    }
  }
  return BigInt.asUintN(64, r);
}
