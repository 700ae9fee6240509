/** Stream constants of QEMU 7.2 (migration/savevm.h, migration/ram.c). */
export const QEMU_VM_FILE_MAGIC = 0x5145564d; // "QEVM"
export const QEMU_VM_FILE_VERSION_COMPAT = 0x00000002;
export const QEMU_VM_FILE_VERSION = 0x00000003;

export const QEMU_VM_EOF = 0x00;
export const QEMU_VM_SECTION_START = 0x01;
export const QEMU_VM_SECTION_PART = 0x02;
export const QEMU_VM_SECTION_END = 0x03;
export const QEMU_VM_SECTION_FULL = 0x04;
export const QEMU_VM_SUBSECTION = 0x05;
export const QEMU_VM_VMDESCRIPTION = 0x06;
export const QEMU_VM_CONFIGURATION = 0x07;
export const QEMU_VM_COMMAND = 0x08;
export const QEMU_VM_SECTION_FOOTER = 0x7e;

export const RAM_SAVE_FLAG_FULL = 0x01;
export const RAM_SAVE_FLAG_ZERO = 0x02;
export const RAM_SAVE_FLAG_MEM_SIZE = 0x04;
export const RAM_SAVE_FLAG_PAGE = 0x08;
export const RAM_SAVE_FLAG_EOS = 0x10;
export const RAM_SAVE_FLAG_CONTINUE = 0x20;
export const RAM_SAVE_FLAG_XBZRLE = 0x40;
export const RAM_SAVE_FLAG_HOOK = 0x80;
export const RAM_SAVE_FLAG_COMPRESS_PAGE = 0x100;

/** ENCODING_FLAG_XBZRLE, the byte before an XBZRLE page's length. */
export const ENCODING_FLAG_XBZRLE = 0x01;
/** The version of the `ram` section; the loader accepts no other. */
export const RAM_SECTION_VERSION = 4;
/** spapr/htab: bytes per hash page table entry (HASH_PTE_SIZE_64). */
export const HASH_PTE_SIZE_64 = 16;

/** MIG_CMD_* with their fixed payload lengths (-1: variable). */
export const MIG_COMMANDS: readonly { readonly name: string; readonly len: number }[] = [
  { name: "INVALID", len: -1 },
  { name: "OPEN_RETURN_PATH", len: 0 },
  { name: "PING", len: 4 },
  { name: "POSTCOPY_ADVISE", len: -1 },
  { name: "POSTCOPY_LISTEN", len: 0 },
  { name: "POSTCOPY_RUN", len: 0 },
  { name: "POSTCOPY_RAM_DISCARD", len: -1 },
  { name: "PACKAGED", len: 4 },
  { name: "ENABLE_COLO", len: 0 },
  { name: "POSTCOPY_RESUME", len: 0 },
  { name: "RECV_BITMAP", len: -1 },
];
export const MIG_CMD_POSTCOPY_ADVISE = 3;
export const MIG_CMD_PACKAGED = 7;

/** Configuration subsections QEMU 7.2 knows, in the order it sends them. */
export const CONFIG_TARGET_PAGE_BITS = "configuration/target-page-bits";
export const CONFIG_CAPABILITIES = "configuration/capabilities";
export const CONFIG_UUID = "configuration/uuid";
