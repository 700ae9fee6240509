/**
 * The PL011 UART of the virt board (QEMU's hw/char/pl011.c): transmit goes
 * straight to an output callback, received bytes wait in the 16-entry FIFO.
 * Its state is QEMU's `pl011` section (version 2, with pl011/clock).
 */
import { array, createState, defineVMState, field, int32, struct, subsection, uint32, uint64, type StateOf } from "@vmstate/core";
import type { MmioDevice } from "@vmstate/core";

/** hw/core/clock-vmstate.c vmstate_clock: a clock's period, in 2^-32 ns. */
const clockDescription = defineVMState({ name: "clock", version: 0, minimumVersion: 0, fields: { period: uint64 } });

/** VMSTATE_CLOCK(clk): the UART's input clock. */
const pl011ClockDescription = defineVMState({
  name: "pl011/clock",
  version: 1,
  minimumVersion: 1,
  fields: { clk: field(struct(clockDescription), { memSize: 8 }) },
});

/** The virt board's 24 MHz APB clock, as a period in 2^-32 ns (CLOCK_PERIOD_FROM_HZ). */
export const VIRT_APB_CLOCK_PERIOD = (1_000_000_000n << 32n) / 24_000_000n;

export const pl011Description = defineVMState({
  name: "pl011",
  version: 2,
  minimumVersion: 2,
  locals: ["migrate_clk"],
  fields: {
    readbuff: uint32,
    flags: uint32,
    lcr: uint32,
    rsr: uint32,
    cr: uint32,
    dmacr: uint32,
    int_enabled: uint32,
    int_level: uint32,
    read_fifo: array(uint32, 16),
    ilpr: uint32,
    ibrd: uint32,
    fbrd: uint32,
    ifl: uint32,
    read_pos: int32,
    read_count: int32,
    read_trigger: int32,
  },
  // pl011_clock_needed: the machine property migrate-clk, on for machines after 5.0.
  subsections: [subsection(pl011ClockDescription, (s: { migrate_clk: number }) => s.migrate_clk !== 0)],
});
export type Pl011State = StateOf<typeof pl011Description>;

const PL011_FLAG_TXFE = 0x80;
const PL011_FLAG_RXFF = 0x40;
const PL011_FLAG_RXFE = 0x10;
const PL011_INT_TX = 0x20;
const PL011_INT_RX = 0x10;
/** The PrimeCell and peripheral ID registers of an ARM PL011 (offsets 0xfe0..0xffc). */
const PL011_ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** pl011_reset on the virt board, whose machine type migrates the UART clock (migrate-clk, after 5.0). */
export function createPl011State(): Pl011State {
  const s = createState(pl011Description);
  Object.assign(s, { flags: PL011_FLAG_RXFE | PL011_FLAG_TXFE, cr: 0x300, ifl: 0x12, read_trigger: 1, migrate_clk: 1 });
  s.clk.period = VIRT_APB_CLOCK_PERIOD;
  return s;
}

export class Pl011 implements MmioDevice {
  constructor(
    readonly state: Pl011State,
    private readonly output: (byte: number) => void,
    private readonly setIrq: (level: boolean) => void,
  ) {}

  read(offset: number): bigint {
    const s = this.state;
    if (offset >= 0xfe0 && offset < 0x1000) return BigInt(PL011_ID[(offset - 0xfe0) >> 2]!);
    switch (offset >> 2) {
      case 0: {
        // DR: the oldest received byte.
        s.flags &= ~PL011_FLAG_RXFF;
        const c = s.read_fifo[s.read_pos]!;
        if (s.read_count > 0) {
          s.read_count--;
          s.read_pos = (s.read_pos + 1) & 15;
        }
        if (s.read_count === 0) s.flags |= PL011_FLAG_RXFE;
        if (s.read_count === s.read_trigger - 1) s.int_level &= ~PL011_INT_RX;
        s.rsr = c >> 8;
        this.update();
        return BigInt(c & 0xff);
      }
      case 1:
        return BigInt(s.rsr);
      case 6:
        return BigInt(s.flags);
      case 8:
        return BigInt(s.ilpr);
      case 9:
        return BigInt(s.ibrd);
      case 10:
        return BigInt(s.fbrd);
      case 11:
        return BigInt(s.lcr);
      case 12:
        return BigInt(s.cr);
      case 13:
        return BigInt(s.ifl);
      case 14:
        return BigInt(s.int_enabled);
      case 15:
        return BigInt(s.int_level);
      case 16:
        return BigInt(s.int_level & s.int_enabled);
      case 18:
        return BigInt(s.dmacr);
      default:
        return 0n;
    }
  }

  write(offset: number, _size: number, value: bigint): void {
    const s = this.state;
    const v = Number(value & 0xffffffffn);
    switch (offset >> 2) {
      case 0:
        this.output(v & 0xff);
        // The byte leaves at once: transmit interrupt pending.
        s.int_level |= PL011_INT_TX;
        this.update();
        return;
      case 1:
        s.rsr = 0;
        return;
      case 8:
        s.ilpr = v;
        return;
      case 9:
        s.ibrd = v;
        return;
      case 10:
        s.fbrd = v;
        return;
      case 11:
        s.lcr = v;
        // Toggling the FIFO enable resets the receive FIFO (pl011_reset_fifo).
        s.read_count = 0;
        s.read_pos = 0;
        s.flags = (s.flags | PL011_FLAG_RXFE | PL011_FLAG_TXFE) & ~PL011_FLAG_RXFF;
        return;
      case 12:
        s.cr = v;
        return;
      case 13:
        s.ifl = v;
        return;
      case 14:
        s.int_enabled = v;
        this.update();
        return;
      case 17:
        s.int_level &= ~v;
        this.update();
        return;
      case 18:
        s.dmacr = v;
        return;
      default:
        return;
    }
  }

  /** Bytes from the host for the guest to read. */
  receive(bytes: Uint8Array): void {
    const s = this.state;
    for (const b of bytes) {
      if (s.read_count >= 16) break;
      s.read_fifo[(s.read_pos + s.read_count) & 15] = b;
      s.read_count++;
      s.flags &= ~PL011_FLAG_RXFE;
      if (s.read_count === 16) s.flags |= PL011_FLAG_RXFF;
      if (s.read_count === s.read_trigger) s.int_level |= PL011_INT_RX;
    }
    this.update();
  }

  private update(): void {
    this.setIrq((this.state.int_level & this.state.int_enabled) !== 0);
  }
}
