/**
 * The SiFive PLIC of the virt board (QEMU's hw/intc/sifive_plic.c, "MS"
 * hart config: an M and an S context per hart). Its state is QEMU's
 * `riscv_sifive_plic` section.
 */
import { createState, defineVMState, uint32, varray, type StateOf } from "@vmstate/core";
import type { MmioDevice } from "../bus.js";
import type { HartIrqs } from "./aclint.js";

export const PLIC_NUM_SOURCES = 96;
export const PLIC_SIZE = 0x4000000;
const PRIORITY_BASE = 0x4; // register of source 1
const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x200000;
const CONTEXT_STRIDE = 0x1000;
const MIP_MEIP = 11;
const MIP_SEIP = 9;

export const plicDescription = defineVMState({
  name: "riscv_sifive_plic",
  version: 1,
  minimumVersion: 1,
  locals: ["num_sources", "num_addrs", "bitfield_words", "num_enables"],
  fields: {
    source_priority: varray(uint32, "num_sources", { countType: "uint32" }),
    target_priority: varray(uint32, "num_addrs", { countType: "uint32" }),
    pending: varray(uint32, "bitfield_words", { countType: "uint32" }),
    claimed: varray(uint32, "bitfield_words", { countType: "uint32" }),
    enable: varray(uint32, "num_enables", { countType: "uint32" }),
  },
});
export type PlicState = StateOf<typeof plicDescription>;

export function createPlicState(harts: number): PlicState {
  const numAddrs = 2 * harts;
  const words = (PLIC_NUM_SOURCES + 31) >> 5;
  return {
    ...createState(plicDescription),
    num_sources: PLIC_NUM_SOURCES,
    num_addrs: numAddrs,
    bitfield_words: words,
    num_enables: numAddrs * words,
    source_priority: new Uint32Array(PLIC_NUM_SOURCES),
    target_priority: new Uint32Array(numAddrs),
    pending: new Uint32Array(words),
    claimed: new Uint32Array(words),
    enable: new Uint32Array(numAddrs * words),
  };
}

export class Plic implements MmioDevice {
  constructor(
    readonly state: PlicState,
    private readonly irqs: HartIrqs,
  ) {}

  /** A device's interrupt line: the source becomes pending on a rising level. */
  setSource(irq: number, level: boolean): void {
    if (irq <= 0 || irq >= this.state.num_sources) return;
    this.setBit(this.state.pending, irq, level);
    this.update();
  }

  read(offset: number): bigint {
    const s = this.state;
    if (offset >= PRIORITY_BASE && offset < PRIORITY_BASE + (s.num_sources << 2)) {
      return BigInt(s.source_priority[((offset - PRIORITY_BASE) >> 2) + 1] ?? 0);
    }
    if (offset >= PENDING_BASE && offset < PENDING_BASE + (s.num_sources >> 3)) return BigInt(s.pending[(offset - PENDING_BASE) >> 2]!);
    if (offset >= ENABLE_BASE && offset < ENABLE_BASE + s.num_addrs * ENABLE_STRIDE) {
      const ctx = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      const word = (offset & (ENABLE_STRIDE - 1)) >> 2;
      return word < s.bitfield_words ? BigInt(s.enable[ctx * s.bitfield_words + word]!) : 0n;
    }
    if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + s.num_addrs * CONTEXT_STRIDE) {
      const ctx = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
      const reg = offset & (CONTEXT_STRIDE - 1);
      if (reg === 0) return BigInt(s.target_priority[ctx]!);
      if (reg === 4) {
        // Claim: the best pending source leaves pending and becomes claimed.
        const irq = this.best(ctx);
        if (irq) {
          this.setBit(s.pending, irq, false);
          this.setBit(s.claimed, irq, true);
        }
        this.update();
        return BigInt(irq);
      }
    }
    return 0n;
  }

  write(offset: number, _size: number, value: bigint): void {
    const s = this.state;
    const v = Number(value & 0xffffffffn);
    if (offset >= PRIORITY_BASE && offset < PRIORITY_BASE + (s.num_sources << 2)) {
      const irq = ((offset - PRIORITY_BASE) >> 2) + 1;
      if (irq < s.num_sources) s.source_priority[irq] = v & 7; // VIRT_IRQCHIP_NUM_PRIO_BITS = 3
    } else if (offset >= ENABLE_BASE && offset < ENABLE_BASE + s.num_addrs * ENABLE_STRIDE) {
      const ctx = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      const word = (offset & (ENABLE_STRIDE - 1)) >> 2;
      if (word < s.bitfield_words) s.enable[ctx * s.bitfield_words + word] = v;
    } else if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + s.num_addrs * CONTEXT_STRIDE) {
      const ctx = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
      const reg = offset & (CONTEXT_STRIDE - 1);
      if (reg === 0) s.target_priority[ctx] = v & 7;
      else if (reg === 4 && v < s.num_sources) this.setBit(s.claimed, v, false); // complete
    }
    this.update();
  }

  /** The highest-priority source pending, enabled and not claimed for a context (0: none). */
  private best(ctx: number): number {
    const s = this.state;
    let maxIrq = 0;
    let maxPrio = s.target_priority[ctx]!;
    for (let w = 0; w < s.bitfield_words; w++) {
      const bits = s.pending[w]! & ~s.claimed[w]! & s.enable[ctx * s.bitfield_words + w]!;
      if (!bits) continue;
      for (let j = 0; j < 32; j++) {
        const irq = (w << 5) + j;
        if (bits & (1 << j) && s.source_priority[irq]! > maxPrio) {
          maxIrq = irq;
          maxPrio = s.source_priority[irq]!;
        }
      }
    }
    return maxIrq;
  }

  /** Sets each hart's MEIP/SEIP from its two contexts. */
  update(): void {
    for (let ctx = 0; ctx < this.state.num_addrs; ctx++) {
      this.irqs.setIrq(ctx >> 1, ctx & 1 ? MIP_SEIP : MIP_MEIP, this.best(ctx) !== 0);
    }
  }

  private setBit(words: Uint32Array, irq: number, on: boolean): void {
    const w = irq >> 5;
    const bit = 1 << (irq & 31);
    words[w] = on ? words[w]! | bit : words[w]! & ~bit;
  }
}
