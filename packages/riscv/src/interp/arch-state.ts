/**
 * The architectural state of one RV64GC hart, as a plain value.
 *
 * Field names follow QEMU 7.2's `CPURISCVState` (target/riscv/cpu.h) so the
 * lead can map them onto the "cpu" migration section. 64-bit CSRs are bigints
 * holding the unsigned 64-bit value.
 */
export interface RiscvHartArchState {
  /** x0..x31 (x0 is always 0). */
  gpr: BigUint64Array;
  /** f0..f31, raw 64-bit contents (singles are NaN-boxed: upper 32 bits all ones). */
  fpr: BigUint64Array;
  pc: bigint;
  /** Current privilege: 0 = U, 1 = S, 3 = M. */
  priv: 0 | 1 | 3;

  /**
   * mstatus as QEMU stores it: without the SD bit (QEMU computes SD on read);
   * SXL/UXL (bits 35:32) are 2 (64-bit).
   */
  mstatus: bigint;
  /** Pending interrupts: device-driven bits OR software-written bits. */
  mip: bigint;
  mie: bigint;
  mideleg: bigint;
  medeleg: bigint;
  mtvec: bigint;
  stvec: bigint;
  mepc: bigint;
  sepc: bigint;
  mcause: bigint;
  scause: bigint;
  mtval: bigint;
  stval: bigint;
  mscratch: bigint;
  sscratch: bigint;
  satp: bigint;
  mcounteren: bigint;
  scounteren: bigint;
  mcountinhibit: bigint;
  menvcfg: bigint;
  senvcfg: bigint;

  /** Dynamic rounding mode (fcsr[7:5]). */
  frm: number;
  /** Accrued exception flags (fcsr[4:0]). QEMU keeps these in fp_status. */
  fflags: number;

  /** LR/SC reservation: the (virtual) address of the last LR, or all ones when none (as QEMU). */
  load_res: bigint;
  /** The value the LR loaded (sign-extended for LR.W), compared by SC as QEMU does. */
  load_val: bigint;

  /** pmpcfg bytes of entries 0..15 (pmpcfg0 holds entries 0..7, pmpcfg2 entries 8..15). */
  pmpcfg: Uint8Array;
  /** pmpaddr0..15. */
  pmpaddr: BigUint64Array;

  /** misa.MXL (2 = 64-bit). */
  misa_mxl: number;
  /** misa extension bits (bit 0 = A ... bit 25 = Z). */
  misa_ext: number;
  mhartid: bigint;

  /** Machine cycle counter (this interpreter counts one cycle per retired instruction). */
  mcycle: bigint;
  /** Retired-instruction counter. */
  minstret: bigint;

  /** The hart executed WFI and waits for an interrupt (QEMU: CPUState.halted). */
  wfi: boolean;

  /** Supervisor external interrupt line as driven by the interrupt controller (QEMU: external_seip). */
  external_seip: boolean;
  /** mip.SEIP as written by M-mode software (QEMU: software_seip). */
  software_seip: boolean;
}

/** A zeroed state, as a starting point for callers that build one by hand. */
export function emptyArchState(): RiscvHartArchState {
  return {
    gpr: new BigUint64Array(32),
    fpr: new BigUint64Array(32),
    pc: 0n,
    priv: 3,
    mstatus: 0xa00000000n,
    mip: 0n,
    mie: 0n,
    mideleg: 0n,
    medeleg: 0n,
    mtvec: 0n,
    stvec: 0n,
    mepc: 0n,
    sepc: 0n,
    mcause: 0n,
    scause: 0n,
    mtval: 0n,
    stval: 0n,
    mscratch: 0n,
    sscratch: 0n,
    satp: 0n,
    mcounteren: 0n,
    scounteren: 0n,
    mcountinhibit: 0n,
    menvcfg: 0n,
    senvcfg: 0n,
    frm: 0,
    fflags: 0,
    load_res: 0xffff_ffff_ffff_ffffn,
    load_val: 0n,
    pmpcfg: new Uint8Array(16),
    pmpaddr: new BigUint64Array(16),
    misa_mxl: 2,
    misa_ext: 0,
    mhartid: 0n,
    mcycle: 0n,
    minstret: 0n,
    wfi: false,
    external_seip: false,
    software_seip: false,
  };
}
