/** RAM images for the write benchmark: rebuilt from a stream, or made up for --quick. */
import { type RamBlockImage, decodeStream } from "@vmstate/core";
import { openFileSource } from "@vmstate/core/node";
import type { RamImage } from "@vmstate/core";

/** Decodes `path` and applies its ZERO and PAGE records to one buffer per block, sized from MEM_SIZE. */
export async function rebuildRamImage(path: string): Promise<RamImage> {
  let machineType = "";
  let sendPageBits = false;
  const blocks = new Map<string, Uint8Array>();
  /** Pages the records wrote, as a machine's dirty tracking would know them after loading. */
  const written = new Map<string, Uint8Array>();
  const source = await openFileSource(path);
  let pageSize: number;
  try {
    ({ pageSize } = await decodeStream(source, (item) => {
      if (item.kind === "configuration") {
        machineType = item.config.machineType;
        sendPageBits = item.config.subsections.some((s) => s.name === "configuration/target-page-bits");
      }
      if (item.kind !== "ram") return;
      const rec = item.record;
      switch (rec.type) {
        case "mem-size":
          for (const b of rec.blocks) {
            if (blocks.get(b.id)?.length === b.length) continue;
            blocks.set(b.id, new Uint8Array(b.length));
            written.set(b.id, new Uint8Array(Math.ceil(b.length / 4096 / 8) + 1));
          }
          return;
        case "zero": {
          // Buffers start zeroed; a later pass may zero pages an earlier one filled.
          blocks.get(rec.block)!.fill(rec.fill, rec.addr, rec.addr + rec.count * rec.pageSize);
          const bits = written.get(rec.block)!;
          for (let i = 0, p = rec.addr / rec.pageSize; i < rec.count; i++, p++) {
            if (rec.fill) bits[p >> 3]! |= 1 << (p & 7);
            else bits[p >> 3]! &= ~(1 << (p & 7));
          }
          return;
        }
        case "page": {
          blocks.get(rec.block)!.set(rec.data, rec.addr); // data is a view valid only now: copy it
          const p = rec.addr / rec.data.length;
          written.get(rec.block)![p >> 3]! |= 1 << (p & 7);
          return;
        }
        case "eos":
          return;
        default:
          throw new Error(`${rec.type} RAM records are not expected in a benchmark stream (offset ${item.offset})`);
      }
    }));
  } finally {
    await source.close();
  }
  const list: RamBlockImage[] = [...blocks].map(([id, data]) => ({ id, data, written: written.get(id)! }));
  return { machineType, blocks: list, pageSize, sendPageBits };
}

/**
 * A made-up machine for --quick and the tests: `bytes` of main RAM whose
 * first half holds non-zero pages (the rest stays zero, as untouched guest
 * RAM does), plus a small ROM so the stream has more than one block.
 */
export function syntheticRamImage(bytes: number, pageSize = 4096): RamImage {
  if (bytes % (2 * pageSize)) throw new Error(`synthetic RAM size must be a multiple of ${2 * pageSize}`);
  const ram = new Uint8Array(bytes);
  // xorshift32: cheap, deterministic, and never yields a zero word from a non-zero seed.
  const words = new Uint32Array(ram.buffer, 0, bytes / 2 / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  const rom = new Uint8Array(16 * pageSize);
  rom.fill(0x5a, 0, 4 * pageSize);
  return {
    machineType: "virt",
    pageSize,
    blocks: [
      { id: "synthetic.ram", data: ram },
      { id: "synthetic.rom", data: rom },
    ],
  };
}
