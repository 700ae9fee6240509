/**
 * Atomic file output: bytes go to a temporary file beside the target, which
 * replaces the target only once everything is written and synced. A crash or
 * an error leaves the old file as it was and no partial file behind.
 */
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InvalidStateError, VmstateError } from "../errors.js";
import type { ByteSink } from "../wire/byte-writer.js";

export async function writeFileAtomic<T>(path: string, produce: (sink: ByteSink) => Promise<T>): Promise<T> {
  const suffix = Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0");
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${suffix}.tmp`);
  let fh;
  try {
    fh = await open(tmp, "wx", 0o644);
  } catch (e) {
    throw new VmstateError("IO_ERROR", `cannot create ${tmp}: ${(e as Error).message}`, {}, { cause: e });
  }
  const sink = fileHandleSink(fh, 0);
  const handle = fh;
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

/**
 * A sink over an open file, writing from `position` on (0 for a fresh file;
 * a FileHandle cannot say where it stands). Every write names its file
 * offset, so writes made before the last one has finished (SinkWriter waits;
 * other callers may not) land where they belong whichever the thread pool
 * finishes first. Not for a handle opened to append, where Linux ignores
 * the offset.
 */
export function fileHandleSink(handle: FileHandle, position: number): ByteSink {
  // Checked here too: Node takes a missing or NaN offset as "the current position", which brings back the races.
  if (!Number.isSafeInteger(position) || position < 0) throw new InvalidStateError(`a file sink needs the offset it starts at, not ${String(position)}`);
  let next = position;
  return {
    async write(chunk) {
      let at = next;
      next += chunk.length;
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, off, chunk.length - off, at);
        off += bytesWritten;
        at += bytesWritten;
      }
    },
    async writev(chunks) {
      let at = next;
      for (const c of chunks) next += c.length;
      let rest = chunks;
      while (rest.length) {
        const { bytesWritten } = await handle.writev(rest as Uint8Array[], at);
        rest = dropBytes(rest, bytesWritten);
        at += bytesWritten;
      }
    },
  };
}

/** What is left of `chunks` after their first `n` bytes. */
function dropBytes(chunks: readonly Uint8Array[], n: number): readonly Uint8Array[] {
  let i = 0;
  while (i < chunks.length && n >= chunks[i]!.length) n -= chunks[i++]!.length;
  if (i === chunks.length) return [];
  return n ? [chunks[i]!.subarray(n), ...chunks.slice(i + 1)] : chunks.slice(i);
}
