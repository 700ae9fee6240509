/** The RAM section's records (migration/ram.c, precopy): parse and encode. */
import { LimitError, StreamFormatError, UnsupportedError } from "../errors.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";
import {
  ENCODING_FLAG_XBZRLE,
  RAM_SAVE_FLAG_COMPRESS_PAGE,
  RAM_SAVE_FLAG_CONTINUE,
  RAM_SAVE_FLAG_EOS,
  RAM_SAVE_FLAG_HOOK,
  RAM_SAVE_FLAG_MEM_SIZE,
  RAM_SAVE_FLAG_PAGE,
  RAM_SAVE_FLAG_XBZRLE,
  RAM_SAVE_FLAG_ZERO,
} from "./constants.js";
import type { RamBlockInfo, RamRecord } from "./model.js";

/** What a RAM reader must remember between records, across sections. */
export interface RamContext {
  pageSize: number;
  /** From MEM_SIZE: block id -> length. */
  blocks: Map<string, number>;
  /** The block of the last page record (CONTINUE refers to it). */
  lastBlock: string | undefined;
  /** x-ignore-shared is on: MEM_SIZE entries carry the block's address. */
  ignoreShared: boolean;
  /** Blocks that carry a page size in MEM_SIZE (postcopy-ram with hugepages). */
  hugepageBlocks: ReadonlySet<string>;
}

export function newRamContext(pageSize = 4096): RamContext {
  return { pageSize, blocks: new Map(), lastBlock: undefined, ignoreShared: false, hugepageBlocks: new Set() };
}

/** zlib's compressBound for one page: what a COMPRESS_PAGE record may hold. */
function compressBound(n: number): number {
  return n + (n >> 12) + (n >> 14) + (n >> 25) + 13;
}

/**
 * Parses one record. Pure with respect to `ctx` until it returns, so a
 * NEED_MORE restart is safe; the caller applies `ctx` updates via `applyRamRecord`.
 */
export function parseRamRecord(r: ByteReader, ctx: RamContext): RamRecord {
  const start = r.offset;
  const hi = r.u32();
  const lo = r.u32();
  const mask = ctx.pageSize - 1;
  const flags = lo & mask;
  const addr = hi * 0x1_0000_0000 + (lo - flags);
  const bad: (why: string) => never = (why) => {
    throw new StreamFormatError("BAD_RAM_RECORD", why, { offset: start });
  };
  switch (flags & ~RAM_SAVE_FLAG_CONTINUE) {
    case RAM_SAVE_FLAG_MEM_SIZE: {
      const blocks: RamBlockInfo[] = [];
      let left = addr;
      while (left > 0) {
        const id = r.str8("RAM block id");
        if (id.length === 0) bad("empty RAM block id in the block list");
        const length = r.u64Number("RAM block length");
        if (length > left) bad(`RAM block ${id} of 0x${length.toString(16)} bytes exceeds the remaining total 0x${left.toString(16)}`);
        let block: RamBlockInfo = { id, length };
        if (ctx.hugepageBlocks.has(id)) block = { ...block, pageSize: r.u64Number("RAM block page size") };
        if (ctx.ignoreShared) block = { ...block, gpa: r.u64Number("RAM block address") };
        if (blocks.length >= 65536) throw new LimitError("more than 65536 RAM blocks", { offset: start });
        blocks.push(block);
        left -= length;
      }
      return { type: "mem-size", flags, total: addr, blocks };
    }
    case RAM_SAVE_FLAG_ZERO:
    case RAM_SAVE_FLAG_PAGE:
    case RAM_SAVE_FLAG_XBZRLE:
    case RAM_SAVE_FLAG_COMPRESS_PAGE: {
      let block: string;
      if (flags & RAM_SAVE_FLAG_CONTINUE) {
        if (ctx.lastBlock === undefined) bad("CONTINUE page record with no previous block (\"Ack, bad migration stream!\")");
        block = ctx.lastBlock;
      } else {
        block = r.str8("RAM block id");
      }
      const length = ctx.blocks.get(block);
      if (length === undefined) bad(`page record for unknown RAM block "${block}" ("Can't find block")`);
      if (addr + ctx.pageSize > length) bad(`RAM offset 0x${addr.toString(16)} is outside block ${block} (0x${length.toString(16)} bytes)`);
      const type = flags & ~RAM_SAVE_FLAG_CONTINUE;
      if (type === RAM_SAVE_FLAG_ZERO) return { type: "zero", flags, block, addr, fill: r.u8() };
      if (type === RAM_SAVE_FLAG_PAGE) return { type: "page", flags, block, addr, data: r.bytes(ctx.pageSize, "RAM page") };
      if (type === RAM_SAVE_FLAG_XBZRLE) {
        const enc = r.u8();
        if (enc !== ENCODING_FLAG_XBZRLE) bad(`XBZRLE page with encoding flag 0x${enc.toString(16)}`);
        const len = r.u16();
        if (len > ctx.pageSize) bad(`XBZRLE page of ${len} bytes is larger than a page`);
        return { type: "xbzrle", flags, block, addr, data: r.bytes(len, "XBZRLE data") };
      }
      const len = r.u32();
      if (len > compressBound(ctx.pageSize)) bad(`compressed page of ${len} bytes is larger than zlib's bound`);
      return { type: "compressed", flags, block, addr, data: r.bytes(len, "compressed page") };
    }
    case RAM_SAVE_FLAG_EOS:
      return { type: "eos", flags };
    default:
      if (flags & RAM_SAVE_FLAG_HOOK) throw new UnsupportedError("RAM hook records (RDMA) cannot appear in a byte stream", { offset: start });
      return bad(`unknown combination of RAM flags 0x${flags.toString(16)}`);
  }
}

/** Updates the reader's memory after a record was parsed and accepted. */
export function applyRamRecord(ctx: RamContext, rec: RamRecord): void {
  if (rec.type === "mem-size") {
    ctx.blocks = new Map(rec.blocks.map((b) => [b.id, b.length]));
    ctx.lastBlock = undefined;
  } else if (rec.type !== "eos") {
    ctx.lastBlock = rec.block;
  }
}

export function encodeRamRecord(w: ByteWriter, rec: RamRecord): void {
  switch (rec.type) {
    case "mem-size":
      w.u64Number(rec.total + rec.flags);
      for (const b of rec.blocks) {
        w.str8(b.id);
        w.u64Number(b.length);
        if (b.pageSize !== undefined) w.u64Number(b.pageSize);
        if (b.gpa !== undefined) w.u64Number(b.gpa);
      }
      return;
    case "eos":
      w.u64Number(rec.flags);
      return;
    default:
      w.u64Number(rec.addr + rec.flags);
      if (!(rec.flags & RAM_SAVE_FLAG_CONTINUE)) w.str8(rec.block);
      switch (rec.type) {
        case "zero":
          w.u8(rec.fill);
          return;
        case "page":
          w.bytes(rec.data);
          return;
        case "xbzrle":
          w.u8(ENCODING_FLAG_XBZRLE);
          w.u16(rec.data.length);
          w.bytes(rec.data);
          return;
        case "compressed":
          w.u32(rec.data.length);
          w.bytes(rec.data);
          return;
      }
  }
}

/**
 * Applies an XBZRLE delta to a page in place, with the checks of QEMU's
 * xbzrle_decode_buffer: pairs of (unchanged run, changed run + its bytes),
 * each length a ULEB128 of at most two bytes; only the first unchanged run
 * may be empty.
 */
export function applyXbzrle(encoded: Uint8Array, page: Uint8Array, offset = 0): void {
  const slen = encoded.length;
  let i = 0;
  let d = 0;
  const bad: (why: string) => never = (why) => {
    throw new StreamFormatError("BAD_RAM_RECORD", `XBZRLE: ${why}`, { offset: offset + i });
  };
  const uleb = (): number => {
    if (slen - i < 2) bad("truncated run length");
    const b0 = encoded[i]!;
    if (!(b0 & 0x80)) {
      i += 1;
      return b0;
    }
    const b1 = encoded[i + 1]!;
    if (b1 & 0x80) bad("run length longer than two bytes");
    i += 2;
    return (b0 & 0x7f) | (b1 << 7);
  };
  while (i < slen) {
    const first = i === 0;
    const zrun = uleb();
    if (zrun === 0 && !first) bad("empty unchanged run");
    d += zrun;
    if (d > page.length) bad("unchanged run past the end of the page");
    const nzrun = uleb();
    if (nzrun === 0) bad("empty changed run");
    if (d + nzrun > page.length || i + nzrun > slen) bad("changed run past the end of the page or the data");
    page.set(encoded.subarray(i, i + nzrun), d);
    i += nzrun;
    d += nzrun;
  }
}

/** Inflates one COMPRESS_PAGE record (an RFC 1950 zlib stream) with the platform's DecompressionStream. */
export async function inflatePage(data: Uint8Array, pageSize: number, offset = 0): Promise<Uint8Array> {
  const DS = (globalThis as { DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!DS) throw new UnsupportedError("compressed pages need DecompressionStream, which this platform lacks", { offset });
  const out = new Uint8Array(pageSize);
  let n = 0;
  try {
    const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DS("deflate"));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > pageSize) throw new Error("inflates to more than a page");
      out.set(value, n);
      n += value.length;
    }
  } catch (e) {
    throw new StreamFormatError("BAD_RAM_RECORD", `compressed page does not inflate: ${e instanceof Error ? e.message : String(e)}`, { offset });
  }
  if (n !== pageSize) throw new StreamFormatError("BAD_RAM_RECORD", `compressed page inflates to ${n} bytes, not ${pageSize}`, { offset });
  return out;
}
