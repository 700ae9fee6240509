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
  /** GICv3 ITS (its=on): the control frame, then the translation frame at +64 KiB. */
  gits: 0x0808_0000n,
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
  /** RD_base registers of the LPI support (its mode). */
  GICR_CTLR: 0x0000,
  GICR_CTLR_ENABLE_LPIS: 0x1,
  GICR_PROPBASER: 0x0070,
  GICR_PENDBASER: 0x0078,
  /** GICR_PENDBASER.PTZ: the pending table is zero. */
  GICR_PENDBASER_PTZ: 1n << 62n,
} as const;

/** GICv3 ITS registers (offsets from VIRT.gits) and command opcodes the its mode uses. */
export const ITS = {
  GITS_CTLR: 0x0000,
  GITS_CTLR_ENABLED: 0x1,
  GITS_CBASER: 0x0080,
  GITS_CWRITER: 0x0088,
  GITS_CREADR: 0x0090,
  /** GITS_BASER0 (device table) and GITS_BASER1 (collection table), 8 bytes apart. */
  GITS_BASER0: 0x0100,
  GITS_BASER1: 0x0108,
  /** In the translation frame: a CPU's write of an EventID raises it for DeviceID 0 on QEMU. */
  GITS_TRANSLATER: 0x1_0040,
  /** GITS_BASERn / GITS_CBASER: Valid. Page size field 0 = 4 KiB; Size = pages - 1. */
  VALID: 1n << 63n,
  CMD_MOVI: 0x01,
  CMD_INT: 0x03,
  CMD_CLEAR: 0x04,
  CMD_SYNC: 0x05,
  CMD_MAPD: 0x08,
  CMD_MAPC: 0x09,
  CMD_MAPTI: 0x0a,
  CMD_INV: 0x0c,
  CMD_DISCARD: 0x0f,
  CMD_SIZE: 32,
} as const;

/** The first LPI INTID. */
export const LPI_BASE = 8192;
/** GICR_PROPBASER.IDbits of the its mode: 15, i.e. 16 bits of INTID (LPIs 8192..65535). */
export const LPI_ID_BITS = 16;

/** The EL1 virtual timer's PPI (INTID) on QEMU's virt. */
export const VTIMER_PPI = 27;
/** QEMU 7.2's generic timer frequency (62.5 MHz: a 16 ns tick). */
export const CNTFRQ_HZ = 62_500_000;

/**
 * The workload's RAM map:
 *   0x4020_0000  the image: vectors, code, read-only data, then one page of shared data
 *   0x4030_0000  per-CPU blocks, CPU_BLOCK_SIZE apart (counters, results, EL0 and EL1 stacks)
 *   0x4040_0000  per-CPU RAM windows, WINDOW_STRIDE apart, that the main loop dirties
 *   0x4480_0000  its mode only: the LPI and ITS tables (ITS_TABLES), clear of the windows of
 *                MAX_CPUS CPUs (they end at 0x4440_0000); the whole map ends below 0x4800_0000
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

/**
 * Its mode's tables (zeroed by the guest before use):
 *   lpiProperties   one byte per LPI from INTID 8192 (priority | enable), 2^16 - 8192 bytes,
 *                   GICR_PROPBASER of every CPU
 *   deviceTable     GITS_BASER0, deviceTablePages 4 KiB pages (8-byte entries on QEMU)
 *   collectionTable GITS_BASER1, one 4 KiB page
 *   itts            one ITT per device, ITT_STRIDE apart (256-byte aligned, room for
 *                   2^ITS_EVENT_BITS entries of up to 16 bytes; QEMU's are 12)
 *   commandQueue    GITS_CBASER, commandQueueBytes (a power of two)
 *   pendingTables   GICR_PENDBASER, 64 KiB apart (and aligned), one per CPU; 8 KiB used each
 */
export const ITS_TABLES = {
  lpiProperties: 0x4480_0000n,
  lpiPropertiesBytes: 2 ** LPI_ID_BITS - LPI_BASE,
  deviceTable: 0x4481_0000n,
  deviceTablePages: 1,
  collectionTable: 0x4481_1000n,
  itts: 0x4481_2000n,
  ittStride: 0x1000n,
  commandQueue: 0x4482_0000n,
  commandQueueBytes: 0x1_0000,
  pendingTables: 0x4490_0000n,
  pendingStride: 0x1_0000n,
  pendingBytes: 2 ** LPI_ID_BITS / 8,
  /** End of the region (the pending tables of MAX_CPUS CPUs). */
  end: 0x44d0_0000n,
} as const;
/** Its mode: devices mapped (DeviceIDs 0..ITS_DEVICES-1; DeviceID 0 is what a CPU's GITS_TRANSLATER write raises). */
export const ITS_DEVICES = 4;
/** Its mode: EventIDs per device and CPU; CPU c owns EventIDs c*ITS_EVENTS_PER_CPU.. of every device. */
export const ITS_EVENTS_PER_CPU = 4;
/** Its mode: MAPD's EventID bits (room for MAX_CPUS * ITS_EVENTS_PER_CPU events). */
export const ITS_EVENT_BITS = 8;
/** Its mode: LPIs per CPU (ITS_DEVICES * ITS_EVENTS_PER_CPU), INTIDs LPI_BASE + cpu * LPIS_PER_CPU + index. */
export const LPIS_PER_CPU = ITS_DEVICES * ITS_EVENTS_PER_CPU;

export const cpuBlock = (cpu: number) => CPU_BLOCKS + BigInt(cpu) * CPU_BLOCK_SIZE;
export const cpuWindow = (cpu: number) => WINDOWS + BigInt(cpu) * WINDOW_STRIDE;
/** Top of the CPU's EL1 stack (SP_EL1). */
export const cpuStackTop = (cpu: number) => cpuBlock(cpu) + CPU_BLOCK_SIZE;
/** Top of the CPU's EL0 stack (SP_EL0), the middle of its block. */
export const cpuUserStackTop = (cpu: number) => cpuBlock(cpu) + CPU_BLOCK_SIZE / 2n;
/** Its mode: the CPU's LPI pending table (GICR_PENDBASER). */
export const cpuPendingTable = (cpu: number) => ITS_TABLES.pendingTables + BigInt(cpu) * ITS_TABLES.pendingStride;
/** Its mode: the ITT of a device. */
export const deviceItt = (device: number) => ITS_TABLES.itts + BigInt(device) * ITS_TABLES.ittStride;
/** Its mode: LPI `index` (0..LPIS_PER_CPU-1: device index >> 2, event index & 3) of a CPU. */
export const cpuLpi = (cpu: number, index: number) => LPI_BASE + cpu * LPIS_PER_CPU + index;
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
  /** Its mode: LPIs taken (dword), counted by the IRQ handler. */
  lpis: 0x70,
  /** Its mode: hash of the INTIDs of the LPIs taken, in order: h = h * 31 + INTID (dword). */
  lpiHash: 0x78,
  /** Its mode: LPIs the CPU raised and waits for (dword). */
  lpisExpected: 0x80,
  /** Its mode: waits for an LPI that gave up (dword; 0 unless LPIs get lost). */
  lpiTimeouts: 0x88,
  /** Its mode: the LPI count when the CPU last printed "L" (dword). */
  lpisPrinted: 0x90,
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
  /** Its mode: spinlock around the ITS command queue (word). */
  itsLock: 0x18,
  /** Its mode: CPUs whose redistributor has LPIs enabled and collections mapped (word). */
  itsReady: 0x20,
} as const;
