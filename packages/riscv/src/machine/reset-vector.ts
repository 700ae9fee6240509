/**
 * The board's reset vector in the mask ROM (QEMU's riscv_setup_rom_reset_vec
 * does the same job): every hart starts at MROM_BASE with a0 = hartid and
 * a1 = the device-tree address, then jumps to the start address stored in
 * the ROM. The instructions are encoded here from the ISA.
 */
import { MROM_BASE } from "./layout.js";

export function resetVector(start: bigint): Uint8Array {
  const rom = new Uint8Array(0x28);
  const view = new DataView(rom.buffer);
  const code = [
    0x00000297, // auipc t0, 0          t0 = MROM_BASE
    0x02028593, // addi  a1, t0, 32     a1 = device-tree address (MROM_BASE + 0x20)
    0xf1402573, // csrr  a0, mhartid
    0x0182b283, // ld    t0, 24(t0)     the start address below
    0x00028067, // jr    t0
    0x00000000,
  ];
  code.forEach((insn, i) => view.setUint32(i * 4, insn, true));
  view.setBigUint64(0x18, start, true);
  return rom;
}

export const RESET_PC = BigInt(MROM_BASE);
