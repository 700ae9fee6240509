/** The --quick input: a synthetic RAM image written as a stream by the code under test. */
import { writeRamImageStream } from "@vmstate/core";
import { openFileSink } from "./file-sink.js";
import { syntheticRamImage } from "./ram-image.js";

export async function writeSyntheticStream(path: string, ramBytes: number): Promise<number> {
  const sink = await openFileSink(path);
  try {
    return await writeRamImageStream(sink, syntheticRamImage(ramBytes));
  } finally {
    await sink.close();
  }
}
