/** The riscv64 `virt` board's memory map and RAM blocks, as QEMU 7.2 lays them out (hw/riscv/virt.c). */
export const VIRT_MACHINE_TYPE = "virt";
export const MROM_BASE = 0x1000;
export const MROM_SIZE = 0xf000;
export const CLINT_BASE = 0x2000000;
export const PLIC_BASE = 0xc000000;
export const UART0_BASE = 0x10000000;
export const UART0_SIZE = 0x100;
export const UART0_IRQ = 10;
export const FLASH_BASE = 0x20000000;
export const FLASH_BANK_SIZE = 0x2000000;
export const DRAM_BASE = 0x80000000;

/** RAM block names in QEMU's RAM-list order; a QEMU snapshot's block list must match them. */
export const RAM_BLOCK = "riscv_virt_board.ram";
export const FLASH0_BLOCK = "virt.flash0";
export const FLASH1_BLOCK = "virt.flash1";
export const MROM_BLOCK = "riscv_virt_board.mrom";
