/**
 * Atomic file output: bytes go to a temporary file beside the target, which
 * replaces the target only once everything is written and synced. A crash or
 * an error leaves the old file as it was and no partial file behind.
 */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { VmstateError } from "../errors.js";
import type { ByteSink } from "../wire/byte-writer.js";

export async function writeFileAtomic<T>(path: string, produce: (sink: ByteSink) => Promise<T>): Promise<T> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let fh;
  try {
    fh = await open(tmp, "wx", 0o644);
  } catch (e) {
    throw new VmstateError("IO_ERROR", `cannot create ${tmp}: ${(e as Error).message}`, {}, { cause: e });
  }
  const handle = fh;
  const sink: ByteSink = {
    async write(chunk) {
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
    },
  };
  try {
    const result = await produce(sink);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
    return result;
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
