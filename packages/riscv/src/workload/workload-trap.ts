// The workload's M-mode trap handler (mtvec, direct mode). A machine-timer interrupt is
// counted in the hart block and the timer re-armed; the handler borrows t0..t2 through the
// hart block (tp), so interrupted code sees no register change and its results stay the
// same however many interrupts arrive. ecall and ebreak are the workload's deliberate
// synchronous traps: counted, stepped over (2 or 4 bytes: ebreak may be c.ebreak), and
// ecall "returns" a0' = 2*a0 + mcause. Anything else is a bug in whatever runs the program:
// its mcause/mepc/mtval are stored, printed, and the hart stops for good.

import type { Program } from "./asm.js";
import { CLINT_MTIME, HB, VIRT } from "./layout.js";
import { IO } from "./workload-io.js";

export const TRAP = { handler: "trap_handler", fatal: "trap_fatal" } as const;

const MCAUSE_MTI = 7; // machine timer interrupt
const MCAUSE_BREAKPOINT = 3;
const MCAUSE_ECALL_M = 11;
const MIE_MTIE = 1 << 7;
const MSTATUS_MIE = 1 << 3;

/** `messages` are labels of NUL-terminated strings printed before mhartid, mcause, mepc, mtval. */
export function emitTrapHandler(p: Program, messages: { hart: string; cause: string; epc: string; tval: string }): void {
  p.align(4, "nop"); // mtvec's low two bits are the mode
  p.label(TRAP.handler);
  p.sd("t0", HB.save + 0, "tp");
  p.sd("t1", HB.save + 8, "tp");
  p.sd("t2", HB.save + 16, "tp");
  p.csrr("t0", "mcause");
  p.bgez("t0", "trap_sync"); // bit 63 clear: an exception
  p.slli("t1", "t0", 1);
  p.srli("t1", "t1", 1);
  p.li("t2", MCAUSE_MTI);
  p.bne("t1", "t2", TRAP.fatal);

  // machine timer: count it, next deadline = now + interval (writing mtimecmp clears MTIP)
  p.ld("t1", HB.timerTicks, "tp");
  p.addi("t1", "t1", 1);
  p.sd("t1", HB.timerTicks, "tp");
  p.ld("t0", HB.mtimecmp, "tp");
  p.li("t1", VIRT.clint + CLINT_MTIME);
  p.ld("t1", 0, "t1");
  p.ld("t2", HB.timerInterval, "tp");
  p.add("t1", "t1", "t2");
  p.sd("t1", 0, "t0");
  p.ld("t0", HB.save + 0, "tp");
  p.ld("t1", HB.save + 8, "tp");
  p.ld("t2", HB.save + 16, "tp");
  p.mret();

  // ecall / ebreak: count, step over, ecall computes a0
  p.label("trap_sync");
  p.li("t1", MCAUSE_ECALL_M);
  p.beq("t0", "t1", "trap_ecall");
  p.li("t1", MCAUSE_BREAKPOINT);
  p.bne("t0", "t1", TRAP.fatal);
  p.j("trap_step");
  p.label("trap_ecall");
  p.slli("a0", "a0", 1);
  p.add("a0", "a0", "t0");
  p.label("trap_step");
  p.ld("t1", HB.syncTraps, "tp");
  p.addi("t1", "t1", 1);
  p.sd("t1", HB.syncTraps, "tp");
  p.csrr("t1", "mepc");
  p.lhu("t2", 0, "t1"); // low bits 11: a 32-bit instruction, else 16-bit
  p.andi("t2", "t2", 3);
  p.addi("t1", "t1", 2);
  p.addi("t2", "t2", -3);
  p.bnez("t2", "trap_stepped");
  p.addi("t1", "t1", 2);
  p.label("trap_stepped");
  p.csrw("mepc", "t1");
  p.ld("t0", HB.save + 0, "tp");
  p.ld("t1", HB.save + 8, "tp");
  p.ld("t2", HB.save + 16, "tp");
  p.mret();

  // anything else: record, report, stop this hart with interrupts off
  p.label(TRAP.fatal);
  p.li("t1", MIE_MTIE);
  p.csrc("mie", "t1");
  p.csrci("mstatus", MSTATUS_MIE);
  p.sd("t0", HB.badCause, "tp");
  p.csrr("t1", "mepc");
  p.sd("t1", HB.badEpc, "tp");
  p.csrr("t1", "mtval");
  p.sd("t1", HB.badTval, "tp");
  p.call(IO.lock);
  p.la("a0", messages.hart);
  p.call(IO.puts);
  p.csrr("a0", "mhartid");
  p.call(IO.puthex);
  for (const [label, offset] of [[messages.cause, HB.badCause], [messages.epc, HB.badEpc], [messages.tval, HB.badTval]] as const) {
    p.la("a0", label);
    p.call(IO.puts);
    p.ld("a0", offset, "tp");
    p.call(IO.puthex);
  }
  p.li("a0", "\n".charCodeAt(0));
  p.call(IO.putc);
  p.call(IO.unlock);
  const stop = p.newLabel("fatal_stop");
  p.label(stop);
  p.wfi();
  p.j(stop);
}
