/** The RAM section's records (migration/ram.c, precopy): parse and encode. */
import { InvalidStateError, LimitError, StreamFormatError, UnsupportedError } from "../errors.js";
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
 * A page record that is filled in again for every record of a stream, so
 * that decoding allocates nothing per page. Its `data` is a view of the input
 * window made on access; like the record itself, valid only until the next one.
 */
export class PageRecordCursor {
  type: "zero" | "page" | "pages" | "xbzrle" | "compressed" = "zero";
  flags = 0;
  block = "";
  addr = 0;
  fill = 0;
  count = 1;
  pageSize = 4096;
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private length = 0;

  setData(buf: Uint8Array, start: number, length: number): void {
    this.buf = buf;
    this.start = start;
    this.length = length;
  }

  get data(): Uint8Array {
    return this.buf.subarray(this.start, this.start + this.length);
  }

  /** A standalone copy of the record, safe to keep. */
  toRecord(): RamRecord {
    const { type, flags, block, addr } = this;
    if (type === "zero") return { type, flags, block, addr, fill: this.fill, count: this.count, pageSize: this.pageSize };
    if (type === "pages") return { type, flags, block, addr, count: this.count, pageSize: this.pageSize, data: this.data.slice() };
    return { type, flags, block, addr, data: this.data.slice() };
  }
}

function badRecord(why: string, offset: number): never {
  throw new StreamFormatError("BAD_RAM_RECORD", why, { offset });
}

/**
 * Parses one record. Pure with respect to `ctx` until it returns, so a
 * NEED_MORE restart is safe; the caller applies `ctx` updates via
 * `applyRamRecord`. With a `cursor`, page records are written into it (and
 * it is returned) instead of into a new object.
 */
export function parseRamRecord(r: ByteReader, ctx: RamContext, cursor?: PageRecordCursor): RamRecord {
  const start = r.offset;
  const hi = r.u32();
  const lo = r.u32();
  const mask = ctx.pageSize - 1;
  const flags = lo & mask;
  const addr = hi * 0x1_0000_0000 + (lo - flags);
  switch (flags & ~RAM_SAVE_FLAG_CONTINUE) {
    case RAM_SAVE_FLAG_MEM_SIZE: {
      const blocks: RamBlockInfo[] = [];
      let left = addr;
      while (left > 0) {
        const id = r.str8("RAM block id");
        if (id.length === 0) badRecord("empty RAM block id in the block list", start);
        const length = r.u64Number("RAM block length");
        if (length > left) badRecord(`RAM block ${id} of 0x${length.toString(16)} bytes exceeds the remaining total 0x${left.toString(16)}`, start);
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
        if (ctx.lastBlock === undefined) badRecord("CONTINUE page record with no previous block (\"Ack, bad migration stream!\")", start);
        block = ctx.lastBlock;
      } else {
        block = r.str8("RAM block id");
      }
      const length = ctx.blocks.get(block);
      if (length === undefined) badRecord(`page record for unknown RAM block "${block}" ("Can't find block")`, start);
      if (addr + ctx.pageSize > length) badRecord(`RAM offset 0x${addr.toString(16)} is outside block ${block} (0x${length.toString(16)} bytes)`, start);
      const type = flags & ~RAM_SAVE_FLAG_CONTINUE;
      let kind: PageRecordCursor["type"];
      let len: number;
      if (type === RAM_SAVE_FLAG_ZERO) {
        const fill = r.u8();
        if (!cursor) return { type: "zero", flags, block, addr, fill, count: 1, pageSize: ctx.pageSize };
        cursor.fill = fill;
        cursor.count = 1;
        cursor.pageSize = ctx.pageSize;
        kind = "zero";
        len = 0;
      } else if (type === RAM_SAVE_FLAG_PAGE) {
        kind = "page";
        len = ctx.pageSize;
      } else if (type === RAM_SAVE_FLAG_XBZRLE) {
        const enc = r.u8();
        if (enc !== ENCODING_FLAG_XBZRLE) badRecord(`XBZRLE page with encoding flag 0x${enc.toString(16)}`, start);
        len = r.u16();
        if (len > ctx.pageSize) badRecord(`XBZRLE page of ${len} bytes is larger than a page`, start);
        kind = "xbzrle";
      } else {
        len = r.u32();
        if (len > compressBound(ctx.pageSize)) badRecord(`compressed page of ${len} bytes is larger than zlib's bound`, start);
        kind = "compressed";
      }
      const dataStart = r.pos;
      r.skip(len, kind === "page" ? "RAM page" : `${kind} page data`);
      if (!cursor) return { type: kind as "page", flags, block, addr, data: r.buf.subarray(dataStart, dataStart + len) };
      cursor.type = kind;
      cursor.flags = flags;
      cursor.block = block;
      cursor.addr = addr;
      cursor.setData(r.buf, dataStart, len);
      return cursor as unknown as RamRecord;
    }
    case RAM_SAVE_FLAG_EOS:
      return { type: "eos", flags };
    default:
      if (flags & RAM_SAVE_FLAG_HOOK) throw new UnsupportedError("RAM hook records (RDMA) cannot appear in a byte stream", { offset: start });
      return badRecord(`unknown combination of RAM flags 0x${flags.toString(16)}`, start);
  }
}

/** Page `i` of a run of PAGE records (a view of its `data`). */
export function pageOfRun(run: Extract<RamRecord, { type: "pages" }>, i: number): Uint8Array {
  const stride = run.pageSize + 8;
  return run.data.subarray(i * stride + 8, (i + 1) * stride);
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
      if (rec.type === "pages" && (!Number.isInteger(rec.count) || rec.count < 1 || rec.data.length !== rec.count * (rec.pageSize + 8))) {
        throw new InvalidStateError(`a run of ${rec.count} RAM pages of ${rec.pageSize} bytes cannot hold ${rec.data.length} bytes of records`);
      }
      w.u64Number(rec.addr + rec.flags);
      if (!(rec.flags & RAM_SAVE_FLAG_CONTINUE)) w.str8(rec.block);
      switch (rec.type) {
        case "zero": {
          w.u8(rec.fill);
          // The rest of the run: ZERO|CONTINUE records for the following pages.
          const more = RAM_SAVE_FLAG_ZERO | RAM_SAVE_FLAG_CONTINUE;
          for (let i = 1, addr = rec.addr + rec.pageSize; i < rec.count; i++, addr += rec.pageSize) {
            w.u64Number(addr + more);
            w.u8(rec.fill);
          }
          return;
        }
        case "page":
          w.bytes(rec.data);
          return;
        case "pages": {
          // The first header is written above; each following page gets its own, which continues the block.
          const more = rec.flags | RAM_SAVE_FLAG_CONTINUE;
          w.bytes(pageOfRun(rec, 0));
          for (let i = 1; i < rec.count; i++) {
            w.u64Number(rec.addr + i * rec.pageSize + more);
            w.bytes(pageOfRun(rec, i));
          }
          return;
        }
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
