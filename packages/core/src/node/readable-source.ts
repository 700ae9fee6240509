/** A Node readable (a socket, stdin, a pipe) as a sequential byte source. */
import type { Readable } from "node:stream";
import { iterableSource, type ByteSource } from "../stream/source.js";

export function readableSource(stream: Readable): ByteSource {
  return iterableSource(stream as AsyncIterable<Uint8Array>);
}
