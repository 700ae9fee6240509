/** Sources for tests: the same bytes delivered in awkward pieces, with or without random access. */
import type { ByteSource } from "./source.js";

export function pieceSource(bytes: Uint8Array, piece: number, seekable: boolean): ByteSource {
  let pos = 0;
  const read = async (into: Uint8Array) => {
    const n = Math.min(into.length, piece, bytes.length - pos);
    into.set(bytes.subarray(pos, pos + n));
    pos += n;
    return n;
  };
  if (!seekable) return { read };
  return {
    read,
    size: bytes.length,
    readAt: async (position, into) => {
      const n = Math.max(0, Math.min(into.length, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
  };
}
