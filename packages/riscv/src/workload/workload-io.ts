// UART output subroutines of the workload: a spinlock so lines from different harts do not
// interleave, putc that waits for the ns16550's THR-empty bit, puts and puthex. They are real
// subroutines (call/ret, ra saved on the stack) so the workload also exercises those.

import type { Program } from "./asm.js";
import { SHARED, UART_LSR, UART_LSR_THRE, UART_THR, VIRT } from "./layout.js";

export const IO = {
  putc: "uart_putc",
  puts: "uart_puts",
  puthex: "uart_puthex",
  lock: "uart_lock",
  unlock: "uart_unlock",
} as const;

/**
 * Emits the subroutines. Conventions: arguments in a0; putc clobbers t0, t1; puts and puthex
 * also clobber a0..a2 and t2; lock/unlock clobber t0..t2. `shared` labels the shared page.
 */
export function emitIo(p: Program, shared: string): void {
  // putc(a0 = byte)
  p.label(IO.putc);
  p.li("t0", VIRT.uart0);
  const wait = p.newLabel("putc_wait");
  p.label(wait);
  p.lbu("t1", UART_LSR, "t0");
  p.andi("t1", "t1", UART_LSR_THRE);
  p.beqz("t1", wait);
  p.sb("a0", UART_THR, "t0");
  p.ret();

  // puts(a0 = NUL-terminated string)
  p.label(IO.puts);
  p.addi("sp", "sp", -16);
  p.sd("ra", 8, "sp");
  p.mv("a1", "a0");
  const next = p.newLabel("puts_next");
  const end = p.newLabel("puts_end");
  p.label(next);
  p.lbu("a0", 0, "a1");
  p.beqz("a0", end);
  p.call(IO.putc);
  p.addi("a1", "a1", 1);
  p.j(next);
  p.label(end);
  p.ld("ra", 8, "sp");
  p.addi("sp", "sp", 16);
  p.ret();

  // puthex(a0 = value): 16 lower-case hex digits
  p.label(IO.puthex);
  p.addi("sp", "sp", -16);
  p.sd("ra", 8, "sp");
  p.mv("a1", "a0");
  p.li("a2", 60);
  const digit = p.newLabel("hex_digit");
  const low = p.newLabel("hex_low");
  p.label(digit);
  p.srl("a0", "a1", "a2");
  p.andi("a0", "a0", 15);
  p.li("t2", 10);
  p.blt("a0", "t2", low);
  p.addi("a0", "a0", "a".charCodeAt(0) - "0".charCodeAt(0) - 10);
  p.label(low);
  p.addi("a0", "a0", "0".charCodeAt(0));
  p.call(IO.putc);
  p.addi("a2", "a2", -4);
  p.bgez("a2", digit);
  p.ld("ra", 8, "sp");
  p.addi("sp", "sp", 16);
  p.ret();

  // lock(): test-and-set with acquire ordering; while taken, spin on a plain load
  p.label(IO.lock);
  p.la("t0", shared);
  if (SHARED.uartLock) p.addi("t0", "t0", SHARED.uartLock);
  p.li("t1", 1);
  const retry = p.newLabel("lock_retry");
  const spin = p.newLabel("lock_spin");
  p.label(retry);
  p.amoswap_w("t2", "t1", "t0", "aq");
  p.bnez("t2", spin);
  p.ret();
  p.label(spin);
  p.lw("t2", 0, "t0");
  p.bnez("t2", spin);
  p.j(retry);

  // unlock(): release ordering, so the UART writes are done before the next holder's
  p.label(IO.unlock);
  p.la("t0", shared);
  if (SHARED.uartLock) p.addi("t0", "t0", SHARED.uartLock);
  p.amoswap_w("zero", "zero", "t0", "rl");
  p.ret();
}
