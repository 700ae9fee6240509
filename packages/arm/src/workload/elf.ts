// A minimal ELF64 executable around a raw image: one PT_LOAD segment (RWX) at the image's
// address and the entry point, plus a symbol table so objdump and gdb show the labels.
// That is what QEMU's -kernel takes for a bare-metal AArch64 program (hw/arm/boot.c loads
// the segment and starts CPU 0 at the entry at EL1); a machine that takes raw segments
// uses `image`/`base` directly.

const EM_AARCH64 = 183;
const PT_LOAD = 1;
const PF_RWX = 7;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHF_ALLOC_WRITE_EXEC = 0x7;
const STT_NOTYPE = 0;
const STB_GLOBAL = 1;

/** A segment-aligned ELF64 (little-endian, AArch64, ET_EXEC) holding `image` at `base`. */
export function buildElf(image: Uint8Array, base: bigint, entry: bigint, symbols: Record<string, bigint> = {}): Uint8Array {
  const EH = 64;
  const PH = 56;
  const SH = 64;
  const textOff = 0x1000; // segment offset congruent with the address modulo the page size
  // symbol and section name tables
  const strtab: number[] = [0];
  const latin1 = (s: string) => Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  const addStr = (s: string) => {
    const at = strtab.length;
    strtab.push(...latin1(s), 0);
    return at;
  };
  const names = Object.keys(symbols).sort((a, b) => (symbols[a]! < symbols[b]! ? -1 : symbols[a]! > symbols[b]! ? 1 : a < b ? -1 : 1));
  const symEntries = names.map((n) => ({ name: addStr(n), value: symbols[n]! }));
  const shstr: number[] = [0];
  const addSh = (s: string) => {
    const at = shstr.length;
    shstr.push(...latin1(s), 0);
    return at;
  };
  const nText = addSh(".text");
  const nSymtab = addSh(".symtab");
  const nStrtab = addSh(".strtab");
  const nShstrtab = addSh(".shstrtab");

  const symOff = align(textOff + image.length, 8);
  const symSize = 24 * (symEntries.length + 1);
  const strOff = symOff + symSize;
  const shstrOff = strOff + strtab.length;
  const shOff = align(shstrOff + shstr.length, 8);
  const total = shOff + 5 * SH;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);

  // ELF header
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, SYSV
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, EM_AARCH64, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, entry, true);
  dv.setBigUint64(32, BigInt(EH), true); // e_phoff
  dv.setBigUint64(40, BigInt(shOff), true); // e_shoff
  dv.setUint32(48, 0, true); // e_flags
  dv.setUint16(52, EH, true);
  dv.setUint16(54, PH, true);
  dv.setUint16(56, 1, true); // e_phnum
  dv.setUint16(58, SH, true);
  dv.setUint16(60, 5, true); // e_shnum
  dv.setUint16(62, 4, true); // e_shstrndx

  // program header
  const ph = EH;
  dv.setUint32(ph, PT_LOAD, true);
  dv.setUint32(ph + 4, PF_RWX, true);
  dv.setBigUint64(ph + 8, BigInt(textOff), true);
  dv.setBigUint64(ph + 16, base, true); // p_vaddr
  dv.setBigUint64(ph + 24, base, true); // p_paddr
  dv.setBigUint64(ph + 32, BigInt(image.length), true);
  dv.setBigUint64(ph + 40, BigInt(image.length), true);
  dv.setBigUint64(ph + 48, 0x1000n, true);

  out.set(image, textOff);
  // symbols (index 0 is the null symbol)
  symEntries.forEach((s, i) => {
    const o = symOff + 24 * (i + 1);
    dv.setUint32(o, s.name, true);
    out[o + 4] = (STB_GLOBAL << 4) | STT_NOTYPE;
    dv.setUint16(o + 6, 1, true); // .text
    dv.setBigUint64(o + 8, s.value, true);
  });
  out.set(strtab, strOff);
  out.set(shstr, shstrOff);

  // section headers: null, .text, .symtab, .strtab, .shstrtab
  const sh = (i: number, name: number, type: number, flags: number, addr: bigint, off: number, size: number, link: number, info: number, alignment: number, entsize: number) => {
    const o = shOff + i * SH;
    dv.setUint32(o, name, true);
    dv.setUint32(o + 4, type, true);
    dv.setBigUint64(o + 8, BigInt(flags), true);
    dv.setBigUint64(o + 16, addr, true);
    dv.setBigUint64(o + 24, BigInt(off), true);
    dv.setBigUint64(o + 32, BigInt(size), true);
    dv.setUint32(o + 40, link, true);
    dv.setUint32(o + 44, info, true);
    dv.setBigUint64(o + 48, BigInt(alignment), true);
    dv.setBigUint64(o + 56, BigInt(entsize), true);
  };
  sh(1, nText, SHT_PROGBITS, SHF_ALLOC_WRITE_EXEC, base, textOff, image.length, 0, 0, 4096, 0);
  sh(2, nSymtab, SHT_SYMTAB, 0, 0n, symOff, symSize, 3, 1, 8, 24);
  sh(3, nStrtab, SHT_STRTAB, 0, 0n, strOff, strtab.length, 0, 0, 1, 0);
  sh(4, nShstrtab, SHT_STRTAB, 0, 0n, shstrOff, shstr.length, 0, 0, 1, 0);
  return out;
}

function align(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

/** The loadable segments of an ELF64 file (for machines that load -kernel ELF files themselves). */
export function elfSegments(elf: Uint8Array): { entry: bigint; segments: Array<{ address: bigint; data: Uint8Array; memSize: number }> } {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (dv.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error("not a little-endian ELF64 file");
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  const segments: Array<{ address: bigint; data: Uint8Array; memSize: number }> = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const off = Number(dv.getBigUint64(o + 8, true));
    const paddr = dv.getBigUint64(o + 24, true);
    const filesz = Number(dv.getBigUint64(o + 32, true));
    const memsz = Number(dv.getBigUint64(o + 40, true));
    segments.push({ address: paddr, data: elf.subarray(off, off + filesz), memSize: memsz });
  }
  return { entry: dv.getBigUint64(24, true), segments };
}
