// Where the built-in workload puts things in a QEMU-virt-like machine: device addresses
// (those of QEMU 7.2's hw/riscv/virt.c) and the workload's own RAM map. Shared by the
// program builder, the tests and whoever inspects guest RAM afterwards.

/** QEMU virt devices the workload touches. */
export const VIRT = {
  /** DRAM base; QEMU's reset vector (at 0x1000) jumps here with -bios none. */
  dram: 0x8000_0000n,
  /** ns16550 UART: THR at +0, LSR at +5 (bit 5: THR empty). */
  uart0: 0x1000_0000n,
  /** ACLINT/CLINT: msip at +4*hart, mtimecmp at +0x4000 + 8*hart, mtime at +0xbff8. */
  clint: 0x0200_0000n,
  plic: 0x0c00_0000n,
} as const;

export const UART_THR = 0;
export const UART_LSR = 5;
export const UART_LSR_THRE = 0x20;
export const CLINT_MTIMECMP = 0x4000n;
export const CLINT_MTIME = 0xbff8n;
/** QEMU virt's mtime frequency (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ). */
export const MTIME_HZ = 10_000_000;

/**
 * The workload's RAM map:
 *   0x8000_0000  the image: code, read-only strings, then one page of shared data
 *   0x8010_0000  per-hart blocks, HART_BLOCK_SIZE apart (counters, trap save area,
 *                results, FP scratch; the hart's stack grows down from the block's end)
 *   0x8040_0000  per-hart RAM windows, WINDOW_STRIDE apart, that the main loop dirties
 */
export const HART_BLOCKS = 0x8010_0000n;
export const HART_BLOCK_SIZE = 0x4000n;
export const WINDOWS = 0x8040_0000n;
export const WINDOW_STRIDE = 0x10_0000n;
export const PAGE_SIZE = 4096;
/** Most harts the map has room for (RAM windows end at 0x8440_0000, below QEMU's fdt in 128 MiB). */
export const MAX_HARTS = 64;
/** Largest RAM window (WINDOW_STRIDE). */
export const MAX_WINDOW_PAGES = Number(WINDOW_STRIDE) / PAGE_SIZE;

export const hartBlock = (hart: number) => HART_BLOCKS + BigInt(hart) * HART_BLOCK_SIZE;
export const hartWindow = (hart: number) => WINDOWS + BigInt(hart) * WINDOW_STRIDE;
export const hartStackTop = (hart: number) => hartBlock(hart) + HART_BLOCK_SIZE;

/** Offsets in a hart block (tp points at the block while the workload runs). */
export const HB = {
  /** Machine-timer interrupts taken (dword). */
  timerTicks: 0x00,
  /** Iterations finished so far (dword), for anyone watching RAM. */
  iterations: 0x08,
  /** mcause, mepc, mtval of an unexpected trap (dwords); zero when none happened. */
  badCause: 0x10,
  badEpc: 0x18,
  badTval: 0x20,
  /** Address of this hart's mtimecmp (dword), and the timer interval in mtime ticks. */
  mtimecmp: 0x28,
  timerInterval: 0x30,
  /** ecall/ebreak traps handled (dword). */
  syncTraps: 0x38,
  /** Registers the trap handler borrows (t0..t3). */
  save: 0x40,
  /** Final mode: s0..s11 as left in the registers, then the hart id (13 dwords). */
  results: 0x100,
  /** Scratch for FP loads and stores. */
  fpScratch: 0x200,
} as const;

/** Offsets in the image's shared data page. */
export const SHARED = {
  /** Spinlock around UART output (word). */
  uartLock: 0x00,
  /** Harts that finished the final phase (word). */
  done: 0x08,
  /** Harts that got through their setup (word). */
  started: 0x10,
} as const;
