/**
 * The stream as a sequence of items. Decoding yields them in stream order;
 * encoding writes them back. A whole stream held in memory is an array of
 * them (see collect.ts); a streaming rewrite passes each one straight on.
 */
import type { Description } from "../vmstate/description.js";
import type { Vmdesc } from "../vmstate/vmdesc.js";

export type SectionType = "start" | "part" | "end" | "full";

export interface SectionHeader {
  readonly type: SectionType;
  readonly sectionId: number;
  /** For PART/END, taken from the section's START. */
  readonly idstr: string;
  readonly instanceId: number;
  /** version_id from the START/FULL header. */
  readonly version: number;
}

export interface ConfigurationRecord {
  /** The resolved machine class name (e.g. `pc-i440fx-7.2`, `virt-7.2`). */
  readonly machineType: string;
  readonly subsections: readonly ConfigSubsection[];
}
export type ConfigSubsection =
  | { readonly name: "configuration/target-page-bits"; readonly version: number; readonly targetPageBits: number }
  | { readonly name: "configuration/capabilities"; readonly version: number; readonly capabilities: readonly string[] }
  | { readonly name: "configuration/uuid"; readonly version: number; readonly uuid: Uint8Array };

export interface RamBlockInfo {
  readonly id: string;
  readonly length: number;
  /** Present only with postcopy-ram and a hugepage-backed block. */
  readonly pageSize?: number;
  /** Present only with x-ignore-shared: the MemoryRegion address. */
  readonly gpa?: number;
}

/** One RAM record. `flags` are the exact low bits written (type bit plus CONTINUE). */
export type RamRecord =
  | { readonly type: "mem-size"; readonly flags: number; readonly total: number; readonly blocks: readonly RamBlockInfo[] }
  /**
   * `count` consecutive ZERO records: the first as written (`flags`), the
   * rest ZERO|CONTINUE for the following pages with the same fill byte. QEMU
   * streams are mostly such runs; one item per run keeps decoding cheap.
   * `pageSize` is the target page size the addresses step by.
   */
  | {
      readonly type: "zero";
      readonly flags: number;
      readonly block: string;
      readonly addr: number;
      readonly fill: number;
      readonly count: number;
      readonly pageSize: number;
    }
  | { readonly type: "page"; readonly flags: number; readonly block: string; readonly addr: number; readonly data: Uint8Array }
  /**
   * `count` (at least 2) PAGE|CONTINUE records for consecutive pages from
   * `addr`, delivered as one item only when decoding with `pageRuns`. `data`
   * is the records as they lie in the stream, each an 8-byte header and its
   * page; `pageOfRun(record, i)` is page i.
   */
  | {
      readonly type: "pages";
      readonly flags: number;
      readonly block: string;
      readonly addr: number;
      readonly count: number;
      readonly pageSize: number;
      readonly data: Uint8Array;
    }
  | { readonly type: "xbzrle"; readonly flags: number; readonly block: string; readonly addr: number; readonly data: Uint8Array }
  | { readonly type: "compressed"; readonly flags: number; readonly block: string; readonly addr: number; readonly data: Uint8Array }
  | { readonly type: "eos"; readonly flags: number };

/** spapr/htab section content (hw/ppc/spapr.c htab_save_*). */
export type HtabRecord =
  /** The iteration header: 0xffffffff (no HPT), the HPT shift (setup), or 0 (chunks follow). */
  | { readonly type: "header"; readonly value: number }
  | { readonly type: "chunk"; readonly index: number; readonly nValid: number; readonly nInvalid: number; readonly data: Uint8Array }
  | { readonly type: "end" };

/**
 * Every item carries the absolute offset of its first byte. Items borrow from
 * the decoder: a `ram` item and its record are reused for the next record,
 * and page data and HTAB chunks are views of the input window, so all are
 * valid only during the visit. `detach` (collect.ts) makes a keepable copy.
 */
export type StreamItem =
  | { readonly kind: "header"; readonly offset: number; readonly version: number }
  | { readonly kind: "configuration"; readonly offset: number; readonly config: ConfigurationRecord }
  | { readonly kind: "command"; readonly offset: number; readonly cmd: number; readonly name: string; readonly payload: Uint8Array; readonly packaged?: Uint8Array }
  | { readonly kind: "section-begin"; readonly offset: number; readonly section: SectionHeader }
  | { readonly kind: "ram"; readonly offset: number; readonly section: SectionHeader; readonly record: RamRecord }
  | { readonly kind: "htab"; readonly offset: number; readonly section: SectionHeader; readonly record: HtabRecord }
  | {
      readonly kind: "state";
      readonly offset: number;
      readonly section: SectionHeader;
      /** The description the bytes were read with (from the vmdesc, or a local one). */
      readonly desc: Description<unknown>;
      readonly state: Record<string, unknown>;
      readonly describedBy: "vmdesc" | "local";
    }
  | {
      readonly kind: "opaque";
      readonly offset: number;
      readonly section: SectionHeader;
      readonly bytes: Uint8Array;
      /** Why the payload was not decoded. */
      readonly reason: string;
    }
  | { readonly kind: "section-end"; readonly offset: number; readonly section: SectionHeader; readonly footer: boolean }
  | { readonly kind: "eof"; readonly offset: number }
  | { readonly kind: "vmdesc"; readonly offset: number; readonly vmdesc: Vmdesc }
  /** Bytes after EOF that are not a vmdesc trailer (QEMU ignores them). */
  | { readonly kind: "trailing"; readonly offset: number; readonly bytes: Uint8Array };

export type StreamItemKind = StreamItem["kind"];

/** A visitor may return a promise (for a sink's backpressure); the decoder waits for it. */
export type StreamVisitor = (item: StreamItem) => void | Promise<void>;

/** `idstr[instance]`, the way errors and summaries name a section. */
export function sectionLabel(s: Pick<SectionHeader, "idstr" | "instanceId">): string {
  return `${s.idstr}[${s.instanceId}]`;
}
