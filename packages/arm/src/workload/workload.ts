// The project's built-in AArch64 guest: a bare-metal EL1 program for QEMU's virt board
// (gic-version=3), linked at 0x4020_0000 and run as an ELF with -kernel. QEMU starts CPU 0
// at the entry at EL1h with interrupts masked; CPU 0 prints a banner on the PL011 and
// starts the other CPUs with PSCI CPU_ON (HVC). Every CPU then loops over deterministic
// integer, memory, exclusive, FP and system-register work, dirties its RAM window page
// after page, takes SVC and BRK exceptions at EL1, makes an excursion to EL0 and back
// through an SVC, optionally takes virtual timer interrupts through the GICv3, and prints
// progress - a guest whose state is worth migrating. In "final" mode it stops after a
// fixed number of iterations with its results in registers, so an emulator's end state
// can be compared with QEMU's.
//
// The "its" mode (QEMU's virt,gic-version=3,its=on) adds LPIs: CPU 0 programs the ITS
// (device and collection tables, command queue) and maps four devices, every CPU gives its
// redistributor the shared LPI property table and its own pending table, maps its
// collections and LPIs with ITS commands, and each iteration raises LPIs through
// GITS_TRANSLATER and INT - some with IRQs masked so that they stay pending for a while -
// and exercises CLEAR, MOVI (also to another CPU's redistributor), DISCARD + MAPTI and INV
// after property changes. The IRQ handler counts the LPIs and hashes their INTIDs in order;
// the schedule makes both deterministic (expectedLpiResults models them). "L" on the UART
// every 256 LPIs a CPU takes.
//
// Final mode, per CPU, once parked (pc = symbols.parked; QEMU halts in WFI with the pc on
// the instruction after it):
//   x19..x28  see FINAL_REGISTER_ROLES (x28: checksum of the CPU's RAM window)
//   x0 CPU index, x1 timer interrupts taken (0 without interrupts), x2 number of CPUs,
//   x3/x4/x5 (its mode; 0 otherwise) LPIs taken, their INTIDs' hash, LPI waits timed out,
//   x18 the CPU block, x29 the RAM window, sp the top of the EL1 stack; every other X
//   register zero. V0..V31 hold the last FP values (deterministic as well), FPSR is 0.
// CPU 0 prints "DONE\n" once all CPUs have stored their results in their CPU blocks.
// Every result is the same with or without interrupts (the handler restores what it
// borrows), except x1; the QEMU reference runs have them off so pc and x1 match too.
// Likewise the its mode changes only x1 and x3..x5 (and the code's layout, so pc): its QEMU
// reference runs keep interrupts for the LPIs but turn the timer off (timer: false).

import { Program } from "./asm.js";
import { buildElf } from "./elf.js";
import {
  CB, CPU_BLOCK_SIZE, CPU_BLOCKS, GIC, ITS, ITS_DEVICES, ITS_EVENT_BITS, ITS_EVENTS_PER_CPU, ITS_TABLES, LPI_BASE, LPI_ID_BITS, LPIS_PER_CPU, MAX_CPUS,
  MAX_WINDOW_PAGES, PAGE_SIZE, SHARED, UART_FR, UART_FR_TXFF, VIRT, VTIMER_PPI, WINDOW_STRIDE, WINDOWS, deviceItt,
} from "./layout.js";
import type { XReg } from "./regs.js";

export interface WorkloadOptions {
  /** CPUs that run the workload (1..64); a CPU with a higher index parks at once. */
  cpus: number;
  /** Iterations per CPU; 0 = run forever (default 0). */
  iterations?: number;
  /** Program the GICv3 and take virtual timer interrupts (default false: QEMU's timing would leak into x1). */
  interrupts?: boolean;
  /**
   * Also raise LPIs through the GICv3 ITS (QEMU's virt,gic-version=3,its=on) and count them
   * in the IRQ handler; implies `interrupts` (default false). See the "its mode" section.
   */
  its?: boolean;
  /** With `interrupts`: arm the virtual timer (default true; the its mode's QEMU references turn it off). */
  timer?: boolean;
  /** After `iterations`, checksum, publish results, print "DONE", park (default false). */
  final?: boolean;
  /** Pages of RAM window per CPU, one page dirtied per iteration (1..256, default 256 = 1 MiB). */
  windowPages?: number;
  /** Each CPU prints one progress character every this many iterations; 0 = never (default 500). */
  progressEvery?: number;
  /** Counter ticks (62.5 MHz on QEMU's virt) between timer interrupts (default 625 000 = 10 ms). */
  timerInterval?: number;
  /** Seed of the per-CPU generators (default 0x5eed). */
  seed?: bigint;
}

export type ResolvedWorkloadOptions = Required<WorkloadOptions>;

export interface Workload {
  /** The raw image, to be loaded at `base` (what the ELF's only segment holds). */
  image: Uint8Array;
  /** The same as an ELF64 executable, for QEMU's -kernel. */
  elf: Uint8Array;
  base: bigint;
  /** Where CPU 0 starts, and secondaries are sent with CPU_ON (the first byte of the image). */
  entry: bigint;
  /** Every label; among them `park`/`parked` (final), `vectors`, `shared`, `main_loop`. */
  symbols: Record<string, bigint>;
  options: ResolvedWorkloadOptions;
}

/** What each register holds in final mode (see the file comment). */
export const FINAL_REGISTER_ROLES: Readonly<Record<string, string>> = {
  x0: "CPU index",
  x1: "timer interrupts taken",
  x2: "number of CPUs",
  x3: "its mode: LPIs taken (0 otherwise)",
  x4: "its mode: hash of the INTIDs of the LPIs taken, in order, h = h * 31 + INTID (0 otherwise)",
  x5: "its mode: waits for a raised LPI that timed out (0 unless LPIs get lost)",
  x18: "the CPU block",
  x19: "xorshift64 state",
  x20: "LCG state",
  x21: "64-bit ALU results: mul/div, bit operations, bitfields, flags",
  x22: "32-bit ALU results",
  x23: "loads after stores, pairs, pre/post-index, exclusives, acquire/release",
  x24: "double precision results (raw bits) and compares",
  x25: "single precision results, a directed-rounding division, FPSR after each block",
  x26: "system registers: TPIDR round trips, MPIDR, CurrentEL, CNTFRQ, ESR/ELR after SVC, SVC/BRK sums, EL0 round trips, PSCI",
  x27: "iterations done",
  x28: "checksum of the CPU's RAM window",
  x29: "the CPU's RAM window",
  sp: "top of the CPU's EL1 stack",
};

/**
 * What the its mode's final x3 and x4 must be for a CPU: the LPIs it takes and their hash,
 * from a model of the schedule emitItsWork follows (see there) - independent of timing,
 * of the number of CPUs and of the timer.
 */
export function expectedLpiResults(options: WorkloadOptions, cpu: number): { lpis: bigint; hash: bigint } {
  const o = resolveOptions(options);
  if (!o.its || o.iterations === 0) return { lpis: 0n, hash: 0n };
  const prio = Array.from({ length: LPIS_PER_CPU }, (_, e) => LPI_PRIO_LOW + 4 * e);
  let lpis = 0n;
  let hash = 0n;
  const take = (e: number) => {
    lpis++;
    hash = BigInt.asUintN(64, hash * 31n + BigInt(LPI_BASE + cpu * LPIS_PER_CPU + e));
  };
  for (let i = 0; i < o.iterations; i++) {
    const s = i & 7;
    const j = i >> 3;
    const pending = s === 1 ? [j, j + 5, j + 10] : s === 3 ? [j + 7] : s === 5 ? [j] : s === 7 ? [j + 9] : [];
    for (const e of pending.map((e) => e & 15).sort((a, b) => prio[a]! - prio[b]!)) take(e);
    take((7 * i) & 15);
    if (s === 2) take((j + 1) & 15);
    if (s === 6) {
      const e = (j + 2) & 15;
      prio[e] = prio[e] === LPI_PRIO_LOW + 4 * e ? LPI_PRIO_HIGH + 4 * e : LPI_PRIO_LOW + 4 * e;
    }
  }
  return { lpis, hash };
}

const K_MIX = 0x9e37_79b9_7f4a_7c15n;
const PSCI_VERSION = 0x8400_0000n;
const PSCI_CPU_ON64 = 0xc400_0003n;
/** Progress characters, by CPU index. */
const CPU_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@#";
/** CPU block offset of the CPU index (below the results). */
const CB_INDEX = 0x68;
const SVC_IMM = 0x11;
const BRK_IMM = 0x22;
const USER_SVC = 0x42;
/** Its mode: the priority of LPI index e (0..15) of a CPU is LPI_PRIO_LOW + 4e or LPI_PRIO_HIGH + 4e: all distinct. */
const LPI_PRIO_LOW = 0x40;
const LPI_PRIO_HIGH = 0x90;
/** Its mode: loop iterations a CPU waits for an LPI it raised before giving up (counted in CB.lpiTimeouts). */
const LPI_WAIT_SPINS = 4_000_000;
/** Its mode: an "L" on the UART for every this many LPIs a CPU takes. */
const LPIS_PER_L = 256;
/** The "vector" the unexpected-exception report shows for a stalled ITS command queue. */
const ITS_STALL_VECTOR = 0x1000;

export function resolveOptions(o: WorkloadOptions): ResolvedWorkloadOptions {
  const r: ResolvedWorkloadOptions = {
    cpus: o.cpus,
    iterations: o.iterations ?? 0,
    interrupts: o.interrupts ?? o.its ?? false,
    final: o.final ?? false,
    windowPages: o.windowPages ?? MAX_WINDOW_PAGES,
    progressEvery: o.progressEvery ?? 500,
    timerInterval: o.timerInterval ?? 625_000,
    seed: o.seed ?? 0x5eedn,
    its: o.its ?? false,
    timer: o.timer ?? true,
  };
  const int = (name: keyof ResolvedWorkloadOptions, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`workload option ${name}: ${v} is outside [${lo}, ${hi}]`);
  };
  int("cpus", r.cpus, 1, MAX_CPUS);
  int("iterations", r.iterations, 0, 2 ** 31 - 1);
  int("windowPages", r.windowPages, 1, MAX_WINDOW_PAGES);
  int("progressEvery", r.progressEvery, 0, 2 ** 31 - 1);
  int("timerInterval", r.timerInterval, 1, 2 ** 31 - 1);
  if (r.final && r.iterations === 0) throw new RangeError("workload option final needs iterations > 0");
  if (r.its && !r.interrupts) throw new RangeError("workload option its needs interrupts");
  return r;
}

/** acc = (acc ^ v) * K, then acc ^= acc >> 29 (K odd: no information lost). */
function mix(p: Program, acc: XReg, v: XReg): void {
  p.eor(acc, acc, v).mul(acc, acc, "x17").eor(acc, acc, acc, "lsr #29");
}

export function buildWorkload(options: WorkloadOptions): Workload {
  const o = resolveOptions(options);
  const p = new Program({ base: VIRT.load });
  const spsrEl0 = o.interrupts ? 0x340 : 0x3c0; // EL0t, DAIF masked but I when interrupts are on
  const spsrEl1 = spsrEl0 | 5; // EL1h

  // ---- entry and vectors ----
  p.label("_start").b("setup");
  p.align(2048, "nop");
  p.label("vectors");
  const vector = (offset: number, target: string | null) => {
    while (Number(p.pc - VIRT.load) < 2048 + offset) p.nop();
    if (target) p.b(target);
    else p.stp("x0", "x1", ["sp", -16], "!").mov("x0", offset).b("unexpected");
  };
  for (let i = 0; i < 16; i++) {
    const off = i * 0x80;
    const target = off === 0x200 ? "el1_sync" : off === 0x280 || off === 0x480 ? "irq_handler" : off === 0x400 ? "el0_sync" : null;
    vector(off, target);
  }
  while (Number(p.pc - VIRT.load) < 4096) p.nop();

  // ---- per-CPU setup ----
  p.label("setup");
  p.mrs("x9", "mpidr_el1").and("x10", "x9", 0xff).ubfx("x11", "x9", 8, 8).add("x7", "x10", "x11", "lsl #4");
  p.cmp("x7", o.cpus).b_hs("idle");
  p.li("x18", CPU_BLOCKS).add("x18", "x18", "x7", `lsl #${Math.log2(Number(CPU_BLOCK_SIZE))}` as "lsl #14");
  p.add("x9", "x18", Number(CPU_BLOCK_SIZE)).mov("sp", "x9");
  p.add("x9", "x18", Number(CPU_BLOCK_SIZE) / 2).msr("sp_el0", "x9");
  // clear the block's counters and results
  p.mov("x9", "x18").add("x10", "x18", 0x200);
  p.label("clear_block").stp("xzr", "xzr", ["x9"], 16).cmp("x9", "x10").b_lo("clear_block");
  p.str("x7", ["x18", CB_INDEX]);
  p.li("x9", o.timerInterval).str("x9", ["x18", CB.timerInterval]);
  p.adr("x9", "vectors").msr("vbar_el1", "x9").isb();
  // FP on, FPCR/FPSR and every V register zero
  p.mov("x9", 3 << 20).msr("cpacr_el1", "x9").isb();
  p.msr("fpcr", "xzr").msr("fpsr", "xzr");
  for (let i = 0; i < 32; i++) p.fmov(`d${i}` as "d0", "xzr");
  p.li("x17", K_MIX);
  // PSCI_VERSION through the HVC conduit; x26 starts from it
  p.li("x0", PSCI_VERSION).hvc(0).mov("x26", "x0");
  p.cbnz("x7", "secondary");

  // CPU 0: banner, the GIC distributor, then the other CPUs
  p.bl("uart_lock").adr("x0", "str_banner").bl("puts").bl("uart_unlock");
  if (o.interrupts) {
    p.li("x9", VIRT.gicd).mov("w10", GIC.GICD_CTLR_VALUE).str("w10", ["x9", GIC.GICD_CTLR]).dsb("sy");
  }
  if (o.its) emitItsGlobalSetup(p);
  p.mov("x6", 1).mov("x5", 0);
  p.label("start_cpus").cmp("x6", o.cpus).b_hs("cpus_started");
  p.and("x1", "x6", 15).lsr("x2", "x6", 4).orr("x1", "x1", "x2", "lsl #8");
  p.li("x0", PSCI_CPU_ON64).adr("x2", "_start").mov("x3", "x6").hvc(0);
  p.orr("x5", "x5", "x0"); // PSCI_SUCCESS is 0
  p.add("x6", "x6", 1).b("start_cpus");
  p.label("cpus_started");
  mix(p, "x26", "x5");
  p.label("secondary");

  // the RAM window: x29; zeroed with DC ZVA (64-byte blocks)
  p.li("x29", WINDOWS).add("x29", "x29", "x7", `lsl #${Math.log2(Number(WINDOW_STRIDE))}` as "lsl #20");
  p.mov("x9", "x29").li("x10", o.windowPages * PAGE_SIZE).add("x10", "x10", "x29");
  p.label("clear_window").dc("zva", "x9").add("x9", "x9", 64).cmp("x9", "x10").b_lo("clear_window");

  // generators: distinct per CPU, never zero
  p.li("x19", BigInt.asUintN(64, o.seed * K_MIX) | 1n).li("x9", 0xd1b5_4a32_d192_ed03n).mul("x9", "x9", "x7").eor("x19", "x19", "x9");
  p.li("x20", o.seed).add("x20", "x20", "x7");
  for (const r of ["x21", "x22", "x23", "x24", "x25", "x27", "x28"] as const) p.mov(r, 0);

  // count this CPU started (load/store exclusive)
  p.adr("x9", "shared").add("x9", "x9", SHARED.started);
  p.label("count_started").ldaxr("w10", ["x9"]).add("w10", "w10", 1).stlxr("w11", "w10", ["x9"]).cbnz("w11", "count_started");

  if (o.interrupts) {
    // this CPU's redistributor: wake it, group 1, enable the virtual timer PPI, priority 0x80
    p.li("x9", VIRT.gicr).li("x10", GIC.GICR_STRIDE).madd("x9", "x10", "x7", "x9");
    p.ldr("w10", ["x9", GIC.GICR_WAKER]).and("w10", "w10", ~2 >>> 0).str("w10", ["x9", GIC.GICR_WAKER]);
    p.label("gicr_wake").ldr("w10", ["x9", GIC.GICR_WAKER]).tbnz("w10", 2, "gicr_wake");
    if (o.its) emitLpiSetup(p);
    p.add("x9", "x9", GIC.GICR_SGI_BASE);
    if (o.timer) {
      p.mov("w10", 1 << VTIMER_PPI).str("w10", ["x9", GIC.GICR_IGROUPR0]);
      p.mov("w10", 0x80).strb("w10", ["x9", GIC.GICR_IPRIORITYR + VTIMER_PPI]);
      p.mov("w10", 1 << VTIMER_PPI).str("w10", ["x9", GIC.GICR_ISENABLER0]);
    }
    // the CPU interface, through system registers
    p.mov("x10", 7).msr("icc_sre_el1", "x10").isb();
    p.mov("x10", 0xff).msr("icc_pmr_el1", "x10");
    p.mov("x10", 1).msr("icc_igrpen1_el1", "x10").isb();
    // arm the timer and unmask IRQs
    if (o.timer) {
      p.ldr("x10", ["x18", CB.timerInterval]).msr("cntv_tval_el0", "x10");
      p.mov("x10", 1).msr("cntv_ctl_el0", "x10").isb();
    }
    p.msr("daifclr", 2);
    if (o.its) emitItsCpuSetup(p, o);
  }

  // ---- main loop ----
  p.label("main_loop");
  if (o.its) p.bl("its_pre");
  emitInteger(p);
  emitMemory(p, o);
  emitFloat(p);
  if (o.its) p.bl("its_post");
  emitSystem(p, spsrEl0, o.interrupts);
  p.add("x27", "x27", 1).str("x27", ["x18", CB.iterations]);
  if (o.progressEvery > 0) {
    p.li("x10", o.progressEvery).udiv("x9", "x27", "x10").msub("x9", "x9", "x10", "x27").cbnz("x9", "no_progress");
    p.bl("uart_lock").ldr("x7", ["x18", CB_INDEX]).adr("x0", "cpu_chars").ldrb("w0", ["x0", "x7"]).bl("putc").bl("uart_unlock");
    p.label("no_progress");
  }
  if (o.iterations > 0) {
    p.li("x9", o.iterations).cmp("x27", "x9").b_hs("loop_done");
  }
  p.b("main_loop");
  p.label("loop_done");
  if (o.interrupts) p.msr("daifset", 2).msr("cntv_ctl_el0", "xzr").isb();
  if (o.final) emitFinal(p, o);
  p.label("park").wfi();
  p.label("parked").b("park");

  // CPUs beyond o.cpus
  p.label("idle").wfi().b("idle");

  emitHandlers(p, spsrEl1, o.its);
  emitIo(p);
  if (o.its) emitItsWork(p, o);

  // ---- read-only data ----
  const what = o.iterations === 0 ? "endless" : `${o.iterations} iterations`;
  const irqs = o.interrupts ? (o.timer ? ", timer interrupts" : o.its ? "" : ", interrupts") : "";
  p.label("str_banner").asciz(`vmstate aarch64 workload: ${o.cpus} cpu(s), ${what}${irqs}${o.its ? ", its LPIs" : ""}${o.final ? ", final" : ""}\n`);
  p.label("str_done").asciz("DONE\n");
  p.label("str_trap").asciz("\n!TRAP cpu ");
  p.label("str_esr").asciz(" esr ");
  p.label("str_elr").asciz(" elr ");
  p.label("str_far").asciz(" far ");
  p.label("str_vec").asciz(" vector ");
  p.label("cpu_chars").ascii(CPU_CHARS);
  p.align(8);
  p.label("k_literal").quad(0x0123_4567_89ab_cdefn);

  // ---- shared data: its own page, zero in the image ----
  p.align(PAGE_SIZE);
  p.label("shared").zero(PAGE_SIZE);

  const a = p.assemble();
  if (VIRT.load + BigInt(a.bytes.length) > CPU_BLOCKS) throw new Error("workload image overlaps the CPU blocks");
  const entry = a.symbols["_start"]!;
  return { image: a.bytes, elf: buildElf(a.bytes, a.base, entry, a.symbols), base: a.base, entry, symbols: a.symbols, options: o };
}

function emitInteger(p: Program): void {
  // xorshift64 and a 64-bit LCG
  p.eor("x19", "x19", "x19", "lsl #13").eor("x19", "x19", "x19", "lsr #7").eor("x19", "x19", "x19", "lsl #17");
  p.li("x9", 6364136223846793005n).li("x10", 1442695040888963407n).madd("x20", "x20", "x9", "x10");
  // multiply high, divide, remainder
  p.umulh("x9", "x19", "x20").smulh("x10", "x19", "x20");
  mix(p, "x21", "x9");
  mix(p, "x21", "x10");
  p.orr("x11", "x20", 1).udiv("x12", "x19", "x11").msub("x13", "x12", "x11", "x19").sdiv("x14", "x19", "x11");
  p.add("x12", "x12", "x13");
  mix(p, "x21", "x12");
  mix(p, "x21", "x14");
  // bit operations and bitfields
  p.clz("x9", "x19").rbit("x10", "x20").rev("x11", "x21").cls("x12", "x20").extr("x13", "x19", "x20", 23);
  p.eor("x9", "x9", "x10", "ror #17").add("x9", "x9", "x11", "asr #3").sub("x9", "x9", "x12").eor("x9", "x9", "x13");
  mix(p, "x21", "x9");
  p.ubfx("x9", "x19", 7, 19).sbfx("x10", "x20", 3, 41).mov("x11", "x21").bfi("x11", "x9", 5, 12).bfxil("x11", "x10", 40, 20);
  p.ubfiz("x12", "x20", 33, 17).sbfiz("x13", "x19", 9, 30).rev16("x14", "x19").rev32("x15", "x20");
  for (const r of ["x10", "x11", "x12", "x13", "x14", "x15"] as const) p.add("x9", "x9", r);
  mix(p, "x21", "x9");
  // flags: carry chains, conditional select and compare
  p.adds("x9", "x19", "x20").adcs("x10", "x21", "x19").cset("x11", "cs").sbcs("x12", "x20", "x21").csinc("x13", "x9", "x10", "lo");
  p.ccmp("x9", "x10", 4, "ne").csneg("x14", "x11", "x12", "eq").csinv("x15", "x12", "x13", "gt").cinc("x16", "x15", "mi");
  p.tst("x19", 0xff00).cset("x8", "ne");
  p.cmn("x20", "x21").mrs("x6", "nzcv");
  for (const r of ["x10", "x11", "x12", "x13", "x14", "x15", "x16", "x8", "x6"] as const) p.eor("x9", "x9", r, "ror #7");
  mix(p, "x21", "x9");
  // 32-bit operations
  p.add("w9", "w19", "w20").mul("w10", "w19", "w20").orr("w11", "w20", 1).udiv("w12", "w19", "w11").sdiv("w13", "w20", "w11");
  p.lsr("w14", "w19", "w20").asr("w15", "w20", "w19").ror("w16", "w19", 13).sxtb("w8", "w20").uxth("w6", "w19");
  p.subs("w5", "w19", "w20").cset("w4", "lt").madd("w3", "w19", "w20", "w21").smull("x2", "w19", "w20").umaddl("x1", "w20", "w19", "x22");
  for (const r of ["x10", "x12", "x13", "x14", "x15", "x16", "x8", "x6", "x5", "x4", "x3", "x2", "x1"] as const) p.add("x9", "x9", r);
  mix(p, "x22", "x9");
}

function emitMemory(p: Program, o: ResolvedWorkloadOptions): void {
  // this iteration's page and a 64-byte aligned slot in it
  p.li("x10", o.windowPages).udiv("x9", "x27", "x10").msub("x9", "x9", "x10", "x27");
  p.add("x11", "x29", "x9", "lsl #12").and("x12", "x19", 0xfc0).add("x11", "x11", "x12");
  // every fourth iteration the slot is zeroed first (DC ZVA)
  p.tst("x27", 3).b_ne("no_zva").dc("zva", "x11").label("no_zva");
  p.ldr("x9", ["x11"]);
  mix(p, "x23", "x9");
  p.str("x19", ["x11"]).stp("x20", "x21", ["x11", 16]).strb("w20", ["x11", 8]).strh("w21", ["x11", 10]).str("w22", ["x11", 12]);
  p.ldr("x9", ["x11"]).ldp("x10", "x12", ["x11", 16]).ldrsb("x13", ["x11", 8]).ldrsh("x14", ["x11", 10]).ldrsw("x15", ["x11", 12]);
  p.ldrb("w16", ["x11", 9]).ldrh("w8", ["x11", 6]).ldr("w6", ["x11", 4]);
  for (const r of ["x10", "x12", "x13", "x14", "x15", "x16", "x8", "x6"] as const) p.eor("x9", "x9", r, "ror #11");
  mix(p, "x23", "x9");
  // pre/post-index, register offsets, unscaled, pairs of words
  p.mov("x12", "x11").str("x23", ["x12", 32], "!").str("x22", ["x12", 8], "!").ldr("x13", ["x12"], -8).ldr("x14", ["x12"], -32);
  p.sub("x9", "x12", "x11"); // 0 again
  p.mov("x15", 5).str("x21", ["x11", "x15", "lsl #3"]).ldr("x16", ["x11", "w15", "uxtw #3"]).ldur("x8", ["x11", 41]);
  p.add("x12", "x11", 32).mov("w6", -2).ldrsw("x5", ["x12", "w6", "sxtw #2"]).mov("x12", "x11");
  p.stp("w19", "w20", ["x11", 48]).ldpsw("x4", "x3", ["x11", 48]).stur("w21", ["x11", 57]).ldur("x2", ["x11", 53]);
  for (const r of ["x13", "x14", "x16", "x8", "x5", "x4", "x3", "x2"] as const) p.add("x9", "x9", r);
  mix(p, "x23", "x9");
  // literal, exclusives, acquire/release
  p.ldr("x9", "k_literal");
  mix(p, "x23", "x9");
  p.add("x10", "x18", CB.exclusive);
  p.label("excl_retry").ldxr("x9", ["x10"]).add("x9", "x9", "x19").stxr("w11", "x9", ["x10"]).cbnz("w11", "excl_retry");
  mix(p, "x23", "x9");
  p.add("x10", "x18", CB.acquire).stlr("x23", ["x10"]).ldar("x9", ["x10"]).add("x9", "x9", 1).stlr("w9", ["x10"]).ldar("w12", ["x10"]);
  p.eor("x9", "x9", "x12");
  mix(p, "x23", "x9");
}

function emitFloat(p: Program): void {
  // double precision
  p.scvtf("d0", "x19").ucvtf("d1", "x20").fmul("d2", "d0", "d1").fadd("d3", "d2", "d0");
  p.fabs("d4", "d1").fsqrt("d4", "d4").orr("x9", "x21", 1).scvtf("d5", "x9").fdiv("d6", "d3", "d5");
  p.fmadd("d7", "d0", "d5", "d6").fmsub("d8", "d4", "d6", "d7").fnmul("d9", "d2", "d4").fsub("d10", "d9", "d8");
  p.fmov("d11", 1.5).fmul("d11", "d11", "d4").fmin("d12", "d6", "d11").fmaxnm("d13", "d0", "d7").frintm("d14", "d6").frintn("d15", "d10");
  p.fcvtzs("x10", "d6").fcvtzu("x11", "d4").fcvtns("w12", "d15").fcvtms("x13", "d14");
  p.fcmp("d6", "d7").cset("x14", "gt").fcmpe("d12", 0).cset("x15", "mi").fcsel("d16", "d12", "d13", "ge");
  p.fmov("x9", "d7");
  for (const r of ["d2", "d3", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15", "d16"] as const) p.fmov("x8", r).eor("x9", "x9", "x8", "ror #13");
  for (const r of ["x10", "x11", "x12", "x13", "x14", "x15"] as const) p.add("x9", "x9", r);
  mix(p, "x24", "x9");
  // single precision, and conversions between the two
  p.fcvt("s0", "d0").scvtf("s1", "w20").fmul("s2", "s0", "s1").fadd("s3", "s2", "s0").fabs("s4", "s1").fsqrt("s4", "s4");
  p.orr("w9", "w21", 1).ucvtf("s5", "w9").fdiv("s6", "s3", "s5").fnmadd("s7", "s4", "s5", "s6").fmax("s8", "s6", "s7").fneg("s9", "s8");
  p.fcvt("d17", "s6").fcvt("s10", "d3").fcvtzs("w10", "s6").fcvtau("x11", "s4").fcmp("s6", "s10").cset("w12", "eq");
  p.fmov("w9", "s2");
  for (const r of ["s3", "s4", "s6", "s7", "s8", "s9", "s10"] as const) p.fmov("w8", r).eor("x9", "x8", "x9", "ror #5");
  p.fmov("x8", "d17").add("x9", "x9", "x8").add("x9", "x9", "x10").add("x9", "x9", "x11").add("x9", "x9", "x12");
  mix(p, "x25", "x9");
  // a division rounded towards minus infinity (FPCR.RMode = RM), then back to nearest
  p.mrs("x10", "fpcr").orr("x11", "x10", 2 << 22).msr("fpcr", "x11").fdiv("d18", "d0", "d5").fdiv("s19", "s2", "s5").msr("fpcr", "x10");
  p.fmov("x9", "d18").fmov("w8", "s19").eor("x9", "x9", "x8", "lsl #32");
  mix(p, "x25", "x9");
  // the flags these raised, then clear them
  p.mrs("x9", "fpsr").msr("fpsr", "xzr");
  mix(p, "x25", "x9");
  // vector moves through the upper halves
  p.fmov("v20.d[1]", "x19").mov("v21.16b", "v20.16b").ins("v21.s[1]", "w20").umov("w9", "v21.s[3]").mov("x10", "v21.d[0]").add("x9", "x9", "x10");
  mix(p, "x24", "x9");
}

function emitSystem(p: Program, spsrEl0: number, interrupts: boolean): void {
  p.msr("tpidr_el1", "x19").mrs("x9", "tpidr_el1").mrs("x10", "mpidr_el1").mrs("x11", "currentel").mrs("x12", "cntfrq_el0").mrs("x13", "vbar_el1");
  p.add("x9", "x9", "x10").add("x9", "x9", "x11").add("x9", "x9", "x12").add("x9", "x9", "x13");
  mix(p, "x26", "x9");
  // SVC and BRK at EL1: the handler sums the immediates, ESR and ELR show what was taken
  // (an interrupt in between would overwrite ELR_EL1: masked around the reads)
  if (interrupts) p.msr("daifset", 2);
  // ELR is the instruction after the SVC: mixed in relative to it, so the result does not depend on the code's layout
  p.svc(SVC_IMM).label("svc_return").mrs("x9", "esr_el1").mrs("x10", "elr_el1").adr("x11", "svc_return").sub("x10", "x10", "x11").add("x9", "x9", "x10");
  if (interrupts) p.msr("daifclr", 2);
  p.brk(BRK_IMM).mrs("x10", "esr_el1").add("x9", "x9", "x10");
  p.ldr("x10", ["x18", CB.svcSum]).ldr("x11", ["x18", CB.brkSum]).add("x9", "x9", "x10").add("x9", "x9", "x11");
  mix(p, "x26", "x9");
  // an excursion to EL0: TPIDR_EL0 += x19 there, back with SVC #USER_SVC
  p.adr("x9", "back_from_el0").str("x9", ["x18", CB.userReturn]);
  // (with IRQs masked until the ERET: an interrupt would overwrite ELR_EL1 and SPSR_EL1)
  if (interrupts) p.msr("daifset", 2);
  p.adr("x9", "el0_code").msr("elr_el1", "x9").mov("x9", spsrEl0).msr("spsr_el1", "x9").eret();
  p.label("el0_code").mrs("x9", "tpidr_el0").add("x9", "x9", "x19").msr("tpidr_el0", "x9").mrs("x10", "nzcv").svc(USER_SVC);
  p.label("el0_stuck").b("el0_stuck");
  p.label("back_from_el0").mrs("x9", "tpidr_el0").mrs("x10", "currentel").mrs("x11", "spsel").add("x9", "x9", "x10").add("x9", "x9", "x11");
  p.ldr("x10", ["x18", CB.userSvcs]).add("x9", "x9", "x10");
  mix(p, "x26", "x9");
}

function emitFinal(p: Program, o: ResolvedWorkloadOptions): void {
  // x28 = checksum of the whole window
  p.mov("x28", 0).mov("x9", "x29").li("x10", o.windowPages * PAGE_SIZE).add("x10", "x10", "x29");
  p.label("checksum").ldp("x11", "x12", ["x9"], 16);
  mix(p, "x28", "x11");
  mix(p, "x28", "x12");
  p.cmp("x9", "x10").b_lo("checksum");
  // publish: results into the CPU block, then count this CPU done
  p.ldr("x7", ["x18", CB_INDEX]);
  p.stp("x19", "x20", ["x18", CB.results]).stp("x21", "x22", ["x18", CB.results + 16]).stp("x23", "x24", ["x18", CB.results + 32]);
  p.stp("x25", "x26", ["x18", CB.results + 48]).stp("x27", "x28", ["x18", CB.results + 64]).str("x7", ["x18", CB.results + 80]);
  p.dmb("ish");
  p.adr("x9", "shared").add("x9", "x9", SHARED.done);
  p.label("count_done").ldaxr("w10", ["x9"]).add("w10", "w10", 1).stlxr("w11", "w10", ["x9"]).cbnz("w11", "count_done");
  // CPU 0 waits for everyone, then says so
  p.cbnz("x7", "final_regs");
  p.label("wait_all").ldar("w10", ["x9"]).cmp("w10", o.cpus).b_lo("wait_all");
  p.bl("uart_lock").adr("x0", "str_done").bl("puts").bl("uart_unlock");
  // the documented final register file
  p.label("final_regs");
  p.ldr("x0", ["x18", CB_INDEX]).ldr("x1", ["x18", CB.timerTicks]).mov("x2", o.cpus);
  if (o.its) p.ldr("x3", ["x18", CB.lpis]).ldr("x4", ["x18", CB.lpiHash]).ldr("x5", ["x18", CB.lpiTimeouts]);
  for (let r = o.its ? 6 : 3; r <= 17; r++) p.mov(`x${r}` as XReg, 0);
  p.mov("x30", 0);
  p.add("x9", "x18", Number(CPU_BLOCK_SIZE)).mov("sp", "x9").mov("x9", 0);
  p.msr("nzcv", "xzr");
}

function emitHandlers(p: Program, spsrEl1: number, its: boolean): void {
  // synchronous exceptions at EL1: SVC #imm and BRK #imm are counted, anything else is fatal
  p.label("el1_sync");
  p.stp("x9", "x10", ["sp", -32], "!").stp("x11", "x12", ["sp", 16]);
  p.mrs("x9", "esr_el1").lsr("x10", "x9", 26).and("x11", "x9", 0xffff);
  p.cmp("x10", 0x15).b_ne("el1_not_svc");
  p.ldr("x12", ["x18", CB.svcSum]).add("x12", "x12", "x11").str("x12", ["x18", CB.svcSum]).b("el1_sync_done");
  p.label("el1_not_svc").cmp("x10", 0x3c).b_ne("el1_fatal");
  p.ldr("x12", ["x18", CB.brkSum]).add("x12", "x12", "x11").str("x12", ["x18", CB.brkSum]);
  p.mrs("x12", "elr_el1").add("x12", "x12", 4).msr("elr_el1", "x12"); // BRK returns to itself
  p.label("el1_sync_done").ldp("x11", "x12", ["sp", 16]).ldp("x9", "x10", ["sp"], 32).eret();
  p.label("el1_fatal").ldp("x11", "x12", ["sp", 16]).ldp("x9", "x10", ["sp"], 32);
  p.stp("x0", "x1", ["sp", -16], "!").mov("x0", 0x200).b("unexpected");

  // synchronous exceptions from EL0: SVC #USER_SVC returns to the EL1 continuation
  p.label("el0_sync");
  p.stp("x9", "x10", ["sp", -16], "!");
  p.mrs("x9", "esr_el1").li("x10", (0x15 << 26) | (1 << 25) | USER_SVC).cmp("x9", "x10").b_ne("el0_fatal");
  p.ldr("x9", ["x18", CB.userSvcs]).add("x9", "x9", 1).str("x9", ["x18", CB.userSvcs]);
  p.ldr("x9", ["x18", CB.userReturn]).msr("elr_el1", "x9").mov("x9", spsrEl1).msr("spsr_el1", "x9");
  p.ldp("x9", "x10", ["sp"], 16).eret();
  p.label("el0_fatal").ldp("x9", "x10", ["sp"], 16).stp("x0", "x1", ["sp", -16], "!").mov("x0", 0x400).b("unexpected");

  // IRQ (from EL1 or EL0): the virtual timer through the GICv3 CPU interface
  p.label("irq_handler");
  p.stp("x9", "x10", ["sp", -32], "!").stp("x11", "x12", ["sp", 16]);
  p.mrs("x9", "icc_iar1_el1").and("x10", "x9", 0xffffff).cmp("x10", VTIMER_PPI).b_ne("irq_other");
  p.ldr("x11", ["x18", CB.timerTicks]).add("x11", "x11", 1).str("x11", ["x18", CB.timerTicks]);
  p.ldr("x11", ["x18", CB.timerInterval]).msr("cntv_tval_el0", "x11");
  p.msr("icc_eoir1_el1", "x9").b("irq_done");
  p.label("irq_other");
  if (its) {
    // an LPI: count it and hash its INTID into the CPU's order-sensitive hash
    p.cmp("x10", LPI_BASE).b_lo("irq_not_lpi");
    p.ldr("x11", ["x18", CB.lpis]).add("x11", "x11", 1).str("x11", ["x18", CB.lpis]);
    p.ldr("x11", ["x18", CB.lpiHash]).mov("x12", 31).madd("x11", "x11", "x12", "x10").str("x11", ["x18", CB.lpiHash]);
    p.msr("icc_eoir1_el1", "x9").b("irq_done");
    p.label("irq_not_lpi");
  }
  p.cmp("x10", 1020).b_hs("irq_done").msr("icc_eoir1_el1", "x9");
  p.label("irq_done").ldp("x11", "x12", ["sp", 16]).ldp("x9", "x10", ["sp"], 32).eret();

  // anything else: x0 = vector offset (x0, x1 pushed); record, report, stop this CPU
  p.label("unexpected");
  p.mrs("x1", "esr_el1").str("x1", ["x18", CB.badEsr]).mrs("x1", "elr_el1").str("x1", ["x18", CB.badElr]);
  p.mrs("x1", "far_el1").str("x1", ["x18", CB.badFar]).str("x0", ["x18", CB.badVector]);
  p.bl("uart_lock").adr("x0", "str_trap").bl("puts").ldr("x0", ["x18", CB_INDEX]).bl("puthex");
  for (const [s, off] of [["str_esr", CB.badEsr], ["str_elr", CB.badElr], ["str_far", CB.badFar], ["str_vec", CB.badVector]] as const) {
    p.adr("x0", s).bl("puts").ldr("x0", ["x18", off]).bl("puthex");
  }
  p.mov("x0", 10).bl("putc").bl("uart_unlock");
  p.label("trap_park").wfi().b("trap_park");
}

/** UART output under a spinlock: uart_lock/uart_unlock, putc (w0), puts (x0), puthex (x0). Clobber x0..x6, x8, x30. */
function emitIo(p: Program): void {
  p.label("uart_lock");
  p.adr("x1", "shared").add("x1", "x1", SHARED.uartLock).sevl();
  p.label("uart_lock_wait").wfe().ldaxr("w2", ["x1"]).cbnz("w2", "uart_lock_wait").mov("w2", 1).stxr("w3", "w2", ["x1"]).cbnz("w3", "uart_lock_wait");
  p.ret();
  p.label("uart_unlock");
  p.adr("x1", "shared").add("x1", "x1", SHARED.uartLock).stlr("wzr", ["x1"]).sev().ret();

  p.label("putc");
  p.li("x1", VIRT.uart0);
  p.label("putc_wait").ldr("w2", ["x1", UART_FR]).tbnz("w2", Math.log2(UART_FR_TXFF), "putc_wait");
  p.strb("w0", ["x1"]).ret();

  p.label("puts").mov("x8", "x30").mov("x4", "x0");
  p.label("puts_next").ldrb("w0", ["x4"], 1).cbz("w0", "puts_end").bl("putc").b("puts_next");
  p.label("puts_end").mov("x30", "x8").ret();

  p.label("puthex").mov("x8", "x30").mov("x5", "x0").mov("x6", 60);
  p.label("puthex_next").lsr("x0", "x5", "x6").and("x0", "x0", 15).cmp("x0", 10).add("x0", "x0", 48).add("x4", "x0", 39).csel("x0", "x4", "x0", "hs");
  p.bl("putc").subs("x6", "x6", 4).b_pl("puthex_next");
  p.mov("x30", "x8").ret();
}

// ---- its mode ----
//
// Every CPU owns LPIS_PER_CPU LPIs: its LPI index e (0..15) is EventID cpu * 4 + (e & 3) of
// DeviceID e >> 2, INTID LPI_BASE + cpu * 16 + e, at priority LPI_PRIO_LOW + 4e (or
// LPI_PRIO_HIGH + 4e once toggled), mapped to collection `cpu` (or `cpus + cpu`, its second
// one): both collections are the CPU's own redistributor. A CPU only ever takes its own LPIs,
// each one either raised with IRQs unmasked and waited for, or raised with IRQs masked and
// taken, in priority order (every priority distinct), when they are unmasked again: the count
// and the order-sensitive hash do not depend on timing. Per iteration i (s = i % 8, j = i / 8):
//   its_pre, IRQs masked (they stay pending through the integer, memory and FP work):
//     s=1  raise LPIs j, j+5, j+10 and j again (pending once: three LPIs)
//     s=3  raise j and j+7, CLEAR j (one LPI)
//     s=5  raise j, MOVI it to collection cpus+cpu (j/16 even) or cpu (odd) (one LPI)
//     s=7  raise j+3, DISCARD it, MAPTI it again to collection cpu, raise j+9 (one LPI)
//   its_post, IRQs unmasked: wait for those; raise LPI 7i and wait;
//     s=2  disable LPI j+1 (property byte, INV), raise it (it stays pending), MOVI it to the
//          next CPU's collection (its pending bit moves to that redistributor, where it is
//          disabled too) and back to collection cpu, enable it, INV: it is taken; wait
//     s=6  toggle LPI j+2's priority (property byte), INV
//   (all LPI indexes mod 16). DeviceID 0's events are raised by writing the EventID to
//   GITS_TRANSLATER (QEMU takes a CPU's write as DeviceID 0), the others' with INT.
// Commands go through one queue under a spinlock (SHARED.itsLock): write the command at
// GITS_CWRITER, advance it, poll GITS_CREADR until it catches up.

/** CPU 0, before starting the others: zero the tables, program and enable the ITS, MAPD the devices. */
function emitItsGlobalSetup(p: Program): void {
  const T = ITS_TABLES;
  // properties, device and collection tables, ITTs and the command queue are contiguous
  p.li("x9", T.lpiProperties).li("x10", T.commandQueue + BigInt(T.commandQueueBytes));
  p.label("its_zero").dc("zva", "x9").add("x9", "x9", 64).cmp("x9", "x10").b_lo("its_zero");
  p.dsb("sy");
  // GITS_BASER0/1 and GITS_CBASER: 4 KiB pages (page size field 0), Size = pages - 1
  p.li("x9", VIRT.gits);
  p.li("x10", T.deviceTable | ITS.VALID | BigInt(T.deviceTablePages - 1)).str("x10", ["x9", ITS.GITS_BASER0]);
  p.li("x10", T.collectionTable | ITS.VALID).str("x10", ["x9", ITS.GITS_BASER1]);
  p.li("x10", T.commandQueue | ITS.VALID | BigInt(T.commandQueueBytes / PAGE_SIZE - 1)).str("x10", ["x9", ITS.GITS_CBASER]);
  p.str("xzr", ["x9", ITS.GITS_CWRITER]);
  p.mov("w10", ITS.GITS_CTLR_ENABLED).str("w10", ["x9", ITS.GITS_CTLR]).dsb("sy");
  // MAPD: every device with its ITT, 2^ITS_EVENT_BITS EventIDs
  for (let d = 0; d < ITS_DEVICES; d++) {
    p.li("x0", (BigInt(d) << 32n) | BigInt(ITS.CMD_MAPD)).mov("x1", ITS_EVENT_BITS - 1).li("x2", deviceItt(d) | ITS.VALID).mov("x3", 0).bl("its_cmd");
  }
}

/** Each CPU, its redistributor awake (x9 = RD_base, x7 = CPU index): pending table, properties, EnableLPIs. */
function emitLpiSetup(p: Program): void {
  const T = ITS_TABLES;
  if (T.pendingStride !== 0x1_0000n || LPIS_PER_CPU !== 16 || ITS_EVENTS_PER_CPU !== 4) throw new Error("emitLpiSetup: layout constants changed");
  // the pending table (64 KiB aligned), zeroed
  p.li("x10", T.pendingTables).add("x10", "x10", "x7", "lsl #16").add("x11", "x10", T.pendingBytes).mov("x12", "x10");
  p.label("lpi_pending_zero").dc("zva", "x12").add("x12", "x12", 64).cmp("x12", "x11").b_lo("lpi_pending_zero");
  // this CPU's property bytes: LPI index e at priority LPI_PRIO_LOW + 4e, enabled (bit 0)
  p.li("x11", T.lpiProperties).add("x11", "x11", "x7", "lsl #4");
  for (let e = 0; e < LPIS_PER_CPU; e++) p.mov("w12", (LPI_PRIO_LOW + 4 * e) | 1).strb("w12", ["x11", e]);
  p.dsb("sy");
  // one property table for all, 16 INTID bits; this CPU's pending table; then EnableLPIs
  p.li("x11", T.lpiProperties | BigInt(LPI_ID_BITS - 1)).str("x11", ["x9", GIC.GICR_PROPBASER]);
  p.orr("x11", "x10", GIC.GICR_PENDBASER_PTZ).str("x11", ["x9", GIC.GICR_PENDBASER]);
  p.ldr("w11", ["x9", GIC.GICR_CTLR]).orr("w11", "w11", GIC.GICR_CTLR_ENABLE_LPIS).str("w11", ["x9", GIC.GICR_CTLR]);
  p.dsb("sy").isb();
}

/** Each CPU, IRQs unmasked: MAPC its two collections, MAPTI its LPIs, SYNC; then wait until every CPU got here. */
function emitItsCpuSetup(p: Program, o: ResolvedWorkloadOptions): void {
  // MAPC: collections `cpu` and `cpus + cpu` to this CPU (GITS_TYPER.PTA = 0: RDbase is the CPU number)
  p.ldr("x12", ["x18", CB_INDEX]).lsl("x13", "x12", 16).orr("x13", "x13", ITS.VALID).add("x14", "x12", o.cpus);
  p.mov("x0", ITS.CMD_MAPC).mov("x1", 0).orr("x2", "x13", "x12").mov("x3", 0).bl("its_cmd");
  p.mov("x0", ITS.CMD_MAPC).mov("x1", 0).orr("x2", "x13", "x14").mov("x3", 0).bl("its_cmd");
  // MAPTI: every LPI of this CPU to collection `cpu`
  p.mov("x15", 0);
  p.label("its_map").mov("x0", ITS.CMD_MAPTI).mov("x1", "x15").ldr("x2", ["x18", CB_INDEX]).bl("its_cmd_event");
  p.add("x15", "x15", 1).cmp("x15", LPIS_PER_CPU).b_lo("its_map");
  p.mov("x0", ITS.CMD_SYNC).mov("x1", 0).ldr("x2", ["x18", CB_INDEX]).lsl("x2", "x2", 16).mov("x3", 0).bl("its_cmd");
  // nobody raises an LPI before every redistributor takes LPIs (the cross-CPU MOVI needs that)
  p.adr("x9", "shared").add("x9", "x9", SHARED.itsReady);
  p.label("its_count_ready").ldaxr("w10", ["x9"]).add("w10", "w10", 1).stlxr("w11", "w10", ["x9"]).cbnz("w11", "its_count_ready");
  p.label("its_wait_ready").ldar("w10", ["x9"]).cmp("w10", o.cpus).b_lo("its_wait_ready");
}

/** The its mode's subroutines: its_pre/its_post (main loop), commands, raising and waiting. */
function emitItsWork(p: Program, o: ResolvedWorkloadOptions): void {
  const T = ITS_TABLES;
  /** The LPIs just raised with IRQs masked are expected: CB.lpisExpected += n. */
  const expect = (n: number) => p.ldr("x1", ["x18", CB.lpisExpected]).add("x1", "x1", n).str("x1", ["x18", CB.lpisExpected]);

  // its_pre (IRQs left masked): raise LPIs that stay pending through the iteration's work
  p.label("its_pre").str("x30", ["sp", -16], "!").msr("daifset", 2);
  p.and("x10", "x27", 7).lsr("x11", "x27", 3);
  p.cmp("x10", 1).b_ne("its_pre_not1");
  p.and("x0", "x11", 15).bl("its_raise");
  p.add("x0", "x11", 5).and("x0", "x0", 15).bl("its_raise");
  p.add("x0", "x11", 10).and("x0", "x0", 15).bl("its_raise");
  p.and("x0", "x11", 15).bl("its_raise"); // already pending: no second LPI
  expect(3);
  p.b("its_pre_done");
  p.label("its_pre_not1").cmp("x10", 3).b_ne("its_pre_not3");
  p.and("x0", "x11", 15).bl("its_raise");
  p.add("x0", "x11", 7).and("x0", "x0", 15).bl("its_raise");
  p.mov("x0", ITS.CMD_CLEAR).and("x1", "x11", 15).bl("its_cmd_event0");
  expect(1);
  p.b("its_pre_done");
  p.label("its_pre_not3").cmp("x10", 5).b_ne("its_pre_not5");
  p.and("x0", "x11", 15).bl("its_raise");
  p.ldr("x12", ["x18", CB_INDEX]).add("x13", "x12", o.cpus).tst("x11", 16).csel("x2", "x13", "x12", "eq");
  p.mov("x0", ITS.CMD_MOVI).and("x1", "x11", 15).bl("its_cmd_event");
  expect(1);
  p.b("its_pre_done");
  p.label("its_pre_not5").cmp("x10", 7).b_ne("its_pre_done");
  p.add("x12", "x11", 3).and("x12", "x12", 15);
  p.mov("x0", "x12").bl("its_raise");
  p.mov("x0", ITS.CMD_DISCARD).mov("x1", "x12").bl("its_cmd_event0");
  p.mov("x0", ITS.CMD_MAPTI).mov("x1", "x12").ldr("x2", ["x18", CB_INDEX]).bl("its_cmd_event");
  p.add("x0", "x11", 9).and("x0", "x0", 15).bl("its_raise");
  expect(1);
  p.label("its_pre_done").ldr("x30", ["sp"], 16).ret();

  // its_post: unmask, take what its_pre left pending, raise more with IRQs unmasked
  p.label("its_post").str("x30", ["sp", -16], "!").msr("daifclr", 2).bl("lpi_wait");
  p.lsl("x0", "x27", 3).sub("x0", "x0", "x27").and("x0", "x0", 15).bl("its_raise").bl("lpi_expect1");
  p.and("x10", "x27", 7).lsr("x11", "x27", 3);
  p.ldr("x12", ["x18", CB_INDEX]).li("x13", T.lpiProperties).add("x13", "x13", "x12", "lsl #4"); // this CPU's property bytes
  p.cmp("x10", 2).b_ne("its_post_not2");
  p.add("x14", "x11", 1).and("x14", "x14", 15);
  p.ldrb("w15", ["x13", "x14"]).and("w15", "w15", 0xfe).strb("w15", ["x13", "x14"]).dsb("sy");
  p.mov("x0", ITS.CMD_INV).mov("x1", "x14").bl("its_cmd_event0");
  p.mov("x0", "x14").bl("its_raise");
  p.ldr("x12", ["x18", CB_INDEX]).add("x2", "x12", 1).cmp("x2", o.cpus).csel("x2", "xzr", "x2", "hs");
  p.mov("x0", ITS.CMD_MOVI).mov("x1", "x14").bl("its_cmd_event");
  p.mov("x0", ITS.CMD_MOVI).mov("x1", "x14").ldr("x2", ["x18", CB_INDEX]).bl("its_cmd_event");
  p.ldrb("w15", ["x13", "x14"]).orr("w15", "w15", 1).strb("w15", ["x13", "x14"]).dsb("sy");
  p.mov("x0", ITS.CMD_INV).mov("x1", "x14").bl("its_cmd_event0");
  p.bl("lpi_expect1").b("its_post_print");
  p.label("its_post_not2").cmp("x10", 6).b_ne("its_post_print");
  p.add("x14", "x11", 2).and("x14", "x14", 15);
  p.lsl("x15", "x14", 2).add("x16", "x15", LPI_PRIO_LOW).add("x15", "x15", LPI_PRIO_HIGH).eor("x15", "x15", "x16");
  p.ldrb("w16", ["x13", "x14"]).eor("w16", "w16", "w15").strb("w16", ["x13", "x14"]).dsb("sy");
  p.mov("x0", ITS.CMD_INV).mov("x1", "x14").bl("its_cmd_event0");
  p.label("its_post_print");
  if (o.progressEvery > 0) {
    p.ldr("x0", ["x18", CB.lpis]).ldr("x1", ["x18", CB.lpisPrinted]).sub("x2", "x0", "x1").cmp("x2", LPIS_PER_L).b_lo("its_post_done");
    p.add("x1", "x1", LPIS_PER_L).str("x1", ["x18", CB.lpisPrinted]);
    p.bl("uart_lock").mov("w0", "L".charCodeAt(0)).bl("putc").bl("uart_unlock");
  }
  p.label("its_post_done").ldr("x30", ["sp"], 16).ret();

  // its_raise(x0 = LPI index e): DeviceID 0 through GITS_TRANSLATER, the others with INT. Clobbers x0..x6, x8.
  p.label("its_raise").ldr("x3", ["x18", CB_INDEX]).and("x1", "x0", 3).add("x1", "x1", "x3", "lsl #2");
  p.lsr("x2", "x0", 2).cbnz("x2", "its_raise_int");
  p.li("x3", VIRT.gits + BigInt(ITS.GITS_TRANSLATER)).str("w1", ["x3"]).ret();
  p.label("its_raise_int").mov("x1", "x0").mov("x0", ITS.CMD_INT);
  // its_cmd_event0(x0 = command, x1 = LPI index e): a command with DW2 = 0 (INT, CLEAR, DISCARD, INV)
  p.label("its_cmd_event0").mov("x2", 0);
  // its_cmd_event(x0 = command, x1 = LPI index e, x2 = DW2): DeviceID e >> 2, EventID cpu * 4 + (e & 3),
  // and for MAPTI the LPI's INTID. Clobbers x0..x6, x8.
  p.label("its_cmd_event").ldr("x3", ["x18", CB_INDEX]);
  p.lsr("x4", "x1", 2).orr("x0", "x0", "x4", "lsl #32");
  p.and("x4", "x1", 3).add("x4", "x4", "x3", "lsl #2");
  p.add("x5", "x1", "x3", "lsl #4").add("x5", "x5", LPI_BASE).orr("x5", "x4", "x5", "lsl #32");
  p.and("x6", "x0", 0xff).cmp("x6", ITS.CMD_MAPTI).csel("x1", "x5", "x4", "eq").mov("x3", 0);
  // its_cmd(x0..x3 = the command's doublewords): queue it under the lock and wait until the ITS
  // has read it (a stalled queue is fatal). Clobbers x4..x6, x8.
  p.label("its_cmd").adr("x4", "shared").add("x4", "x4", SHARED.itsLock).sevl();
  p.label("its_cmd_lock").wfe().ldaxr("w5", ["x4"]).cbnz("w5", "its_cmd_lock").mov("w5", 1).stxr("w6", "w5", ["x4"]).cbnz("w6", "its_cmd_lock");
  p.li("x5", VIRT.gits).ldr("x6", ["x5", ITS.GITS_CWRITER]).li("x8", T.commandQueue).add("x8", "x8", "x6");
  p.stp("x0", "x1", ["x8"]).stp("x2", "x3", ["x8", 16]).dsb("sy");
  p.add("x6", "x6", ITS.CMD_SIZE).and("x6", "x6", T.commandQueueBytes - 1).str("x6", ["x5", ITS.GITS_CWRITER]);
  p.label("its_cmd_poll").ldr("x8", ["x5", ITS.GITS_CREADR]).tbnz("x8", 0, "its_cmd_stalled").cmp("x8", "x6").b_ne("its_cmd_poll");
  p.stlr("wzr", ["x4"]).sev().ret();
  p.label("its_cmd_stalled").stp("x0", "x1", ["sp", -16], "!").mov("x0", ITS_STALL_VECTOR).b("unexpected");

  // lpi_expect1: one more LPI expected, then lpi_wait: spin (bounded) until the IRQ handler has
  // counted every LPI expected; a timeout is counted and the expectation lowered. Clobber x0..x2.
  p.label("lpi_expect1").ldr("x0", ["x18", CB.lpisExpected]).add("x0", "x0", 1).str("x0", ["x18", CB.lpisExpected]);
  p.label("lpi_wait").ldr("x0", ["x18", CB.lpisExpected]).li("x1", LPI_WAIT_SPINS);
  p.label("lpi_wait_loop").ldr("x2", ["x18", CB.lpis]).cmp("x2", "x0").b_hs("lpi_wait_done").subs("x1", "x1", 1).b_ne("lpi_wait_loop");
  p.ldr("x1", ["x18", CB.lpiTimeouts]).add("x1", "x1", 1).str("x1", ["x18", CB.lpiTimeouts]).str("x2", ["x18", CB.lpisExpected]);
  p.label("lpi_wait_done").ret();
}
