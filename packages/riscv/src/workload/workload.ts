// The project's built-in guest: a bare-metal M-mode RV64GC program for a QEMU-virt-like
// machine started with -bios none (QEMU's reset vector at 0x1000 jumps to 0x8000_0000 with
// a0 = hart id, a1 = fdt; every hart starts there). It keeps every hart busy with
// deterministic integer, memory, FP, atomic and CSR work, dirties RAM page after page, can
// take machine-timer interrupts, and prints progress on the ns16550 UART - a guest whose
// state is worth migrating. In "final" mode it stops after a fixed number of iterations
// with its results in registers, so an emulator's end state can be compared with QEMU's.
//
// Final mode, per hart, once parked (pc = symbols.parked: QEMU halts in wfi with the pc
// on the instruction after it):
//   s0..s11  see FINAL_REGISTER_ROLES (s11: checksum of the hart's RAM window)
//   a0 hart id, a1 timer interrupts taken (0 without interrupts), a2 number of harts
//   sp top of the hart's stack, tp its hart block; every other GPR zero
// Hart 0 prints "DONE\n" once all harts have stored their results in their hart blocks.
// Every result is the same with or without timer interrupts (the handler restores what it
// borrows), except a1; QEMU's reference runs have them off so the pc and a1 match too.

import { Program } from "./asm.js";
import {
  CLINT_MTIME, CLINT_MTIMECMP, HART_BLOCK_SIZE, HART_BLOCKS, HB, MAX_HARTS, MAX_WINDOW_PAGES, PAGE_SIZE, SHARED, VIRT, WINDOW_STRIDE, WINDOWS,
} from "./layout.js";
import { emitIo, IO } from "./workload-io.js";
import { emitIteration, mix } from "./workload-work.js";
import { emitTrapHandler, TRAP } from "./workload-trap.js";
import { FREG_ABI, type XAbi } from "./regs.js";

export interface WorkloadOptions {
  /** Harts that run the workload (1..64); a hart with a higher id parks at once. */
  harts: number;
  /** Iterations per hart; 0 = run forever (default 0). */
  iterations?: number;
  /** Take machine-timer interrupts (default true; the compared runs turn them off). */
  interrupts?: boolean;
  /** After `iterations`, checksum, publish results, print "DONE", park (default false). */
  final?: boolean;
  /** Emit RVC instructions where possible (default true: the machine is RV64GC). */
  compressed?: boolean;
  /** Pages of RAM window per hart, one page dirtied per iteration (1..256, default 256 = 1 MiB). */
  windowPages?: number;
  /** Each hart prints one progress character every this many iterations; 0 = never (default 500). */
  progressEvery?: number;
  /** mtime ticks (10 MHz on virt) between timer interrupts (default 100 000 = 10 ms). */
  timerInterval?: number;
  /** Seed of the per-hart generators (default 0x5eed). */
  seed?: bigint;
}

export type ResolvedWorkloadOptions = Required<WorkloadOptions>;

export interface Workload {
  /** The raw image, to be loaded at `base` (QEMU: -kernel FILE.bin). */
  image: Uint8Array;
  base: bigint;
  entry: bigint;
  /** Every label; among them `park`/`parked` (final), `trap_handler`, `shared`. */
  symbols: Record<string, bigint>;
  options: ResolvedWorkloadOptions;
}

/** What each register holds in final mode (see the file comment). */
export const FINAL_REGISTER_ROLES: Partial<Record<XAbi, string>> = {
  s0: "xorshift64 state",
  s1: "LCG state",
  s2: "mul/div/rem/shift/logic results",
  s3: "32-bit (*W) results",
  s4: "loads after stores, AMOs, LR/SC",
  s5: "double precision results",
  s6: "single precision results (NaN-boxing included)",
  s7: "fflags after each FP block",
  s8: "mscratch read-modify-writes, mhartid, frm, ecall/ebreak traps",
  s9: "iterations done",
  s10: "compares and branch directions",
  s11: "checksum of the hart's RAM window",
  a0: "hart id",
  a1: "timer interrupts taken",
  a2: "number of harts",
  sp: "top of the hart's stack",
  tp: "the hart's block",
};

const MSTATUS_FS_INITIAL = 1 << 13;
const MSTATUS_MIE = 1 << 3;
const MIE_MTIE = 1 << 7;
/** Progress characters, by hart id. */
const HART_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@#";

export function resolveOptions(o: WorkloadOptions): ResolvedWorkloadOptions {
  const r: ResolvedWorkloadOptions = {
    harts: o.harts,
    iterations: o.iterations ?? 0,
    interrupts: o.interrupts ?? true,
    final: o.final ?? false,
    compressed: o.compressed ?? true,
    windowPages: o.windowPages ?? MAX_WINDOW_PAGES,
    progressEvery: o.progressEvery ?? 500,
    timerInterval: o.timerInterval ?? 100_000,
    seed: o.seed ?? 0x5eedn,
  };
  const int = (name: keyof ResolvedWorkloadOptions, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`workload option ${name}: ${v} is outside [${lo}, ${hi}]`);
  };
  int("harts", r.harts, 1, MAX_HARTS);
  int("iterations", r.iterations, 0, 2 ** 31 - 1);
  int("windowPages", r.windowPages, 1, MAX_WINDOW_PAGES);
  int("progressEvery", r.progressEvery, 0, 2 ** 31 - 1);
  int("timerInterval", r.timerInterval, 1, 2 ** 31 - 1);
  if (r.final && r.iterations === 0) throw new RangeError("workload option final needs iterations > 0");
  return r;
}

export function buildWorkload(options: WorkloadOptions): Workload {
  const o = resolveOptions(options);
  const p = new Program({ base: VIRT.dram, compressed: o.compressed });
  const S = {
    banner: "str_banner", done: "str_done", hart: "str_trap_hart", cause: "str_trap_cause", epc: "str_trap_epc", tval: "str_trap_tval",
    chars: "hart_chars", shared: "shared",
  };

  // ---- entry: per-hart setup ----
  p.label("_start");
  p.csrr("a3", "mhartid"); // not a0: another machine's reset code may not pass it
  p.li("t0", o.harts);
  p.bltu("a3", "t0", "setup");
  p.j("idle"); // jal: idle is beyond a branch's reach
  p.label("setup");
  p.csrw("mie", "zero");
  p.csrci("mstatus", MSTATUS_MIE);
  p.li("tp", HART_BLOCKS);
  p.slli("t0", "a3", Math.log2(Number(HART_BLOCK_SIZE)));
  p.add("tp", "tp", "t0");
  p.li("t0", HART_BLOCK_SIZE);
  p.add("sp", "tp", "t0");
  p.la("t0", TRAP.handler); // only now: the handler needs tp
  p.csrw("mtvec", "t0");
  for (let off = 0; off < HB.results; off += 8) p.sd("zero", off, "tp");
  p.li("t0", VIRT.clint + CLINT_MTIMECMP);
  p.slli("t1", "a3", 3);
  p.add("t0", "t0", "t1");
  p.sd("t0", HB.mtimecmp, "tp");
  p.li("t0", o.timerInterval);
  p.sd("t0", HB.timerInterval, "tp");
  // FP on, every FP register and fcsr zero, mscratch known
  p.li("t0", MSTATUS_FS_INITIAL);
  p.csrs("mstatus", "t0");
  p.fscsr("zero", "zero");
  for (const f of FREG_ABI) p.fmv_d_x(f, "zero");
  p.csrw("mscratch", "a3");
  // hart 0 says hello before the slow window clearing, so the banner comes first
  p.bnez("a3", "banner_done");
  p.call(IO.lock);
  p.la("a0", S.banner);
  p.call(IO.puts);
  p.call(IO.unlock);
  p.label("banner_done");
  // a7 = RAM window, a6 = its pages; zero the window (every page written once)
  p.li("a7", WINDOWS);
  p.slli("t0", "a3", Math.log2(Number(WINDOW_STRIDE)));
  p.add("a7", "a7", "t0");
  p.li("a6", o.windowPages);
  p.li("t1", o.windowPages * PAGE_SIZE);
  p.add("t1", "t1", "a7");
  p.mv("t0", "a7");
  p.label("clear_window");
  p.sd("zero", 0, "t0");
  p.sd("zero", 8, "t0");
  p.addi("t0", "t0", 16);
  p.bltu("t0", "t1", "clear_window");
  // generators: distinct per hart, never zero
  p.li("s0", BigInt.asUintN(64, o.seed * 0x9e37_79b9_7f4a_7c15n) | 1n);
  p.li("t0", 0xd1b5_4a32_d192_ed03n);
  p.mul("t0", "t0", "a3");
  p.xor("s0", "s0", "t0");
  p.li("s1", o.seed);
  p.add("s1", "s1", "a3");
  for (const r of ["s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11"] as const) p.li(r, 0);
  p.li("a5", o.iterations);
  p.li("a4", o.progressEvery);

  p.la("t0", S.shared);
  p.li("t1", 1);
  if (SHARED.started) p.addi("t0", "t0", SHARED.started);
  p.amoadd_w("zero", "t1", "t0");

  if (o.interrupts) {
    p.ld("t0", HB.mtimecmp, "tp");
    p.li("t1", VIRT.clint + CLINT_MTIME);
    p.ld("t1", 0, "t1");
    p.ld("t2", HB.timerInterval, "tp");
    p.add("t1", "t1", "t2");
    p.sd("t1", 0, "t0");
    p.li("t0", MIE_MTIE);
    p.csrs("mie", "t0");
    p.csrsi("mstatus", MSTATUS_MIE);
  }

  // ---- main loop ----
  p.label("main_loop");
  emitIteration(p, o.interrupts);
  p.addi("s9", "s9", 1);
  p.sd("s9", HB.iterations, "tp");
  p.beqz("a4", "no_progress");
  p.remu("t0", "s9", "a4");
  p.bnez("t0", "no_progress");
  p.call(IO.lock);
  p.la("a0", S.chars);
  p.add("a0", "a0", "a3");
  p.lbu("a0", 0, "a0");
  p.call(IO.putc);
  p.call(IO.unlock);
  p.label("no_progress");
  p.beqz("a5", "loop_again");
  p.bgeu("s9", "a5", "loop_done");
  p.label("loop_again");
  p.j("main_loop"); // jal: the loop body is longer than a branch reaches
  p.label("loop_done");

  // ---- after the last iteration ----
  p.csrci("mstatus", MSTATUS_MIE);
  p.csrw("mie", "zero");
  if (o.final) emitFinal(p, o, S);
  p.label("park");
  p.wfi();
  p.label("parked");
  p.j("park");

  // harts beyond o.harts
  p.label("idle");
  p.wfi();
  p.j("idle");

  emitTrapHandler(p, S);
  emitIo(p, S.shared);

  // ---- read-only data ----
  const what = o.iterations === 0 ? "endless" : `${o.iterations} iterations`;
  p.label(S.banner).asciz(`vmstate riscv64 workload: ${o.harts} hart(s), ${what}${o.interrupts ? ", timer interrupts" : ""}${o.final ? ", final" : ""}\n`);
  p.label(S.done).asciz("DONE\n");
  p.label(S.hart).asciz("\n!TRAP hart ");
  p.label(S.cause).asciz(" mcause ");
  p.label(S.epc).asciz(" mepc ");
  p.label(S.tval).asciz(" mtval ");
  p.label(S.chars).ascii(HART_CHARS);

  // ---- shared data: its own page, zero in the image ----
  p.align(PAGE_SIZE);
  p.label(S.shared).zero(PAGE_SIZE);

  const a = p.assemble();
  if (VIRT.dram + BigInt(a.bytes.length) > HART_BLOCKS) throw new Error("workload image overlaps the hart blocks");
  return { image: a.bytes, base: a.base, entry: a.base, symbols: a.symbols, options: o };
}

function emitFinal(p: Program, o: ResolvedWorkloadOptions, S: { done: string; shared: string }): void {
  // s11 = checksum of the whole window, a dword at a time
  p.li("s11", 0);
  p.mv("t0", "a7");
  p.li("t1", o.windowPages * PAGE_SIZE);
  p.add("t1", "t1", "a7");
  p.label("checksum");
  p.ld("t2", 0, "t0");
  mix(p, "s11", "t2");
  p.addi("t0", "t0", 8);
  p.bltu("t0", "t1", "checksum");

  // publish: results into the hart block, then count this hart done
  const saved = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "a3"] as const;
  saved.forEach((r, i) => p.sd(r, HB.results + 8 * i, "tp"));
  p.fence();
  p.la("t0", S.shared);
  if (SHARED.done) p.addi("t0", "t0", SHARED.done);
  p.li("t1", 1);
  p.amoadd_w("zero", "t1", "t0", "aqrl");

  // hart 0 waits for everyone, then says so
  p.bnez("a3", "final_regs");
  p.li("t1", o.harts);
  p.label("wait_all");
  p.lw("t2", 0, "t0");
  p.bltu("t2", "t1", "wait_all");
  p.call(IO.lock);
  p.la("a0", S.done);
  p.call(IO.puts);
  p.call(IO.unlock);

  // the documented final register file
  p.label("final_regs");
  p.mv("a0", "a3");
  p.ld("a1", HB.timerTicks, "tp");
  p.li("a2", o.harts);
  const zeroed: XAbi[] = ["ra", "gp", "t0", "t1", "t2", "a3", "a4", "a5", "a6", "a7", "t3", "t4", "t5", "t6"];
  for (const r of zeroed) p.li(r, 0);
}
