/**
 * System register keys as the interpreter decodes MRS/MSR: bits 20:5 of the
 * instruction, op0:op1:CRn:CRm:op2 (the same fields ../cpu/cpreg.ts packs
 * into QEMU's cpreg ids with aa64SysregIndex).
 */

/** The 16-bit key of a system register. */
export function sysKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

/** [op0, op1, CRn, CRm, op2] of a key. */
export function sysKeyFields(key: number): [number, number, number, number, number] {
  return [(key >>> 14) & 3, (key >>> 11) & 7, (key >>> 7) & 15, (key >>> 3) & 15, key & 7];
}

/** The system registers the interpreter implements itself. */
export const SYS = {
  NZCV: sysKey(3, 3, 4, 2, 0),
  DAIF: sysKey(3, 3, 4, 2, 1),
  FPCR: sysKey(3, 3, 4, 4, 0),
  FPSR: sysKey(3, 3, 4, 4, 1),
  CURRENTEL: sysKey(3, 0, 4, 2, 2),
  SPSEL: sysKey(3, 0, 4, 2, 0),
  SP_EL0: sysKey(3, 0, 4, 1, 0),
  SPSR_EL1: sysKey(3, 0, 4, 0, 0),
  ELR_EL1: sysKey(3, 0, 4, 0, 1),
  MIDR_EL1: sysKey(3, 0, 0, 0, 0),
  MPIDR_EL1: sysKey(3, 0, 0, 0, 5),
  SCTLR_EL1: sysKey(3, 0, 1, 0, 0),
  ACTLR_EL1: sysKey(3, 0, 1, 0, 1),
  CPACR_EL1: sysKey(3, 0, 1, 0, 2),
  TTBR0_EL1: sysKey(3, 0, 2, 0, 0),
  TTBR1_EL1: sysKey(3, 0, 2, 0, 1),
  TCR_EL1: sysKey(3, 0, 2, 0, 2),
  ESR_EL1: sysKey(3, 0, 5, 2, 0),
  FAR_EL1: sysKey(3, 0, 6, 0, 0),
  PAR_EL1: sysKey(3, 0, 7, 4, 0),
  MAIR_EL1: sysKey(3, 0, 10, 2, 0),
  AMAIR_EL1: sysKey(3, 0, 10, 3, 0),
  VBAR_EL1: sysKey(3, 0, 12, 0, 0),
  ISR_EL1: sysKey(3, 0, 12, 1, 0),
  CONTEXTIDR_EL1: sysKey(3, 0, 13, 0, 1),
  TPIDR_EL1: sysKey(3, 0, 13, 0, 4),
  TPIDR_EL0: sysKey(3, 3, 13, 0, 2),
  TPIDRRO_EL0: sysKey(3, 3, 13, 0, 3),
  CNTKCTL_EL1: sysKey(3, 0, 14, 1, 0),
  CNTFRQ_EL0: sysKey(3, 3, 14, 0, 0),
  CNTPCT_EL0: sysKey(3, 3, 14, 0, 1),
  CNTVCT_EL0: sysKey(3, 3, 14, 0, 2),
  CNTV_TVAL_EL0: sysKey(3, 3, 14, 3, 0),
  CNTV_CTL_EL0: sysKey(3, 3, 14, 3, 1),
  CNTV_CVAL_EL0: sysKey(3, 3, 14, 3, 2),
  CTR_EL0: sysKey(3, 3, 0, 0, 1),
  DCZID_EL0: sysKey(3, 3, 0, 0, 7),
} as const;

/** Exception classes (ESR_ELx.EC) the interpreter raises. */
export const ESR_EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  FP_ACCESS: 0x07,
  ILLEGAL_STATE: 0x0e,
  SVC64: 0x15,
  HVC64: 0x16,
  SYSREG: 0x18,
  IABORT_LOWER: 0x20,
  IABORT_SAME: 0x21,
  PC_ALIGN: 0x22,
  DABORT_LOWER: 0x24,
  DABORT_SAME: 0x25,
  SP_ALIGN: 0x26,
  BRK64: 0x3c,
} as const;

/** PSCI function ids (ARM DEN 0022) and return codes, as QEMU 7.2's target/arm/psci.c handles them. */
export const PSCI = {
  VERSION: 0x8400_0000n,
  CPU_SUSPEND: 0x8400_0001n,
  CPU_OFF: 0x8400_0002n,
  CPU_ON: 0x8400_0003n,
  AFFINITY_INFO: 0x8400_0004n,
  MIGRATE: 0x8400_0005n,
  MIGRATE_INFO_TYPE: 0x8400_0006n,
  SYSTEM_OFF: 0x8400_0008n,
  SYSTEM_RESET: 0x8400_0009n,
  FEATURES: 0x8400_000an,
  CPU_SUSPEND64: 0xc400_0001n,
  CPU_ON64: 0xc400_0003n,
  AFFINITY_INFO64: 0xc400_0004n,
  /** PSCI 0.1 ids QEMU still accepts. */
  CPU_SUSPEND_01: 0x95c1_ba5en,
  CPU_OFF_01: 0x95c1_ba5fn,
  CPU_ON_01: 0x95c1_ba60n,
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  /** What PSCI_FEATURES reports as present (QEMU's list). */
  SUPPORTED: [
    0x8400_0000n, 0x8400_0006n, 0x8400_0004n, 0xc400_0004n, 0x8400_0009n, 0x8400_0008n, 0x95c1_ba60n, 0x8400_0003n, 0xc400_0003n,
    0x95c1_ba5fn, 0x8400_0002n, 0x95c1_ba5en, 0x8400_0001n, 0xc400_0001n, 0x8400_000an,
  ] as readonly bigint[],
} as const;
