/** A plain file as a ByteSink: no temporary file, no fsync, the same for the subject and its baseline. */
import { open } from "node:fs/promises";
import type { ByteSink } from "@vmstate/core";

export async function openFileSink(path: string): Promise<ByteSink & { close(): Promise<void> }> {
  const fh = await open(path, "w");
  return {
    async write(chunk) {
      for (let off = 0; off < chunk.length; ) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    },
    close: () => fh.close(),
  };
}
