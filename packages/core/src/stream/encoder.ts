/**
 * Writes stream items back as bytes. Decoding a QEMU stream and feeding
 * every item to an encoder reproduces the stream byte for byte: each item
 * holds all it needs (exact RAM flags, footers, the vmdesc tree).
 */
import { InvalidStateError } from "../errors.js";
import { type JsonObject, stringifyQemuJson } from "../json/qemu-json.js";
import { compile } from "../vmstate/compile.js";
import { vmdescBytes } from "../vmstate/vmdesc.js";
import { ByteWriter, type ByteSink, SinkWriter } from "../wire/byte-writer.js";
import { encodeCommand } from "./command.js";
import { encodeConfiguration } from "./configuration.js";
import {
  QEMU_VM_EOF,
  QEMU_VM_FILE_MAGIC,
  QEMU_VM_SECTION_END,
  QEMU_VM_SECTION_FOOTER,
  QEMU_VM_SECTION_FULL,
  QEMU_VM_SECTION_PART,
  QEMU_VM_SECTION_START,
  QEMU_VM_VMDESCRIPTION,
} from "./constants.js";
import { encodeHtabRecord } from "./htab.js";
import type { SectionHeader, StreamItem } from "./model.js";
import { encodeRamRecord } from "./ram.js";

const SECTION_TYPE_BYTE = {
  start: QEMU_VM_SECTION_START,
  part: QEMU_VM_SECTION_PART,
  end: QEMU_VM_SECTION_END,
  full: QEMU_VM_SECTION_FULL,
} as const;

export function encodeSectionHeader(w: ByteWriter, s: SectionHeader): void {
  w.u8(SECTION_TYPE_BYTE[s.type]);
  w.u32(s.sectionId);
  if (s.type === "start" || s.type === "full") {
    if (s.idstr.length === 0) throw new InvalidStateError("a section needs an idstr");
    w.str8(s.idstr);
    w.u32(s.instanceId);
    w.u32(s.version);
  }
}

export function encodeSectionFooter(w: ByteWriter, sectionId: number): void {
  w.u8(QEMU_VM_SECTION_FOOTER);
  w.u32(sectionId);
}

/** The trailer: 0x06, be32 length, the JSON. */
export function encodeVmdescBytes(w: ByteWriter, json: Uint8Array): void {
  w.u8(QEMU_VM_VMDESCRIPTION);
  w.u32(json.length);
  w.bytes(json);
}

/** The trailer for a vmdesc built as a JSON tree (`{"page_size": …, "devices": […]}`). */
export function encodeVmdesc(w: ByteWriter, vmdesc: JsonObject): void {
  encodeVmdescBytes(w, new TextEncoder().encode(stringifyQemuJson(vmdesc)));
}

/** Writes one item into `w`. */
export function encodeItem(w: ByteWriter, item: StreamItem): void {
  switch (item.kind) {
    case "header":
      w.u32(QEMU_VM_FILE_MAGIC);
      w.u32(item.version);
      return;
    case "configuration":
      encodeConfiguration(w, item.config);
      return;
    case "command":
      encodeCommand(w, item);
      return;
    case "section-begin":
      encodeSectionHeader(w, item.section);
      return;
    case "ram":
      encodeRamRecord(w, item.record);
      return;
    case "htab":
      encodeHtabRecord(w, item.record);
      return;
    case "state":
      compile(item.desc).save(w, item.state, null, item.section.version);
      return;
    case "opaque":
      w.bytes(item.bytes);
      return;
    case "section-end":
      if (item.footer) encodeSectionFooter(w, item.section.sectionId);
      return;
    case "eof":
      w.u8(QEMU_VM_EOF);
      return;
    case "vmdesc":
      encodeVmdescBytes(w, vmdescBytes(item.vmdesc));
      return;
    case "trailing":
      w.bytes(item.bytes);
      return;
  }
}

/**
 * A streaming encoder: `write(item)` appends an item's bytes and hands full
 * chunks to the sink; await what it returns (backpressure), and `end()`.
 */
export class StreamEncoder {
  private readonly w: SinkWriter;

  constructor(sink: ByteSink, options: { chunkBytes?: number } = {}) {
    this.w = new SinkWriter(sink, options.chunkBytes);
  }

  /** Bytes written so far. */
  get position(): number {
    return this.w.position;
  }

  /** The underlying writer, for producers that write records directly (savevm). */
  get writer(): SinkWriter {
    return this.w;
  }

  write(item: StreamItem): void | Promise<void> {
    encodeItem(this.w, item);
    return this.w.maybeFlush();
  }

  async end(): Promise<void> {
    await this.w.drain();
  }
}

/** Encodes items held in memory into one buffer. */
export function encodeItems(items: Iterable<StreamItem>): Uint8Array {
  const w = new ByteWriter(1024 * 1024);
  for (const item of items) encodeItem(w, item);
  return w.result();
}
