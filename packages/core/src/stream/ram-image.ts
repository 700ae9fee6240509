/**
 * A whole stream holding only RAM, framed as QEMU frames precopy: header,
 * configuration, the `ram` section's START (block list), one PART with every
 * page, END, EOF and a vmdesc with no devices. What `vmstate` writes when it
 * saves a RAM image, and what the write benchmark measures.
 */
import { JsonObject } from "../json/qemu-json.js";
import { type ByteSink, SinkWriter } from "../wire/byte-writer.js";
import { CONFIG_TARGET_PAGE_BITS, QEMU_VM_EOF, QEMU_VM_FILE_MAGIC, QEMU_VM_FILE_VERSION, RAM_SECTION_VERSION } from "./constants.js";
import { encodeConfiguration } from "./configuration.js";
import { encodeSectionFooter, encodeSectionHeader, encodeVmdesc } from "./encoder.js";
import type { ConfigSubsection, SectionHeader } from "./model.js";
import { type RamBlockImage, RamStreamWriter } from "./ram-writer.js";

export interface RamImage {
  readonly machineType: string;
  readonly blocks: readonly RamBlockImage[];
  /** Target page size (default 4096). */
  readonly pageSize?: number;
  /** Send configuration/target-page-bits, as arm does. */
  readonly sendPageBits?: boolean;
}

export async function writeRamImageStream(sink: ByteSink, image: RamImage, options: { chunkBytes?: number } = {}): Promise<number> {
  const pageSize = image.pageSize ?? 4096;
  const w = new SinkWriter(sink, options.chunkBytes);
  w.u32(QEMU_VM_FILE_MAGIC);
  w.u32(QEMU_VM_FILE_VERSION);
  const subsections: ConfigSubsection[] = image.sendPageBits
    ? [{ name: CONFIG_TARGET_PAGE_BITS, version: 1, targetPageBits: Math.log2(pageSize) }]
    : [];
  encodeConfiguration(w, { machineType: image.machineType, subsections });
  const ram: SectionHeader = { type: "start", sectionId: 2, idstr: "ram", instanceId: 0, version: RAM_SECTION_VERSION };
  const rw = new RamStreamWriter(w, pageSize);
  encodeSectionHeader(w, ram);
  rw.writeSetup(image.blocks);
  encodeSectionFooter(w, ram.sectionId);
  encodeSectionHeader(w, { ...ram, type: "part" });
  for (const b of image.blocks) await rw.writePages(b);
  rw.writeEos();
  encodeSectionFooter(w, ram.sectionId);
  encodeSectionHeader(w, { ...ram, type: "end" });
  rw.writeEos();
  encodeSectionFooter(w, ram.sectionId);
  w.u8(QEMU_VM_EOF);
  const vmdesc = new JsonObject().set("page_size", pageSize).set("devices", []);
  encodeVmdesc(w, vmdesc);
  await w.drain();
  return w.position;
}
