/** The aarch64 `virt` board's memory map and RAM blocks, as QEMU 7.2 lays them out (hw/arm/virt.c, gic-version=3). */
export const VIRT_MACHINE_TYPE = "virt-7.2";
export const FLASH_BASE = 0x0000_0000;
export const FLASH_BANK_SIZE = 0x0400_0000;
export const GICD_BASE = 0x0800_0000;
export const ITS_BASE = 0x0808_0000;
export const GICR_BASE = 0x080a_0000;
/** RD_base and SGI_base frames of one redistributor. */
export const GICR_STRIDE = 0x2_0000;
/** CPUs the first redistributor region has room for (QEMU's virt: 123 before the second region). */
export const MAX_CPUS = 123;
export const UART0_BASE = 0x0900_0000;
export const UART0_SIZE = 0x1000;
/** The UART's SPI (virt's irqmap UART0 = 1, plus the 32 internal interrupts). */
export const UART0_SPI = 33;
export const DRAM_BASE = 0x4000_0000;

/** The EL1 virtual timer's PPI (ARCH_TIMER_VIRT_IRQ). */
export const VTIMER_PPI = 27;
/** The generic timer runs at 62.5 MHz: one tick every 16 ns of the virtual clock (QEMU 7.2's GTIMER_SCALE). */
export const NS_PER_COUNTER_TICK = 16n;

/** RAM block names in QEMU's RAM-list order; a QEMU snapshot's block list must match them. */
export const RAM_BLOCK = "mach-virt.ram";
export const FLASH0_BLOCK = "virt.flash0";
export const FLASH1_BLOCK = "virt.flash1";
/** fw_cfg's ACPI blobs: RAM blocks that QEMU migrates but maps nowhere in the guest. */
export const ACPI_BLOCKS: readonly { readonly id: string; readonly size: number }[] = [
  { id: "/rom@etc/acpi/tables", size: 0x2_0000 },
  { id: "/rom@etc/table-loader", size: 0x1000 },
  { id: "/rom@etc/acpi/rsdp", size: 0x1000 },
];
