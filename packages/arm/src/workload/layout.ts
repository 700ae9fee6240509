// Where the built-in workload puts things on a QEMU-virt-like aarch64 machine: device
// addresses (those of QEMU 7.2's hw/arm/virt.c with gic-version=3) and the workload's own
// RAM map. Shared by the program builder, the tests and whoever inspects guest RAM.

/** QEMU virt devices and memory the workload touches. */
export const VIRT = {
  /** DRAM base (128 MiB in the reference runs). QEMU puts the DTB here for a bare-metal ELF loaded higher up. */
  dram: 0x4000_0000n,
  /** Where the workload is linked and loaded (2 MiB into RAM, clear of the DTB). */
  load: 0x4020_0000n,
  /** PL011 UART: DR at +0, FR at +0x18 (bit 5 TXFF). */
  uart0: 0x0900_0000n,
  /** GICv3 distributor. */
  gicd: 0x0800_0000n,
  /** GICv3 redistributors: 128 KiB (RD_base, then SGI_base at +64 KiB) per CPU. */
  gicr: 0x080a_0000n,
} as const;

export const UART_DR = 0;
export const UART_FR = 0x18;
export const UART_FR_TXFF = 0x20;

/** GICv3 registers the interrupt mode programs. */
export const GIC = {
  GICD_CTLR: 0x0000,
  /** GICD_CTLR: EnableGrp1NS (bit 1) | ARE_NS (bit 4). */
  GICD_CTLR_VALUE: 0x12,
  GICR_STRIDE: 0x2_0000n,
  GICR_WAKER: 0x0014,
  GICR_SGI_BASE: 0x1_0000,
  GICR_IGROUPR0: 0x0080,
  GICR_ISENABLER0: 0x0100,
  GICR_IPRIORITYR: 0x0400,
} as const;

/** The EL1 virtual timer's PPI (INTID) on QEMU's virt. */
export const VTIMER_PPI = 27;
/** QEMU 7.2's generic timer frequency (62.5 MHz: a 16 ns tick). */
export const CNTFRQ_HZ = 62_500_000;

/**
 * The workload's RAM map:
 *   0x4020_0000  the image: vectors, code, read-only data, then one page of shared data
 *   0x4030_0000  per-CPU blocks, CPU_BLOCK_SIZE apart (counters, results, EL0 and EL1 stacks)
 *   0x4040_0000  per-CPU RAM windows, WINDOW_STRIDE apart, that the main loop dirties
 */
export const CPU_BLOCKS = 0x4030_0000n;
export const CPU_BLOCK_SIZE = 0x4000n;
export const WINDOWS = 0x4040_0000n;
export const WINDOW_STRIDE = 0x10_0000n;
export const PAGE_SIZE = 4096;
/** Most CPUs the map has room for (windows end at 0x4440_0000, inside 128 MiB). */
export const MAX_CPUS = 64;
/** Largest RAM window (WINDOW_STRIDE). */
export const MAX_WINDOW_PAGES = Number(WINDOW_STRIDE) / PAGE_SIZE;

export const cpuBlock = (cpu: number) => CPU_BLOCKS + BigInt(cpu) * CPU_BLOCK_SIZE;
export const cpuWindow = (cpu: number) => WINDOWS + BigInt(cpu) * WINDOW_STRIDE;
/** Top of the CPU's EL1 stack (SP_EL1). */
export const cpuStackTop = (cpu: number) => cpuBlock(cpu) + CPU_BLOCK_SIZE;
/** Top of the CPU's EL0 stack (SP_EL0), the middle of its block. */
export const cpuUserStackTop = (cpu: number) => cpuBlock(cpu) + CPU_BLOCK_SIZE / 2n;
/** MPIDR_EL1 affinity of a CPU index on virt with GICv3: Aff0 = index % 16, Aff1 = index / 16. */
export const cpuAffinity = (cpu: number) => (BigInt(cpu >> 4) << 8n) | BigInt(cpu & 15);

/** Offsets in a CPU block (x18 points at it while the workload runs). */
export const CB = {
  /** Virtual timer interrupts taken (dword). */
  timerTicks: 0x00,
  /** Iterations finished so far (dword). */
  iterations: 0x08,
  /** ESR, ELR, FAR of an unexpected exception, and the vector offset (dwords); zero when none happened. */
  badEsr: 0x10,
  badElr: 0x18,
  badFar: 0x20,
  badVector: 0x28,
  /** Sum of the SVC immediates taken at EL1 (dword). */
  svcSum: 0x30,
  /** Sum of the BRK immediates taken (dword). */
  brkSum: 0x38,
  /** Where an EL0 excursion returns to at EL1 (dword). */
  userReturn: 0x40,
  /** SVCs taken from EL0 (dword). */
  userSvcs: 0x48,
  /** A counter updated with load/store-exclusive (dword). */
  exclusive: 0x50,
  /** Load-acquire/store-release scratch (dword). */
  acquire: 0x58,
  /** Timer interval in counter ticks (dword). */
  timerInterval: 0x60,
  /** Final mode: x19..x28 as left in the registers, then the CPU index (11 dwords). */
  results: 0x100,
} as const;

/** Offsets in the image's shared data page. */
export const SHARED = {
  /** Spinlock around UART output (word). */
  uartLock: 0x00,
  /** CPUs that finished the final phase (word). */
  done: 0x08,
  /** CPUs that got through their setup (word). */
  started: 0x10,
} as const;
