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

/** Copies the views an item may hold into the input window. */
export function detach(item: StreamItem): StreamItem {
  if (item.kind === "htab") {
    return item.record.type === "chunk" ? { ...item, record: { ...item.record, data: item.record.data.slice() } } : item;
  }
  if (item.kind !== "ram") return item;
  const rec = item.record;
  switch (rec.type) {
    case "page":
    case "xbzrle":
    case "compressed":
      return { ...item, record: { ...rec, data: rec.data.slice() } as RamRecord };
    default:
      return item;
  }
}
