/**
 * The system bus a hart sees: RAM blocks mapped at guest-physical addresses
 * (direct typed-array access, pages marked written for migration) and MMIO
 * devices in address windows.
 */
import type { RamBlock } from "./guest-ram.js";

/** A device register window. Offsets are relative to the window's base. */
export interface MmioDevice {
  read(offset: number, size: 1 | 2 | 4 | 8): bigint;
  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void;
}

export interface MmioWindow {
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
  readonly name: string;
}

export interface RamWindow {
  readonly base: number;
  readonly block: RamBlock;
  readonly view: DataView;
}

export class SystemBus {
  readonly ram: RamWindow[] = [];
  readonly mmio: MmioWindow[] = [];

  mapRam(base: number, block: RamBlock): RamWindow {
    const w = { base, block, view: new DataView(block.data.buffer, block.data.byteOffset, block.data.byteLength) };
    this.ram.push(w);
    return w;
  }

  mapMmio(name: string, base: number, size: number, device: MmioDevice): void {
    this.mmio.push({ name, base, size, device });
  }

  /** The RAM window holding [addr, addr + size), if any. */
  ramAt(addr: number, size: number): RamWindow | undefined {
    for (const w of this.ram) if (addr >= w.base && addr + size <= w.base + w.block.length) return w;
    return undefined;
  }

  mmioAt(addr: number): MmioWindow | undefined {
    for (const w of this.mmio) if (addr >= w.base && addr < w.base + w.size) return w;
    return undefined;
  }
}
