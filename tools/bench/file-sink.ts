/** A plain file as a ByteSink: no temporary file, no fsync, the same for the subject and its baseline. */
import { open } from "node:fs/promises";
import type { ByteSink } from "@vmstate/core";
import { fileHandleSink } from "@vmstate/core/node";

export async function openFileSink(path: string): Promise<ByteSink & { close(): Promise<void> }> {
  const fh = await open(path, "w");
  return { ...fileHandleSink(fh, 0), close: () => fh.close() };
}
