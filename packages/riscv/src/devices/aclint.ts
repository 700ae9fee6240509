/**
 * The virt board's CLINT (QEMU's ACLINT MSWI + MTIMER at one base): msip
 * per hart at +0, mtimecmp per hart at +0x4000, mtime at +0xbff8. mtime runs
 * at 10 MHz off the machine's virtual clock. Its state is QEMU's
 * `riscv_mtimer` section: the compare values.
 */
import { createState, defineVMState, uint64, varray, type StateOf } from "@vmstate/core";
import type { MmioDevice } from "../bus.js";

export const ACLINT_MSWI_OFFSET = 0x0;
export const ACLINT_MTIMECMP_OFFSET = 0x4000;
export const ACLINT_MTIME_OFFSET = 0xbff8;
export const CLINT_SIZE = 0x10000;
/** RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ */
export const TIMEBASE_HZ = 10_000_000n;

export const mtimerDescription = defineVMState({
  name: "riscv_mtimer",
  version: 1,
  minimumVersion: 1,
  locals: ["num_harts"],
  fields: { timecmp: varray(uint64, "num_harts", { countType: "uint32" }) },
});
export type MtimerState = StateOf<typeof mtimerDescription>;

export function createMtimerState(harts: number): MtimerState {
  // Compare values start at 0; a guest arms its timer before it enables MTIE.
  return { ...createState(mtimerDescription), num_harts: harts, timecmp: new BigUint64Array(harts) };
}

export interface HartIrqs {
  setIrq(hart: number, bit: number, level: boolean): void;
}

const MIP_MSIP = 3;
const MIP_MTIP = 7;

export class Aclint implements MmioDevice {
  /** Software-interrupt bits (not migrated by QEMU: mip carries them). */
  private readonly msip: Uint8Array;

  constructor(
    readonly state: MtimerState,
    /** mtime now, in timebase ticks. */
    private readonly mtime: () => bigint,
    private readonly irqs: HartIrqs,
  ) {
    this.msip = new Uint8Array(state.num_harts);
  }

  read(offset: number, size: 1 | 2 | 4 | 8): bigint {
    if (offset < ACLINT_MTIMECMP_OFFSET) {
      const hart = offset >> 2;
      return hart < this.msip.length && (offset & 3) === 0 ? BigInt(this.msip[hart]!) : 0n;
    }
    if (offset >= ACLINT_MTIME_OFFSET) return slice(this.mtime(), offset - ACLINT_MTIME_OFFSET, size);
    const rel = offset - ACLINT_MTIMECMP_OFFSET;
    const hart = rel >> 3;
    if (hart >= this.state.num_harts) return 0n;
    return slice(this.state.timecmp[hart]!, rel & 7, size);
  }

  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    if (offset < ACLINT_MTIMECMP_OFFSET) {
      const hart = offset >> 2;
      if (hart < this.msip.length && (offset & 3) === 0) {
        this.msip[hart] = Number(value & 1n);
        this.irqs.setIrq(hart, MIP_MSIP, this.msip[hart] === 1);
      }
      return;
    }
    if (offset >= ACLINT_MTIME_OFFSET) return; // mtime is read-only here: it follows the machine's clock
    const rel = offset - ACLINT_MTIMECMP_OFFSET;
    const hart = rel >> 3;
    if (hart >= this.state.num_harts) return;
    this.state.timecmp[hart] = splice(this.state.timecmp[hart]!, rel & 7, size, value);
    this.update(hart);
  }

  /** Raises or drops MTIP for every hart against the current mtime. */
  tick(): void {
    for (let h = 0; h < this.state.num_harts; h++) this.update(h);
  }

  /** The earliest mtimecmp at or after now, for a machine that skips idle time. */
  nextDeadline(): bigint | undefined {
    const now = this.mtime();
    let next: bigint | undefined;
    for (const t of this.state.timecmp) if (t > now && (next === undefined || t < next)) next = t;
    return next;
  }

  private update(hart: number): void {
    this.irqs.setIrq(hart, MIP_MTIP, this.mtime() >= this.state.timecmp[hart]!);
  }
}

function slice(v: bigint, byte: number, size: number): bigint {
  return (v >> BigInt(byte * 8)) & ((1n << BigInt(size * 8)) - 1n);
}

function splice(v: bigint, byte: number, size: number, part: bigint): bigint {
  const shift = BigInt(byte * 8);
  const mask = ((1n << BigInt(size * 8)) - 1n) << shift;
  return BigInt.asUintN(64, (v & ~mask) | ((part << shift) & mask));
}
