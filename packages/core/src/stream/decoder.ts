/**
 * Decodes a QEMU 7.2 migration stream into items (model.ts), streaming:
 * RAM pages are handed out as views of the input window, never collected.
 * Device sections are decoded with a local description when the caller has
 * one, else with the stream's own vmdesc trailer (as analyze-migration.py
 * does, but exactly, and including aarch64's configuration subsections).
 */
import { isVmstateError, LimitError, StreamFormatError, UnsupportedError } from "../errors.js";
import { compile } from "../vmstate/compile.js";
import type { Description } from "../vmstate/description.js";
import { descriptionFromVmdesc, parseVmdesc, sameBytes, type Vmdesc, type VmdescDevice } from "../vmstate/vmdesc.js";
import { latin1, type ByteReader } from "../wire/byte-reader.js";
import { NEED_MORE } from "../wire/need-more.js";
import { parseCommand } from "./command.js";
import { configCapabilities, configPageSize, parseConfiguration } from "./configuration.js";
import {
  MIG_CMD_POSTCOPY_ADVISE,
  QEMU_VM_COMMAND,
  QEMU_VM_CONFIGURATION,
  QEMU_VM_EOF,
  QEMU_VM_FILE_MAGIC,
  QEMU_VM_FILE_VERSION,
  QEMU_VM_FILE_VERSION_COMPAT,
  QEMU_VM_SECTION_END,
  QEMU_VM_SECTION_FOOTER,
  QEMU_VM_SECTION_FULL,
  QEMU_VM_SECTION_PART,
  QEMU_VM_SECTION_START,
  QEMU_VM_VMDESCRIPTION,
  RAM_SAVE_FLAG_CONTINUE,
  RAM_SAVE_FLAG_PAGE,
  RAM_SAVE_FLAG_ZERO,
  RAM_SECTION_VERSION,
} from "./constants.js";
import { locateTrailer, scanTail } from "./find-vmdesc.js";
import { HTAB_IDSTR, htabPayloadEnds, parseHtabRecord } from "./htab.js";
import { type RamRecord, sectionLabel, type SectionHeader, type SectionType, type StreamItem, type StreamVisitor } from "./model.js";
import { applyRamRecord, newRamContext, PageRecordCursor, parseRamRecord, type RamContext } from "./ram.js";
import { InputWindow, type ByteSource } from "./source.js";

/** A local description to decode a section with, and optionally the state to load into. */
export type LocalSection = Description<unknown> | { readonly desc: Description<unknown>; readonly state: object };

export interface DecodeOptions {
  /** Local descriptions, consulted before the vmdesc. */
  describe?: (section: SectionHeader) => LocalSection | undefined;
  /** Decode FULL sections through the stream's vmdesc trailer (default true). */
  useVmdesc?: boolean;
  /** Largest single element (a section, a RAM record) in bytes. Default 64 MiB. */
  maxStepBytes?: number;
  /** Largest vmdesc JSON accepted. Default 64 MiB. */
  maxVmdescBytes?: number;
  /** A source that cannot seek: most bytes held to reach the vmdesc. Default 64 MiB. */
  maxBufferedTail?: number;
  /** Read size. Default 4 MiB. */
  chunkBytes?: number;
  /** Chunks read ahead of the decoder. Default 4. */
  readAhead?: number;
  /** Of those, reads under way at once from a source that reads at an offset (a file). Default 2. */
  parallelReads?: number;
  /** Target page size when the stream does not say (configuration, vmdesc). Default 4096. */
  pageSize?: number;
  /**
   * Deliver runs of PAGE|CONTINUE records for consecutive pages as one
   * `pages` item each (default: one `page` item per record). For readers that
   * look at pages in bulk, such as `vmstate inspect`: a visit per run instead
   * of per page.
   */
  pageRuns?: boolean;
  /** RAM blocks whose MEM_SIZE entry carries a page size (postcopy-ram, hugepages): not visible in the stream. */
  hugepageBlocks?: readonly string[];
}

export interface DecodeResult {
  /** Bytes consumed. */
  readonly bytes: number;
  readonly vmdesc: Vmdesc | undefined;
  readonly pageSize: number;
  /** Things a reader should know that are not errors (e.g. sections decoded by footer search). */
  readonly warnings: readonly string[];
}

const MB = 1024 * 1024;
/** A refill that waited this long for input found the decoder ahead of its source. */
const INPUT_WAIT_MS = 0.25;
const ZERO_CONTINUE = RAM_SAVE_FLAG_ZERO | RAM_SAVE_FLAG_CONTINUE;
const PAGE_CONTINUE = RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE;

type Phase = "header" | "first" | "top" | "ram" | "htab" | "body" | "footer" | "after-eof" | "after-vmdesc" | "done";

/** Decodes `source`, calling `visit` for every item in stream order. */
export async function decodeStream(source: ByteSource, visit: StreamVisitor, options: DecodeOptions = {}): Promise<DecodeResult> {
  const d = new Decoder(source, visit, options);
  return d.run();
}

class Decoder {
  private readonly window: InputWindow;
  private readonly r: ByteReader;
  private phase: Phase = "header";
  private section: SectionHeader | undefined;
  private sectionOffset = 0;
  private readonly open = new Map<number, SectionHeader>();
  private footers: boolean | undefined;
  private htabExpectHeader = false;
  private readonly ram: RamContext;
  private vmdesc: Vmdesc | undefined;
  private vmdescLookedFor = false;
  /** vmdesc devices whose descriptions are not compiled yet, last first. */
  private toPrepare: VmdescDevice[] = [];
  /** Where the trailer read before decoding starts, if it was. */
  private trailerOffset = -1;
  private readonly devices = new Map<string, VmdescDevice[]>();
  private readonly warnings: string[] = [];
  private pageSizeKnown = false;
  /** The last refill waited for its input: the decoder is ahead of its source. */
  private waitedForInput = false;
  /** Reused for every RAM page record and its item (valid only during the visit). */
  private readonly cursor = new PageRecordCursor();
  private readonly ramItem: { kind: "ram"; offset: number; section: SectionHeader; record: RamRecord } = {
    kind: "ram",
    offset: 0,
    section: undefined as unknown as SectionHeader,
    record: undefined as unknown as RamRecord,
  };

  constructor(
    private readonly source: ByteSource,
    private readonly visit: StreamVisitor,
    private readonly options: DecodeOptions,
  ) {
    this.window = new InputWindow(source, {
      ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
      ...(options.readAhead !== undefined ? { readAhead: options.readAhead } : {}),
      ...(options.parallelReads !== undefined ? { parallelReads: options.parallelReads } : {}),
      maxStepBytes: options.maxStepBytes ?? 64 * MB,
    });
    this.r = this.window.reader;
    this.ram = newRamContext(options.pageSize ?? 4096);
    this.ram.hugepageBlocks = new Set(options.hugepageBlocks ?? []);
  }

  async run(): Promise<DecodeResult> {
    this.window.prefetch();
    if (this.options.useVmdesc !== false) await this.readTrailerFirst();
    const r = this.r;
    while (this.phase !== "done") {
      // A step restarts from r.stepStart when it runs out of input; RAM
      // batches move it forward record by record.
      r.stepStart = r.pos;
      let items: StreamItem | StreamItem[] | "need-tail" | Promise<void> | undefined;
      try {
        items = this.step();
      } catch (e) {
        if (e === NEED_MORE) {
          r.pos = r.stepStart;
          // Compile a device ahead of its section only once the decoder has
          // been waiting for its input: while it is behind (V8 still warming
          // up, reads just started) that work would delay everything.
          const idle = this.waitedForInput && !this.window.nextChunkArrived;
          const filling = this.window.refill(r.stepStart, r.wanted);
          if (idle) this.prepareNextDevice();
          const t = performance.now();
          await filling;
          this.waitedForInput = performance.now() - t >= INPUT_WAIT_MS;
          continue;
        }
        throw this.locate(e);
      }
      if (items === "need-tail") {
        r.pos = r.stepStart;
        await this.bufferTailForVmdesc();
        continue;
      }
      if (items === undefined) continue;
      if (items instanceof Promise) {
        await items;
        continue;
      }
      if (Array.isArray(items)) {
        for (const it of items) {
          const p = this.visit(it);
          if (p) await p;
        }
      } else {
        const p = this.visit(items);
        if (p) await p;
      }
    }
    return { bytes: r.offset, vmdesc: this.vmdesc, pageSize: this.ram.pageSize, warnings: this.warnings };
  }

  private locate(e: unknown): unknown {
    if (!isVmstateError(e)) return e;
    if (this.section && (this.phase === "ram" || this.phase === "htab" || this.phase === "body" || this.phase === "footer")) {
      e.locate({ section: sectionLabel(this.section) });
    }
    // Errors found in a description (say, a bad vmdesc entry) point at where decoding stood.
    e.locate({ offset: this.r.offset });
    return e;
  }

  // ------------------------------------------------------------- vmdesc

  private setVmdesc(v: Vmdesc): void {
    this.vmdesc = v;
    this.devices.clear();
    for (const dev of v.devices) {
      const key = `${dev.name}\0${dev.instanceId}`;
      const list = this.devices.get(key);
      if (list) list.push(dev);
      else this.devices.set(key, [dev]);
    }
    if (!this.pageSizeKnown) this.ram.pageSize = v.pageSize;
    this.toPrepare = this.options.describe ? [] : [...v.devices].reverse();
  }

  private maxVmdesc(): number {
    return this.options.maxVmdescBytes ?? 64 * MB;
  }

  /** With random access, the trailer is read before anything else, so sections decode as they come. */
  private async readTrailerFirst(): Promise<void> {
    const loc = await locateTrailer(this.source, this.maxVmdesc());
    if (!loc) return;
    this.vmdescLookedFor = true;
    if (loc.jsonLength > this.maxVmdesc()) {
      throw new LimitError(`vmdesc of ${loc.jsonLength} bytes is larger than allowed`, { offset: loc.offset, section: "vmdesc" });
    }
    this.setVmdesc(parseVmdesc(loc.json, loc.offset + 5));
    this.trailerOffset = loc.offset;
  }

  /** Without random access: hold the rest of the stream (device sections, small) to reach the trailer. */
  private async bufferTailForVmdesc(): Promise<void> {
    this.vmdescLookedFor = true;
    await this.window.bufferToEnd(this.options.maxBufferedTail ?? 64 * MB);
    const r = this.r;
    const found = scanTail(r.buf.subarray(r.pos, r.end), r.offset, true);
    if (typeof found === "object") {
      const at = found.offset - r.base + 5;
      this.setVmdesc(parseVmdesc(r.buf.subarray(at, at + found.jsonLength), found.offset + 5));
      this.trailerOffset = found.offset;
    }
  }

  /**
   * Derives and compiles one vmdesc device's description ahead of its
   * section, in time the decoder would otherwise spend waiting for input.
   */
  private prepareNextDevice(): void {
    const device = this.toPrepare.pop();
    try {
      if (device) compile(descriptionFromVmdesc(device)).prepare();
    } catch {
      // Only a head start: a bad entry is reported when its section is decoded, where the error can name it.
    }
  }

  private vmdescDevice(s: SectionHeader): VmdescDevice | undefined {
    const list = this.devices.get(`${s.idstr}\0${s.instanceId}`);
    return list?.shift();
  }

  // --------------------------------------------------------------- steps

  private step(): StreamItem | StreamItem[] | "need-tail" | Promise<void> | undefined {
    const r = this.r;
    switch (this.phase) {
      case "header":
        return this.header();
      case "first":
      case "top":
        return this.top();
      case "ram":
        return this.ramBatch();
      case "htab": {
        const offset = r.offset;
        const record = parseHtabRecord(r, this.htabExpectHeader, this.section!.version);
        this.htabExpectHeader = false;
        if (htabPayloadEnds(record)) this.phase = "footer";
        return { kind: "htab", offset, section: this.section!, record };
      }
      case "body":
        return this.body();
      case "footer":
        return this.footer();
      case "after-eof":
        return this.afterEof();
      case "after-vmdesc":
        return this.trailing();
      case "done":
        return undefined;
    }
  }

  /**
   * RAM records, parsed into one reused record and item and handed to the
   * visitor one by one, until the section's EOS, the end of the buffered
   * input (NEED_MORE) or a visitor that wants to be awaited. Runs of ZERO and
   * PAGE records go through `continuedPages`; everything else, and every
   * error, through parseRamRecord here.
   */
  private ramBatch(): Promise<void> | undefined {
    const r = this.r;
    const ctx = this.ram;
    const cursor = this.cursor;
    const item = this.ramItem;
    const record = cursor as unknown as RamRecord;
    item.section = this.section!;
    item.record = record;
    for (;;) {
      if (ctx.lastBlock !== undefined) {
        const blockLength = ctx.blocks.get(ctx.lastBlock) ?? -1;
        const wait = continuedPages(r, cursor, item as StreamItem, this.visit, ctx.pageSize, blockLength, this.options.pageRuns === true);
        if (wait) return wait;
      }
      r.stepStart = r.pos;
      const offset = r.offset;
      const parsed = parseRamRecord(r, ctx, cursor);
      if (parsed === record) ctx.lastBlock = cursor.block;
      else applyRamRecord(ctx, parsed);
      // Before the visit: a visitor that wants to be awaited returns to run(), which goes on from the phase.
      if (parsed.type === "eos") this.phase = "footer";
      item.offset = offset;
      item.record = parsed;
      const wait = this.visit(item as StreamItem);
      item.record = record;
      if (wait) return wait;
      if (parsed.type === "eos") return undefined;
    }
  }

  private header(): StreamItem {
    const r = this.r;
    const magic = r.u32();
    if (magic !== QEMU_VM_FILE_MAGIC) {
      throw new StreamFormatError("BAD_MAGIC", `Not a migration stream (magic 0x${magic.toString(16).padStart(8, "0")}, expected QEVM)`, { offset: 0 });
    }
    const version = r.u32();
    if (version === QEMU_VM_FILE_VERSION_COMPAT) {
      throw new StreamFormatError("BAD_VERSION", "SaveVM v2 format is obsolete and don't work anymore", { offset: 4 });
    }
    if (version !== QEMU_VM_FILE_VERSION) {
      throw new StreamFormatError("BAD_VERSION", `Unsupported migration stream version ${version}`, { offset: 4 });
    }
    this.phase = "first";
    return { kind: "header", offset: 0, version };
  }

  private top(): StreamItem | StreamItem[] {
    const r = this.r;
    const offset = r.offset;
    const type = r.u8();
    const first = this.phase === "first";
    switch (type) {
      case QEMU_VM_CONFIGURATION: {
        if (!first) throw new StreamFormatError("UNKNOWN_SECTION_TYPE", "Unknown savevm section type 7 (a configuration record after the start)", { offset });
        const config = parseConfiguration(r);
        const pageSize = configPageSize(config);
        if (pageSize !== undefined) {
          this.ram.pageSize = pageSize;
          this.pageSizeKnown = true;
        }
        this.ram.ignoreShared = configCapabilities(config).includes("x-ignore-shared");
        this.phase = "top";
        return { kind: "configuration", offset, config };
      }
      case QEMU_VM_SECTION_START:
      case QEMU_VM_SECTION_FULL: {
        const sectionId = r.u32();
        const idLen = r.u8();
        if (idLen === 0) throw new StreamFormatError("BAD_SECTION", "Unable to read ID string for section", { offset });
        const idstr = latin1(r.bytes(idLen, "section idstr"));
        const instanceId = r.u32();
        const version = r.u32();
        const section: SectionHeader = { type: type === QEMU_VM_SECTION_START ? "start" : "full", sectionId, idstr, instanceId, version };
        this.open.set(sectionId, section);
        return this.enter(section, offset);
      }
      case QEMU_VM_SECTION_PART:
      case QEMU_VM_SECTION_END: {
        const sectionId = r.u32();
        const opened = this.open.get(sectionId);
        if (!opened) throw new StreamFormatError("UNKNOWN_SECTION", `Unknown savevm section ${sectionId}`, { offset });
        const kind: SectionType = type === QEMU_VM_SECTION_PART ? "part" : "end";
        return this.enter({ ...opened, type: kind }, offset);
      }
      case QEMU_VM_COMMAND: {
        const item = parseCommand(r, offset);
        this.phase = "top";
        if (item.cmd === MIG_CMD_POSTCOPY_ADVISE && item.payload.length === 16) {
          this.warnings.push("postcopy-ram was advised: MEM_SIZE entries of hugepage-backed blocks carry a page size the stream cannot show");
        }
        return item;
      }
      case QEMU_VM_EOF:
        this.phase = "after-eof";
        return { kind: "eof", offset };
      default:
        throw new StreamFormatError("UNKNOWN_SECTION_TYPE", `Unknown savevm section type ${type}`, { offset });
    }
  }

  private enter(section: SectionHeader, offset: number): StreamItem {
    const where = { offset, section: sectionLabel(section) };
    if (section.idstr === "ram" && section.type !== "full") {
      if (section.version !== RAM_SECTION_VERSION) throw new StreamFormatError("BAD_SECTION", `Unknown RAM version ${section.version}`, where);
      this.phase = "ram";
    } else if (section.idstr === HTAB_IDSTR && section.type !== "full") {
      this.phase = "htab";
      this.htabExpectHeader = true;
    } else {
      this.phase = "body";
    }
    this.section = section;
    this.sectionOffset = offset;
    return { kind: "section-begin", offset, section };
  }

  private body(): StreamItem | "need-tail" {
    const r = this.r;
    const section = this.section!;
    const offset = r.offset;
    const local = this.options.describe?.(section);
    if (local) {
      const desc = "desc" in local ? local.desc : local;
      const state = ("desc" in local ? local.state : {}) as Record<string, unknown>;
      compile(desc).load(r, state, section.version);
      this.phase = "footer";
      return { kind: "state", offset, section, desc, state, describedBy: "local" };
    }
    if (this.options.useVmdesc !== false && !this.vmdesc && !this.vmdescLookedFor && section.type === "full") return "need-tail";
    const device = this.vmdesc && section.type === "full" ? this.peekDevice(section) : undefined;
    if (device) {
      const desc = descriptionFromVmdesc(device);
      const state: Record<string, unknown> = {};
      compile(desc).load(r, state, section.version);
      this.vmdescDevice(section); // consume it only once the section decoded
      this.phase = "footer";
      return { kind: "state", offset, section, desc, state, describedBy: "vmdesc" };
    }
    const len = this.findFooter(section);
    const bytes = r.copy(len, "section payload");
    this.phase = "footer";
    const reason = section.type === "full" ? (this.vmdesc ? "not in the vmdesc" : "the stream has no vmdesc") : "iterative section of unknown format";
    this.warnings.push(`${sectionLabel(section)} (${section.type}) at 0x${this.sectionOffset.toString(16)}: ${reason}; its ${len} bytes were found by searching for its footer`);
    return { kind: "opaque", offset, section, bytes, reason };
  }

  private peekDevice(s: SectionHeader): VmdescDevice | undefined {
    return this.devices.get(`${s.idstr}\0${s.instanceId}`)?.[0];
  }

  /** Length of a payload whose format is unknown: up to the first footer for this section that is followed by a plausible next element. */
  private findFooter(section: SectionHeader): number {
    const r = this.r;
    if (this.footers === false) {
      throw new UnsupportedError(`cannot find the end of ${sectionLabel(section)}: no description for it and the stream has no section footers`, {
        offset: r.offset,
      });
    }
    const id = section.sectionId;
    const b0 = (id >>> 24) & 0xff;
    const b1 = (id >>> 16) & 0xff;
    const b2 = (id >>> 8) & 0xff;
    const b3 = id & 0xff;
    const buf = r.buf;
    for (let i = r.pos; ; i++) {
      if (i + 6 > r.end) {
        if (r.final && i + 5 === r.end && this.isFooterAt(i, b0, b1, b2, b3)) return i - r.pos;
        if (r.final) {
          throw new StreamFormatError("MISSING_FOOTER", `no footer found for ${sectionLabel(section)}, which has no description`, { offset: r.offset });
        }
        r.need(i + 6 - r.pos, "section payload");
      }
      if (buf[i] === QEMU_VM_SECTION_FOOTER && this.isFooterAt(i, b0, b1, b2, b3)) {
        const next = buf[i + 5]!;
        if (next <= QEMU_VM_SECTION_FULL || next === QEMU_VM_COMMAND) return i - r.pos;
      }
    }
  }

  private isFooterAt(i: number, b0: number, b1: number, b2: number, b3: number): boolean {
    const buf = this.r.buf;
    return buf[i] === QEMU_VM_SECTION_FOOTER && buf[i + 1] === b0 && buf[i + 2] === b1 && buf[i + 3] === b2 && buf[i + 4] === b3;
  }

  private footer(): StreamItem {
    const r = this.r;
    const section = this.section!;
    const offset = r.offset;
    const label = sectionLabel(section);
    let footer = false;
    if (this.footers !== false && r.peek(0) === QEMU_VM_SECTION_FOOTER) {
      r.u8();
      const id = r.u32();
      if (id !== section.sectionId) {
        throw new StreamFormatError("FOOTER_MISMATCH", `Mismatched section id in footer for ${section.idstr} - read 0x${id.toString(16)} expected 0x${section.sectionId.toString(16)}`, {
          offset,
        });
      }
      footer = true;
    } else if (this.footers === true) {
      throw new StreamFormatError("MISSING_FOOTER", `Missing section footer for ${section.idstr}`, { offset, section: label });
    }
    this.footers = footer;
    this.phase = "top";
    this.section = undefined;
    if (section.type === "full" || section.type === "end") this.open.delete(section.sectionId);
    return { kind: "section-end", offset, section, footer };
  }

  private afterEof(): StreamItem | undefined {
    const r = this.r;
    const offset = r.offset;
    const next = r.peek(0);
    if (next < 0) {
      this.phase = "done";
      return undefined;
    }
    if (next !== QEMU_VM_VMDESCRIPTION) return this.trailing();
    r.u8();
    const len = r.u32();
    if (len > this.maxVmdesc()) throw new LimitError(`vmdesc of ${len} bytes is larger than allowed`, { offset, section: "vmdesc" });
    const json = r.bytes(len, "vmdesc JSON");
    // The trailer read ahead of time is this one: reuse it rather than parse it again.
    const known = this.vmdesc?.rawBytes;
    const vmdesc = this.trailerOffset === offset && known && sameBytes(known, json) ? this.vmdesc! : parseVmdesc(json, offset + 5);
    if (!this.vmdesc) this.setVmdesc(vmdesc);
    this.phase = "after-vmdesc";
    return { kind: "vmdesc", offset, vmdesc };
  }

  private trailing(): StreamItem | undefined {
    const r = this.r;
    if (!r.final) r.need(r.available + 1, "trailing bytes"); // read to the end (bounded by the step limit)
    const offset = r.offset;
    this.phase = "done";
    if (r.available === 0) return undefined;
    this.warnings.push(`${r.available} bytes after the end of the stream at 0x${offset.toString(16)}`);
    return { kind: "trailing", offset, bytes: r.copy(r.available) };
  }
}

/**
 * The hot loop, for nearly every record of a real stream: ZERO and PAGE
 * records that continue the last block (of `blockLength` bytes) and lie whole
 * in the window. Stops, with the reader at it, at the first record it does
 * not take; returns the visitor's promise when it wants to be awaited. Kept
 * small and apart from the rare paths so that V8 optimises it early and
 * never has to throw that work away.
 */
function continuedPages(
  r: ByteReader,
  cursor: PageRecordCursor,
  item: StreamItem & { offset: number },
  visit: StreamVisitor,
  pageSize: number,
  blockLength: number,
  pageRuns: boolean,
): Promise<void> | undefined {
  const view = r.view;
  const buf = r.buf;
  const end = r.end;
  const mask = pageSize - 1;
  let p = r.pos;
  while (p + 9 <= end) {
    const hi = view.getUint32(p);
    const lo = view.getUint32(p + 4);
    const flags = lo & mask;
    const addr = hi * 0x1_0000_0000 + (lo - flags);
    if (addr + pageSize > blockLength) break;
    if (flags === ZERO_CONTINUE) {
      // The whole run of ZERO|CONTINUE records for the following pages is one item.
      const fill = buf[p + 8]!;
      const count = 1 + runLength(view, buf, p + 9, end, addr + pageSize, pageSize, blockLength, ZERO_CONTINUE, 9, fill);
      cursor.type = "zero";
      cursor.fill = fill;
      cursor.count = count;
      cursor.pageSize = pageSize;
      r.pos = p + 9 * count;
    } else if (flags === PAGE_CONTINUE && p + 8 + pageSize <= end) {
      const stride = pageSize + 8;
      const count = pageRuns ? 1 + runLength(view, buf, p + stride, end, addr + pageSize, pageSize, blockLength, PAGE_CONTINUE, stride, -1) : 1;
      if (count === 1) {
        cursor.type = "page";
        cursor.count = 1;
        cursor.setData(buf, p + 8, pageSize);
      } else {
        cursor.type = "pages";
        cursor.count = count;
        cursor.pageSize = pageSize;
        cursor.setData(buf, p, count * stride);
      }
      r.pos = p + count * stride;
    } else {
      break;
    }
    cursor.flags = flags;
    cursor.addr = addr;
    item.offset = r.base + p;
    const wait = visit(item);
    if (wait) return wait;
    p = r.pos;
  }
  r.pos = p;
  return undefined;
}

/**
 * How many records like the one before `q` follow from `q` on: header
 * `flags` for pages `addr`, `addr + pageSize`, ... within the block, each
 * `stride` bytes and, for ZERO records (`fill` >= 0), with that fill byte;
 * whole in the window. A leaf of its own: a guest's RAM is runs of tens of
 * thousands of such records, and a loop this small is optimised (OSR) soon
 * after it starts.
 */
function runLength(view: DataView, buf: Uint8Array, q: number, end: number, addr: number, pageSize: number, blockLength: number, flags: number, stride: number, fill: number): number {
  // The expected header as two words; the low one holds the page offset's low bits and the flags.
  let hi = Math.floor(addr / 0x1_0000_0000);
  let lo = (addr % 0x1_0000_0000) + flags;
  const last = Math.min(Math.floor((end - q) / stride), Math.floor((blockLength - addr) / pageSize));
  let n = 0;
  while (n < last && view.getUint32(q + 4) === lo && view.getUint32(q) === hi && (fill < 0 || buf[q + 8] === fill)) {
    n++;
    q += stride;
    lo += pageSize;
    if (lo >= 0x1_0000_0000) {
      lo -= 0x1_0000_0000;
      hi++;
    }
  }
  return n;
}
