/** Files as byte sources: sequential reads for decoding, positional reads for the vmdesc trailer. */
import { open } from "node:fs/promises";
import { VmstateError } from "../errors.js";
import type { ByteSource } from "../stream/source.js";

export interface FileSource extends ByteSource {
  readonly size: number;
  close(): Promise<void>;
}

export async function openFileSource(path: string): Promise<FileSource> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new VmstateError("IO_ERROR", `cannot open ${path}: ${(e as Error).message}`, {}, { cause: e });
  }
  const stat = await fh.stat();
  if (!stat.isFile()) {
    await fh.close();
    throw new VmstateError("IO_ERROR", `${path} is not a regular file`);
  }
  const handle = fh;
  return {
    size: stat.size,
    async read(into) {
      const { bytesRead } = await handle.read(into, 0, into.length, null);
      return bytesRead;
    },
    async readAt(position, into) {
      const { bytesRead } = await handle.read(into, 0, into.length, position);
      return bytesRead;
    },
    close: () => handle.close(),
  };
}
