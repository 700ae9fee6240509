/** CSR numbers, mstatus/mip bits and exception causes used by the interpreter (RISC-V privileged spec 1.12). */

export const CSR = {
  fflags: 0x001,
  frm: 0x002,
  fcsr: 0x003,
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  satp: 0x180,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mcountinhibit: 0x320,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  pmpcfg0: 0x3a0,
  pmpcfg2: 0x3a2,
  pmpaddr0: 0x3b0,
  mcycle: 0xb00,
  minstret: 0xb02,
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
} as const;

/** mstatus bits (all writable ones live in the low 32 bits). */
export const MSTATUS = {
  SIE: 1 << 1,
  MIE: 1 << 3,
  SPIE: 1 << 5,
  UBE: 1 << 6,
  MPIE: 1 << 7,
  SPP: 1 << 8,
  VS: 3 << 9,
  MPP: 3 << 11,
  FS: 3 << 13,
  XS: 3 << 15,
  MPRV: 1 << 17,
  SUM: 1 << 18,
  MXR: 1 << 19,
  TVM: 1 << 20,
  TW: 1 << 21,
  TSR: 1 << 22,
} as const;

/** Interrupt numbers (bit positions in mip/mie). */
export const IRQ = {
  SSI: 1,
  MSI: 3,
  STI: 5,
  MTI: 7,
  SEI: 9,
  MEI: 11,
  LCOFI: 13,
} as const;

/** Synchronous exception causes. */
export const EXC = {
  INST_MISALIGNED: 0,
  INST_ACCESS: 1,
  ILLEGAL: 2,
  BREAKPOINT: 3,
  LOAD_MISALIGNED: 4,
  LOAD_ACCESS: 5,
  STORE_MISALIGNED: 6,
  STORE_ACCESS: 7,
  ECALL_U: 8,
  ECALL_S: 9,
  ECALL_M: 11,
  INST_PAGE: 12,
  LOAD_PAGE: 13,
  STORE_PAGE: 15,
} as const;

/** fflags bits. */
export const FFLAGS = { NX: 1, UF: 2, OF: 4, DZ: 8, NV: 16 } as const;

/** misa extension letters of this hart: I M A F D C S U. */
export const MISA_EXT =
  (1 << 0) /* A */ | (1 << 2) /* C */ | (1 << 3) /* D */ | (1 << 5) /* F */ | (1 << 8) /* I */ | (1 << 12) /* M */ | (1 << 18) /* S */ | (1 << 20); /* U */

/** QEMU 7.2's marchid/mimpid default: (major << 16) | (minor << 8) | micro. */
export const QEMU_72_ARCHID = 0x070200n;
