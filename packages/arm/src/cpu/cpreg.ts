/**
 * The coprocessor/system register list of QEMU's `cpu` section.
 *
 * QEMU migrates most system registers not as fields but as two parallel
 * lists, `cpreg_vmstate_indexes` and `cpreg_vmstate_values`: one 64-bit
 * register id and one value per register, sorted by id. The ids are KVM's
 * (QEMU converts its own hashtable keys with cpreg_to_kvm_id, target/arm/cpu.h):
 *
 * AArch64 system register (op0, op1, CRn, CRm, op2):
 *   0x6030_0000_0013_0000 | op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2
 *   (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG)
 * AArch32 coprocessor register (cp, opc1, CRn, CRm, opc2):
 *   0x4000_0000_0000_0000 | size | ns << 29 | cp << 16 | CRn << 11 | CRm << 7 | opc1 << 3 | opc2
 *   size 0x0020_0000_0000_0000 (32-bit) or 0x0030_0000_0000_0000 (64-bit, MCRR/MRRC: CRn is 0).
 *   The ns bit stays in the id: QEMU's TCG keeps banked Secure and
 *   Non-secure copies of some AArch32 registers (KVM ids never have it).
 *
 * The list holds every register that is neither an alias of another nor
 * "no raw access" (QEMU's ARM_CP_ALIAS / ARM_CP_NO_RAW), constant ID
 * registers included. On load QEMU copies each incoming value to the
 * register with the same id, keeps its own value for registers the stream
 * lacks, and fails on a register it does not have.
 */

const ARM64 = 0x6000_0000_0000_0000n;
const ARM32 = 0x4000_0000_0000_0000n;
const ARCH_MASK = 0xff00_0000_0000_0000n;
const SIZE_MASK = 0x00f0_0000_0000_0000n;
const SIZE_U32 = 0x0020_0000_0000_0000n;
const SIZE_U64 = 0x0030_0000_0000_0000n;
/** KVM_REG_ARM64_SYSREG: coprocessor number 0x13 in bits 16..27. */
const ARM64_SYSREG_CP = 0x13n;
const COPROC_SHIFT = 16n;
const COPROC_MASK = 0xfffn;
/** Prefix of every AArch64 system register id. */
export const AA64_SYSREG_BASE = ARM64 | SIZE_U64 | (ARM64_SYSREG_CP << COPROC_SHIFT);

/** Fields of an AArch64 system register encoding (MRS/MSR operands). */
export interface Aa64SysregEncoding {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
}

/** Fields of an AArch32 coprocessor register encoding (MCR/MRC, or MCRR/MRRC when is64). */
export interface Aa32CpregEncoding {
  readonly cp: number;
  readonly opc1: number;
  readonly crn: number;
  readonly crm: number;
  readonly opc2: number;
  readonly is64: boolean;
  /** QEMU's Non-secure bank bit (bit 29 of the id). */
  readonly ns: boolean;
}

export type CpregEncoding = ({ readonly aarch64: true } & Aa64SysregEncoding) | ({ readonly aarch64: false } & Aa32CpregEncoding);

function field(v: number, bits: number, what: string): bigint {
  if (!Number.isInteger(v) || v < 0 || v >= 1 << bits) throw new RangeError(`${what} ${v} does not fit ${bits} bits`);
  return BigInt(v);
}

/** The cpreg list id of AArch64 system register S<op0>_<op1>_C<CRn>_C<CRm>_<op2>. */
export function aa64SysregIndex(op0: number, op1: number, crn: number, crm: number, op2: number): bigint {
  return (
    AA64_SYSREG_BASE |
    (field(op0, 2, "op0") << 14n) |
    (field(op1, 3, "op1") << 11n) |
    (field(crn, 4, "CRn") << 7n) |
    (field(crm, 4, "CRm") << 3n) |
    field(op2, 3, "op2")
  );
}

/** The cpreg list id of an AArch32 coprocessor register. */
export function aa32CpregIndex(e: Omit<Aa32CpregEncoding, "is64" | "ns"> & { readonly is64?: boolean; readonly ns?: boolean }): bigint {
  const is64 = e.is64 ?? false;
  if (is64 && e.crn !== 0) throw new RangeError("a 64-bit AArch32 register has no CRn");
  return (
    ARM32 |
    (is64 ? SIZE_U64 : SIZE_U32) |
    ((e.ns ?? false) ? 1n << 29n : 0n) |
    (field(e.cp, 4, "cp") << COPROC_SHIFT) |
    (field(e.crn, 4, "CRn") << 11n) |
    (field(e.crm, 4, "CRm") << 7n) |
    (field(e.opc1, 4, "opc1") << 3n) |
    field(e.opc2, 3, "opc2")
  );
}

/** Splits a cpreg list id into its encoding; undefined for ids QEMU never puts in the list. */
export function decodeCpregIndex(index: bigint): CpregEncoding | undefined {
  const arch = index & ARCH_MASK;
  const size = index & SIZE_MASK;
  const low = Number(index & 0xffffn);
  if (arch === ARM64) {
    if (size !== SIZE_U64 || ((index >> COPROC_SHIFT) & COPROC_MASK) !== ARM64_SYSREG_CP) return undefined;
    if ((index & 0x000f_ffff_f000_0000n) !== 0n) return undefined;
    return { aarch64: true, op0: (low >> 14) & 3, op1: (low >> 11) & 7, crn: (low >> 7) & 15, crm: (low >> 3) & 15, op2: low & 7 };
  }
  if (arch === ARM32 && (size === SIZE_U32 || size === SIZE_U64)) {
    if ((index & 0x000f_ffff_c000_0000n) !== 0n || (index & 0x8000n) !== 0n) return undefined;
    const cp = Number((index >> COPROC_SHIFT) & COPROC_MASK);
    if (cp > 15) return undefined;
    return {
      aarch64: false,
      cp,
      is64: size === SIZE_U64,
      ns: (index & (1n << 29n)) !== 0n,
      crn: (low >> 11) & 15,
      crm: (low >> 7) & 15,
      opc1: (low >> 3) & 15,
      opc2: low & 7,
    };
  }
  return undefined;
}

/** Some AArch64 system registers by name: the ones a guest's EL0/EL1 code, its timers and a hypervisor touch most. */
export const Sysreg = Object.freeze({
  // identification (the constant ID_* ones are in the list; MIDR and MPIDR are computed, so not)
  MIDR_EL1: aa64SysregIndex(3, 0, 0, 0, 0),
  MPIDR_EL1: aa64SysregIndex(3, 0, 0, 0, 5),
  REVIDR_EL1: aa64SysregIndex(3, 0, 0, 0, 6),
  ID_AA64PFR0_EL1: aa64SysregIndex(3, 0, 0, 4, 0),
  ID_AA64PFR1_EL1: aa64SysregIndex(3, 0, 0, 4, 1),
  ID_AA64ZFR0_EL1: aa64SysregIndex(3, 0, 0, 4, 4),
  ID_AA64SMFR0_EL1: aa64SysregIndex(3, 0, 0, 4, 5),
  ID_AA64DFR0_EL1: aa64SysregIndex(3, 0, 0, 5, 0),
  ID_AA64ISAR0_EL1: aa64SysregIndex(3, 0, 0, 6, 0),
  ID_AA64ISAR1_EL1: aa64SysregIndex(3, 0, 0, 6, 1),
  ID_AA64MMFR0_EL1: aa64SysregIndex(3, 0, 0, 7, 0),
  ID_AA64MMFR1_EL1: aa64SysregIndex(3, 0, 0, 7, 1),
  ID_AA64MMFR2_EL1: aa64SysregIndex(3, 0, 0, 7, 2),
  CCSIDR_EL1: aa64SysregIndex(3, 1, 0, 0, 0),
  CLIDR_EL1: aa64SysregIndex(3, 1, 0, 0, 1),
  CSSELR_EL1: aa64SysregIndex(3, 2, 0, 0, 0),
  CTR_EL0: aa64SysregIndex(3, 3, 0, 0, 1),
  DCZID_EL0: aa64SysregIndex(3, 3, 0, 0, 7),
  // EL1 system control and memory management
  SCTLR_EL1: aa64SysregIndex(3, 0, 1, 0, 0),
  ACTLR_EL1: aa64SysregIndex(3, 0, 1, 0, 1),
  CPACR_EL1: aa64SysregIndex(3, 0, 1, 0, 2),
  ZCR_EL1: aa64SysregIndex(3, 0, 1, 2, 0),
  SMCR_EL1: aa64SysregIndex(3, 0, 1, 2, 6),
  TTBR0_EL1: aa64SysregIndex(3, 0, 2, 0, 0),
  TTBR1_EL1: aa64SysregIndex(3, 0, 2, 0, 1),
  TCR_EL1: aa64SysregIndex(3, 0, 2, 0, 2),
  AFSR0_EL1: aa64SysregIndex(3, 0, 5, 1, 0),
  AFSR1_EL1: aa64SysregIndex(3, 0, 5, 1, 1),
  ESR_EL1: aa64SysregIndex(3, 0, 5, 2, 0),
  FAR_EL1: aa64SysregIndex(3, 0, 6, 0, 0),
  PAR_EL1: aa64SysregIndex(3, 0, 7, 4, 0),
  MAIR_EL1: aa64SysregIndex(3, 0, 10, 2, 0),
  AMAIR_EL1: aa64SysregIndex(3, 0, 10, 3, 0),
  VBAR_EL1: aa64SysregIndex(3, 0, 12, 0, 0),
  CONTEXTIDR_EL1: aa64SysregIndex(3, 0, 13, 0, 1),
  TPIDR_EL1: aa64SysregIndex(3, 0, 13, 0, 4),
  CNTKCTL_EL1: aa64SysregIndex(3, 0, 14, 1, 0),
  // special-purpose (these are aliases of fields, or not raw: normally absent from the list)
  SPSR_EL1: aa64SysregIndex(3, 0, 4, 0, 0),
  ELR_EL1: aa64SysregIndex(3, 0, 4, 0, 1),
  SP_EL0: aa64SysregIndex(3, 0, 4, 1, 0),
  NZCV: aa64SysregIndex(3, 3, 4, 2, 0),
  DAIF: aa64SysregIndex(3, 3, 4, 2, 1),
  SVCR: aa64SysregIndex(3, 3, 4, 2, 2),
  FPCR: aa64SysregIndex(3, 3, 4, 4, 0),
  FPSR: aa64SysregIndex(3, 3, 4, 4, 1),
  // EL0 thread registers
  TPIDR_EL0: aa64SysregIndex(3, 3, 13, 0, 2),
  TPIDRRO_EL0: aa64SysregIndex(3, 3, 13, 0, 3),
  TPIDR2_EL0: aa64SysregIndex(3, 3, 13, 0, 5),
  // generic timer
  CNTFRQ_EL0: aa64SysregIndex(3, 3, 14, 0, 0),
  CNTPCT_EL0: aa64SysregIndex(3, 3, 14, 0, 1),
  CNTVCT_EL0: aa64SysregIndex(3, 3, 14, 0, 2),
  CNTP_TVAL_EL0: aa64SysregIndex(3, 3, 14, 2, 0),
  CNTP_CTL_EL0: aa64SysregIndex(3, 3, 14, 2, 1),
  CNTP_CVAL_EL0: aa64SysregIndex(3, 3, 14, 2, 2),
  CNTV_TVAL_EL0: aa64SysregIndex(3, 3, 14, 3, 0),
  CNTV_CTL_EL0: aa64SysregIndex(3, 3, 14, 3, 1),
  CNTV_CVAL_EL0: aa64SysregIndex(3, 3, 14, 3, 2),
  // debug
  MDCCINT_EL1: aa64SysregIndex(2, 0, 0, 2, 0),
  MDSCR_EL1: aa64SysregIndex(2, 0, 0, 2, 2),
  OSLSR_EL1: aa64SysregIndex(2, 0, 1, 1, 4),
  OSDLR_EL1: aa64SysregIndex(2, 0, 1, 3, 4),
  // performance monitors
  PMINTENSET_EL1: aa64SysregIndex(3, 0, 9, 14, 1),
  PMCR_EL0: aa64SysregIndex(3, 3, 9, 12, 0),
  PMCNTENSET_EL0: aa64SysregIndex(3, 3, 9, 12, 1),
  PMOVSCLR_EL0: aa64SysregIndex(3, 3, 9, 12, 3),
  PMSELR_EL0: aa64SysregIndex(3, 3, 9, 12, 5),
  PMCCNTR_EL0: aa64SysregIndex(3, 3, 9, 13, 0),
  PMUSERENR_EL0: aa64SysregIndex(3, 3, 9, 14, 0),
  PMCCFILTR_EL0: aa64SysregIndex(3, 3, 14, 15, 7),
  // EL2
  VPIDR_EL2: aa64SysregIndex(3, 4, 0, 0, 0),
  VMPIDR_EL2: aa64SysregIndex(3, 4, 0, 0, 5),
  SCTLR_EL2: aa64SysregIndex(3, 4, 1, 0, 0),
  HCR_EL2: aa64SysregIndex(3, 4, 1, 1, 0),
  MDCR_EL2: aa64SysregIndex(3, 4, 1, 1, 1),
  CPTR_EL2: aa64SysregIndex(3, 4, 1, 1, 2),
  TTBR0_EL2: aa64SysregIndex(3, 4, 2, 0, 0),
  TCR_EL2: aa64SysregIndex(3, 4, 2, 0, 2),
  VTTBR_EL2: aa64SysregIndex(3, 4, 2, 1, 0),
  VTCR_EL2: aa64SysregIndex(3, 4, 2, 1, 2),
  ESR_EL2: aa64SysregIndex(3, 4, 5, 2, 0),
  FAR_EL2: aa64SysregIndex(3, 4, 6, 0, 0),
  HPFAR_EL2: aa64SysregIndex(3, 4, 6, 0, 4),
  MAIR_EL2: aa64SysregIndex(3, 4, 10, 2, 0),
  VBAR_EL2: aa64SysregIndex(3, 4, 12, 0, 0),
  TPIDR_EL2: aa64SysregIndex(3, 4, 13, 0, 2),
  CNTVOFF_EL2: aa64SysregIndex(3, 4, 14, 0, 3),
  CNTHCTL_EL2: aa64SysregIndex(3, 4, 14, 1, 0),
  CNTHP_CTL_EL2: aa64SysregIndex(3, 4, 14, 2, 1),
  CNTHP_CVAL_EL2: aa64SysregIndex(3, 4, 14, 2, 2),
  // EL3
  SCTLR_EL3: aa64SysregIndex(3, 6, 1, 0, 0),
  SCR_EL3: aa64SysregIndex(3, 6, 1, 1, 0),
  CPTR_EL3: aa64SysregIndex(3, 6, 1, 1, 2),
  TTBR0_EL3: aa64SysregIndex(3, 6, 2, 0, 0),
  TCR_EL3: aa64SysregIndex(3, 6, 2, 0, 2),
  ESR_EL3: aa64SysregIndex(3, 6, 5, 2, 0),
  FAR_EL3: aa64SysregIndex(3, 6, 6, 0, 0),
  MAIR_EL3: aa64SysregIndex(3, 6, 10, 2, 0),
  VBAR_EL3: aa64SysregIndex(3, 6, 12, 0, 0),
  CNTPS_CTL_EL1: aa64SysregIndex(3, 7, 14, 2, 1),
  CNTPS_CVAL_EL1: aa64SysregIndex(3, 7, 14, 2, 2),
});
export type SysregName = keyof typeof Sysreg;

const namesById = new Map<bigint, SysregName>(Object.entries(Sysreg).map(([k, v]) => [v, k as SysregName]));

/**
 * A readable name for a cpreg id: the Sysreg name when there is one, else
 * the generic system register name S<op0>_<op1>_C<n>_C<m>_<op2>, or for
 * AArch32 "p<cp>,<opc1>,c<n>,c<m>,<opc2>" ("p<cp>,<opc1>,c<m>" for 64-bit
 * ones), with "(NS)" for QEMU's Non-secure banked copies.
 */
export function cpregName(index: bigint): string {
  const known = namesById.get(index);
  if (known) return known;
  const e = decodeCpregIndex(index);
  if (!e) return `0x${index.toString(16)}`;
  if (e.aarch64) return `S${e.op0}_${e.op1}_C${e.crn}_C${e.crm}_${e.op2}`;
  const bank = e.ns ? " (NS)" : "";
  return e.is64 ? `p${e.cp},${e.opc1},c${e.crm}${bank}` : `p${e.cp},${e.opc1},c${e.crn},c${e.crm},${e.opc2}${bank}`;
}

/** The cpreg list of a `cpu` state. */
export interface CpregList {
  cpreg_vmstate_array_len: number;
  cpreg_vmstate_indexes: BigUint64Array;
  cpreg_vmstate_values: BigUint64Array;
}

function resolve(r: bigint | SysregName): bigint {
  return typeof r === "bigint" ? r : Sysreg[r];
}

/** Position of register `r` in the list (binary search: QEMU keeps it sorted), or -1. */
export function findCpreg(s: Readonly<CpregList>, r: bigint | SysregName): number {
  const id = resolve(r);
  const ids = s.cpreg_vmstate_indexes;
  let lo = 0;
  let hi = Math.min(s.cpreg_vmstate_array_len, ids.length) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The value of register `r` (an id or a Sysreg name), or undefined when the list lacks it. */
export function readCpreg(s: Readonly<CpregList>, r: bigint | SysregName): bigint | undefined {
  const i = findCpreg(s, r);
  return i < 0 ? undefined : s.cpreg_vmstate_values[i];
}

/**
 * Sets register `r`. A register the list lacks is inserted in id order
 * (growing the list) unless `insert` is false, when it throws: a QEMU whose
 * CPU model lacks the register refuses the whole stream.
 */
export function writeCpreg(s: CpregList, r: bigint | SysregName, value: bigint, options: { insert?: boolean } = {}): void {
  const id = resolve(r);
  const v = BigInt.asUintN(64, value);
  const i = findCpreg(s, id);
  if (i >= 0) {
    s.cpreg_vmstate_values[i] = v;
    return;
  }
  if (options.insert === false) throw new RangeError(`the cpreg list has no register ${cpregName(id)}`);
  const n = s.cpreg_vmstate_array_len;
  let at = 0;
  while (at < n && s.cpreg_vmstate_indexes[at]! < id) at++;
  const ids = new BigUint64Array(n + 1);
  const vals = new BigUint64Array(n + 1);
  ids.set(s.cpreg_vmstate_indexes.subarray(0, at), 0);
  vals.set(s.cpreg_vmstate_values.subarray(0, at), 0);
  ids[at] = id;
  vals[at] = v;
  ids.set(s.cpreg_vmstate_indexes.subarray(at, n), at + 1);
  vals.set(s.cpreg_vmstate_values.subarray(at, n), at + 1);
  s.cpreg_vmstate_indexes = ids;
  s.cpreg_vmstate_values = vals;
  s.cpreg_vmstate_array_len = n + 1;
}

/** Replaces the whole list with `regs` (sorted by id here, as QEMU requires). */
export function setCpregList(s: CpregList, regs: Iterable<readonly [bigint, bigint]>): void {
  const sorted = [...regs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]![0] === sorted[i - 1]![0]) throw new RangeError(`register ${cpregName(sorted[i]![0])} appears twice`);
  }
  s.cpreg_vmstate_indexes = BigUint64Array.from(sorted, (r) => BigInt.asUintN(64, r[0]));
  s.cpreg_vmstate_values = BigUint64Array.from(sorted, (r) => BigInt.asUintN(64, r[1]));
  s.cpreg_vmstate_array_len = sorted.length;
}

/** The list as [id, value] pairs, in list order. */
export function cpregEntries(s: Readonly<CpregList>): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (let i = 0; i < s.cpreg_vmstate_array_len; i++) out.push([s.cpreg_vmstate_indexes[i]!, s.cpreg_vmstate_values[i]!]);
  return out;
}
