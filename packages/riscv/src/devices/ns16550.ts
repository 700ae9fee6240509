/**
 * An ns16550 UART (QEMU's hw/char/serial.c as serial-mm on the virt board):
 * registers at byte offsets, transmit goes straight to an output callback,
 * received bytes wait in a FIFO. Its state is QEMU's `serial` section:
 * vmstate_serial_mm wrapping vmstate_serial, subsections and all.
 */
import { createState, defineVMState, field, int32, struct, subsection, timer, uint8, uint16, uint32, vbuffer, type StateOf } from "@vmstate/core";
import type { MmioDevice } from "../bus.js";

/** util/fifo8.c vmstate_fifo8: the buffer is sized by the local capacity. */
export const fifo8Description = defineVMState({
  name: "Fifo8",
  version: 1,
  minimumVersion: 1,
  locals: ["capacity"],
  fields: { data: field(vbuffer("capacity"), { version: 1 }), head: uint32, num: uint32 },
});

const UART_IER_RDI = 0x01;
const UART_IER_THRI = 0x02;
const UART_IIR_NO_INT = 0x01;
const UART_IIR_THRI = 0x02;
const UART_IIR_RDI = 0x04;
const UART_IIR_ID = 0x06;
const UART_LSR_DR = 0x01;
const UART_LSR_THRE = 0x20;
const UART_LSR_TEMT = 0x40;
const UART_LCR_DLAB = 0x80;
const UART_MCR_OUT2 = 0x08;
const UART_MSR_DCD = 0x80;
const UART_MSR_DSR = 0x20;
const UART_MSR_CTS = 0x10;
const UART_FIFO_LENGTH = 16;

type SerialFields = { ier: number; iir: number; thr_ipending: number; tsr_retry: number; recv_fifo: { num: number }; xmit_fifo: { num: number } };

const sub = <F extends Parameters<typeof defineVMState>[0]["fields"]>(name: string, fields: F) =>
  defineVMState({ name, version: 1, minimumVersion: 1, fields });

export const serialDescription = defineVMState({
  name: "serial",
  version: 3,
  minimumVersion: 2,
  fields: {
    divider: field(uint16, { version: 2 }),
    rbr: uint8,
    ier: uint8,
    iir: uint8,
    lcr: uint8,
    mcr: uint8,
    lsr: uint8,
    msr: uint8,
    scr: uint8,
    fcr_vmstate: field(uint8, { version: 3 }),
  },
  subsections: [
    // thr_ipending travels only when it differs from what IIR implies (serial_thr_ipending_needed).
    subsection(sub("serial/thr_ipending", { thr_ipending: int32 }), (s: SerialFields) =>
      s.ier & UART_IER_THRI ? s.thr_ipending !== ((s.iir & UART_IIR_ID) === UART_IIR_THRI ? 1 : 0) : false,
    ),
    subsection(sub("serial/tsr", { tsr_retry: uint32, thr: uint8, tsr: uint8 }), (s) => s.tsr_retry !== 0),
    subsection(sub("serial/recv_fifo", { recv_fifo: field(struct(fifo8Description), { version: 1, memSize: 24 }) }), (s) => s.recv_fifo.num > 0),
    subsection(sub("serial/xmit_fifo", { xmit_fifo: field(struct(fifo8Description), { version: 1, memSize: 24 }) }), (s) => s.xmit_fifo.num > 0),
    // No FIFO timeout timer here, so it is never pending.
    subsection(sub("serial/fifo_timeout_timer", { fifo_timeout_timer: timer }), (s) => s.fifo_timeout_timer !== -1n),
    subsection(sub("serial/timeout_ipending", { timeout_ipending: int32 }), (s) => s.timeout_ipending !== 0),
    subsection(sub("serial/poll", { poll_msl: int32, modem_status_poll: timer }), (s) => s.poll_msl >= 0),
  ],
  preSave: (s) => {
    s.fcr_vmstate = s.fcr;
  },
  postLoad: (s, version) => {
    // serial_post_load's checks and its fix-ups.
    if (version < 3) s.fcr_vmstate = 0;
    if (s.thr_ipending === -1) s.thr_ipending = (s.iir & UART_IIR_ID) === UART_IIR_THRI ? 1 : 0;
    if (s.tsr_retry > 0 && s.lsr & UART_LSR_TEMT) throw new Error(`inconsistent state in serial device (tsr empty, tsr_retry=${s.tsr_retry})`);
    if (s.tsr_retry === 0 && !(s.lsr & UART_LSR_TEMT)) throw new Error("inconsistent state in serial device (tsr not empty, tsr_retry=0)");
    s.fcr = s.fcr_vmstate;
  },
  locals: ["fcr"],
});

/** The `serial` section of a serial-mm device: one struct around the UART. */
export const serialMmDescription = defineVMState({
  name: "serial",
  version: 3,
  minimumVersion: 2,
  fields: { serial: field(struct(serialDescription), { memSize: 656 }) },
});

export type SerialState = StateOf<typeof serialDescription>;
export type SerialMmState = StateOf<typeof serialMmDescription>;

export function createSerialState(): SerialMmState {
  const s = createState(serialDescription);
  const fifo = () => ({ ...createState(fifo8Description), capacity: UART_FIFO_LENGTH, data: new Uint8Array(UART_FIFO_LENGTH) });
  // serial_reset
  Object.assign(s, {
    iir: UART_IIR_NO_INT,
    lsr: UART_LSR_TEMT | UART_LSR_THRE,
    msr: UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS,
    mcr: UART_MCR_OUT2,
    divider: 0x0c,
    poll_msl: -1,
    fifo_timeout_timer: -1n,
    modem_status_poll: -1n,
    recv_fifo: fifo(),
    xmit_fifo: fifo(),
    fcr: 0,
  });
  return { serial: s };
}

export class Ns16550 implements MmioDevice {
  constructor(
    readonly state: SerialMmState,
    private readonly output: (byte: number) => void,
    private readonly setIrq: (level: boolean) => void,
  ) {}

  private get s(): SerialState {
    return this.state.serial;
  }

  read(offset: number): bigint {
    const s = this.s;
    switch (offset) {
      case 0: {
        if (s.lcr & UART_LCR_DLAB) return BigInt(s.divider & 0xff);
        const fifo = s.recv_fifo;
        let v = s.rbr;
        if (fifo.num > 0) {
          v = fifo.data[fifo.head]!;
          fifo.head = (fifo.head + 1) % fifo.capacity;
          fifo.num--;
          s.rbr = v;
        }
        if (fifo.num === 0) s.lsr &= ~UART_LSR_DR;
        this.update();
        return BigInt(v);
      }
      case 1:
        return BigInt(s.lcr & UART_LCR_DLAB ? s.divider >> 8 : s.ier);
      case 2: {
        const v = s.iir;
        // Reading IIR acknowledges a transmitter-empty interrupt.
        if ((v & UART_IIR_ID) === UART_IIR_THRI) {
          s.thr_ipending = 0;
          this.update();
        }
        return BigInt(v);
      }
      case 3:
        return BigInt(s.lcr);
      case 4:
        return BigInt(s.mcr);
      case 5:
        return BigInt(s.lsr);
      case 6:
        return BigInt(s.msr);
      case 7:
        return BigInt(s.scr);
      default:
        return 0n;
    }
  }

  write(offset: number, _size: number, value: bigint): void {
    const s = this.s;
    const v = Number(value & 0xffn);
    switch (offset) {
      case 0:
        if (s.lcr & UART_LCR_DLAB) {
          s.divider = (s.divider & 0xff00) | v;
        } else {
          s.thr = v;
          this.output(v);
          // The byte leaves at once: the transmitter is empty again.
          s.lsr |= UART_LSR_THRE | UART_LSR_TEMT;
          s.thr_ipending = 1;
          this.update();
        }
        return;
      case 1:
        if (s.lcr & UART_LCR_DLAB) {
          s.divider = (s.divider & 0xff) | (v << 8);
        } else {
          const wasThri = s.ier & UART_IER_THRI;
          s.ier = v & 0x0f;
          if (!wasThri && s.ier & UART_IER_THRI && s.lsr & UART_LSR_THRE) s.thr_ipending = 1;
          this.update();
        }
        return;
      case 2:
        s.fcr = v & 0xc9;
        return;
      case 3:
        s.lcr = v;
        return;
      case 4:
        s.mcr = v & 0x1f;
        return;
      case 7:
        s.scr = v;
        return;
      default:
        return;
    }
  }

  /** Bytes from the host side for the guest to read. */
  receive(bytes: Uint8Array): void {
    const fifo = this.s.recv_fifo;
    for (const b of bytes) {
      if (fifo.num === fifo.capacity) break;
      fifo.data[(fifo.head + fifo.num) % fifo.capacity] = b;
      fifo.num++;
    }
    if (fifo.num) this.s.lsr |= UART_LSR_DR;
    this.update();
  }

  /** serial_update_irq: receive data first, then transmitter empty. */
  private update(): void {
    const s = this.s;
    let iir = UART_IIR_NO_INT;
    if (s.ier & UART_IER_RDI && s.lsr & UART_LSR_DR) iir = UART_IIR_RDI;
    else if (s.ier & UART_IER_THRI && s.thr_ipending) iir = UART_IIR_THRI;
    s.iir = iir | (s.iir & 0xf0);
    this.setIrq(iir !== UART_IIR_NO_INT);
  }
}
