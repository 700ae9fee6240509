/** The work the parse benchmark times, each run in a child process of its own (child-main.ts). */
import { open } from "node:fs/promises";
import { decodeStream } from "@vmstate/core";
import { openFileSource } from "@vmstate/core/node";

export interface PageCounts {
  /** Per RAM block: ZERO records, PAGE records, others (XBZRLE, compressed). */
  readonly [block: string]: { zero: number; normal: number; other: number };
}

/** What `vmstate inspect` does with RAM: count records per block, keep no page. */
export async function countPages(path: string): Promise<PageCounts> {
  const counts: Record<string, { zero: number; normal: number; other: number }> = {};
  const source = await openFileSource(path);
  try {
    await decodeStream(source, (item) => {
      if (item.kind !== "ram") return;
      const rec = item.record;
      if (rec.type === "mem-size") {
        for (const b of rec.blocks) counts[b.id] ??= { zero: 0, normal: 0, other: 0 };
      } else if (rec.type !== "eos") {
        const c = counts[rec.block];
        if (!c) return;
        if (rec.type === "zero") c.zero += rec.count;
        else if (rec.type === "page") c.normal++;
        else if (rec.type === "pages") c.normal += rec.count;
        else c.other++;
      }
    }, { pageRuns: true });
  } finally {
    await source.close();
  }
  return counts;
}

/** The floor for any parser: read the file front to back in `chunkBytes` pieces and drop them. */
export async function readPlain(path: string, chunkBytes: number): Promise<number> {
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(chunkBytes);
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return total;
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
