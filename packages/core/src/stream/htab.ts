/** The spapr/htab iterative section (hw/ppc/spapr.c): parse and encode. */
import { StreamFormatError } from "../errors.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";
import { HASH_PTE_SIZE_64 } from "./constants.js";
import type { HtabRecord } from "./model.js";

export const HTAB_IDSTR = "spapr/htab";

/**
 * Parses one record. `expectHeader` is true at the start of each section:
 * every section opens with a be32 iteration header; only a 0 header is
 * followed by chunks, up to an all-zero end marker.
 */
export function parseHtabRecord(r: ByteReader, expectHeader: boolean, version: number): HtabRecord {
  const start = r.offset;
  if (expectHeader) {
    if (version !== 1) throw new StreamFormatError("BAD_SECTION", `htab_load() bad version ${version}`, { offset: start });
    return { type: "header", value: r.u32() };
  }
  const index = r.u32();
  const nValid = r.u16();
  const nInvalid = r.u16();
  if (index === 0 && nValid === 0 && nInvalid === 0) return { type: "end" };
  return { type: "chunk", index, nValid, nInvalid, data: r.bytes(nValid * HASH_PTE_SIZE_64, "HPT entries") };
}

/** After this record, does the section's htab payload end? */
export function htabPayloadEnds(rec: HtabRecord): boolean {
  return rec.type === "end" || (rec.type === "header" && rec.value !== 0);
}

export function encodeHtabRecord(w: ByteWriter, rec: HtabRecord): void {
  switch (rec.type) {
    case "header":
      w.u32(rec.value);
      return;
    case "end":
      w.u32(0);
      w.u16(0);
      w.u16(0);
      return;
    case "chunk":
      w.u32(rec.index);
      w.u16(rec.nValid);
      w.u16(rec.nInvalid);
      w.bytes(rec.data);
      return;
  }
}
