/** Opening the command's inputs: a file (random access, so the vmdesc is read first) or `-` for stdin. */
import { type ByteSource } from "@vmstate/core";
import { openFileSource, readableSource } from "@vmstate/core/node";
import { createGunzip } from "node:zlib";
import { createReadStream } from "node:fs";

export interface Input {
  readonly source: ByteSource;
  readonly name: string;
  close(): Promise<void>;
}

export async function openInput(path: string): Promise<Input> {
  if (path === "-") return { source: readableSource(process.stdin), name: "stdin", close: async () => undefined };
  if (path.endsWith(".gz")) {
    // Compressed fixtures stream through gunzip (no random access, so the vmdesc is found by buffering the tail).
    const stream = createReadStream(path).pipe(createGunzip());
    return { source: readableSource(stream), name: path, close: async () => void stream.destroy() };
  }
  const source = await openFileSource(path);
  return { source, name: path, close: () => source.close() };
}
