/** A whole stream as items in memory (for streams of a sensible size; RAM pages are copied). */
import type { DecodeOptions, DecodeResult } from "./decoder.js";
import { decodeStream } from "./decoder.js";
import type { RamRecord, StreamItem } from "./model.js";
import { memorySource, type ByteSource } from "./source.js";

export interface StreamModel {
  readonly items: readonly StreamItem[];
  readonly result: DecodeResult;
}

/** Decodes a stream into a list of items that stay valid (views are copied). */
export async function readStream(input: Uint8Array | ByteSource, options: DecodeOptions = {}): Promise<StreamModel> {
  const items: StreamItem[] = [];
  const source = input instanceof Uint8Array ? memorySource(input) : input;
  const result = await decodeStream(source, (item) => {
    items.push(detach(item));
  }, options);
  return { items, result };
}

/**
 * Copies what an item borrows from the decoder: RAM items (and their records)
 * are reused from one record to the next, and page data and HTAB chunks are
 * views of the input window.
 */
export function detach(item: StreamItem): StreamItem {
  if (item.kind === "htab") {
    return item.record.type === "chunk" ? { ...item, record: { ...item.record, data: item.record.data.slice() } } : item;
  }
  if (item.kind !== "ram") return item;
  const rec = item.record;
  return { kind: "ram", offset: item.offset, section: item.section, record: copyRamRecord(rec) };
}

function copyRamRecord(rec: RamRecord): RamRecord {
  switch (rec.type) {
    case "mem-size":
    case "eos":
      return rec;
    case "zero":
      return { type: rec.type, flags: rec.flags, block: rec.block, addr: rec.addr, fill: rec.fill, count: rec.count, pageSize: rec.pageSize };
    case "pages":
      return { type: rec.type, flags: rec.flags, block: rec.block, addr: rec.addr, count: rec.count, pageSize: rec.pageSize, data: rec.data.slice() };
    default:
      return { type: rec.type, flags: rec.flags, block: rec.block, addr: rec.addr, data: rec.data.slice() } as RamRecord;
  }
}
