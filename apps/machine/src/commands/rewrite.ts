/** `vmstate rewrite IN OUT`: decode into the model and encode it again, streaming, into an atomically written file. */
import { decodeStream, StreamEncoder } from "@vmstate/core";
import { writeFileAtomic } from "@vmstate/core/node";
import { openInput } from "../io.js";

export interface RewriteResult {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly seconds: number;
}

export async function rewrite(inPath: string, outPath: string): Promise<RewriteResult> {
  const input = await openInput(inPath);
  const t0 = performance.now();
  try {
    return await writeFileAtomic(outPath, async (sink) => {
      const encoder = new StreamEncoder(sink);
      const result = await decodeStream(input.source, (item) => encoder.write(item));
      await encoder.end();
      return { bytesIn: result.bytes, bytesOut: encoder.position, seconds: (performance.now() - t0) / 1000 };
    });
  } finally {
    await input.close();
  }
}
