/**
 * writeRamImageStream lives in @vmstate/core (src/stream/ram-image.ts), but
 * the package index does not export it yet. Until it does, it is loaded from
 * the built package by file URL (the exports map guards only bare specifiers).
 * Once core exports it, the first branch wins and the rest can be deleted.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as core from "@vmstate/core";
import type { ByteSink, RamBlockImage } from "@vmstate/core";

/** Mirrors RamImage in core's stream/ram-image.ts. */
export interface RamImage {
  readonly machineType: string;
  readonly blocks: readonly RamBlockImage[];
  readonly pageSize?: number;
  readonly sendPageBits?: boolean;
}

export type WriteRamImageStream = (sink: ByteSink, image: RamImage) => Promise<number>;

export async function loadWriteRamImageStream(): Promise<WriteRamImageStream> {
  const exported = (core as unknown as Record<string, unknown>)["writeRamImageStream"];
  if (typeof exported === "function") return exported as WriteRamImageStream;
  const index = createRequire(import.meta.url).resolve("@vmstate/core"); // packages/core/dist/index.js
  const mod = (await import(new URL("./stream/ram-image.js", pathToFileURL(index)).href)) as { writeRamImageStream?: WriteRamImageStream };
  if (typeof mod.writeRamImageStream !== "function") throw new Error("@vmstate/core has no writeRamImageStream (build packages/core first)");
  return mod.writeRamImageStream;
}
