/**
 * Checks a description against sections a real QEMU wrote: decoding with it
 * must give the values the stream's vmdesc gives, saving must give the same
 * bytes, and the vmdesc entry it writes must be QEMU's, key for key. This is
 * how a description is shown to be laid out exactly as QEMU's.
 */
import { stringifyQemuJson } from "../json/qemu-json.js";
import { hex } from "../format/state-json.js";
import { decodeStream } from "../stream/decoder.js";
import { sectionLabel, type SectionHeader } from "../stream/model.js";
import { memorySource } from "../stream/source.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { compile } from "./compile.js";
import type { Description, FieldDef } from "./description.js";
import type { ElementKind, Kind } from "./kinds.js";
import { vmdescDeviceEntry } from "./vmdesc.js";

export interface ConformanceReport {
  /** `idstr[instance]`. */
  readonly section: string;
  /** Saving the decoded state gives the section's bytes. */
  readonly bytesMatch: boolean;
  /** The vmdesc entry written on saving is QEMU's. */
  readonly vmdescMatch: boolean;
  /** Differences between the typed decode and the vmdesc-driven one (`path: ours vs vmdesc`). */
  readonly valueMismatches: readonly string[];
}

export interface ConformanceOptions {
  /** The state to load into (e.g. with locals such as counts set as QEMU's device has them). */
  initialState?: (section: SectionHeader) => object;
}

/** Checks every section named `idstr` in `stream` against `desc`. */
export async function checkConformance(stream: Uint8Array, idstr: string, desc: Description<unknown>, options: ConformanceOptions = {}): Promise<ConformanceReport[]> {
  const generic = new Map<number, { desc: Description<unknown>; state: Record<string, unknown>; vmdesc: string }>();
  const typed: { section: SectionHeader; state: Record<string, unknown>; start: number; end: number }[] = [];
  let deviceIndex = -1;
  const entries: string[] = [];
  let pendingTyped: { section: SectionHeader; state: Record<string, unknown>; start: number } | undefined;

  const first = await decodeStream(memorySource(stream), (item) => {
    if (item.kind === "state" && item.section.idstr === idstr) generic.set(item.offset, { desc: item.desc, state: item.state, vmdesc: "" });
  });
  for (const d of first.vmdesc?.devices ?? []) entries.push(stringifyQemuJson(d.json));

  await decodeStream(
    memorySource(stream),
    (item) => {
      if (item.kind === "state" && item.section.type === "full") deviceIndex++;
      if (item.kind === "state" && item.section.idstr === idstr) {
        pendingTyped = { section: item.section, state: item.state, start: item.offset };
        const g = generic.get(item.offset);
        if (g) g.vmdesc = entries[deviceIndex] ?? "";
      }
      if (item.kind === "section-end" && pendingTyped) {
        typed.push({ ...pendingTyped, end: item.offset });
        pendingTyped = undefined;
      }
    },
    {
      describe: (s) => (s.idstr === idstr ? { desc, state: options.initialState?.(s) ?? {} } : undefined),
    },
  );

  return typed.map((t) => {
    const g = generic.get(t.start);
    const w = new ByteWriter();
    const entry = vmdescDeviceEntry(t.section.idstr, t.section.instanceId);
    compile(desc).save(w, t.state, entry, t.section.version);
    const bytes = w.result();
    const original = stream.subarray(t.start, t.end);
    const mismatches: string[] = [];
    if (g) compareLevel(desc, t.state, g.desc, g.state, "", mismatches);
    else mismatches.push("no vmdesc-driven decode to compare with");
    return {
      section: sectionLabel(t.section),
      bytesMatch: bytes.length === original.length && bytes.every((b, i) => b === original[i]),
      vmdescMatch: g !== undefined && stringifyQemuJson(entry) === g.vmdesc,
      valueMismatches: mismatches,
    };
  });
}

/** The vmdesc name of each field of a description ("name[k]" for repeated names). */
function vmdescNames(desc: Description<unknown>): Map<string, FieldDef> {
  const out = new Map<string, FieldDef>();
  const counts = new Map<string, number>();
  for (const f of desc.fields) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const f of desc.fields) {
    const k = seen.get(f.name) ?? 0;
    seen.set(f.name, k + 1);
    out.set(counts.get(f.name)! > 1 ? `${f.name}[${k}]` : f.name, f);
  }
  return out;
}

function compareLevel(
  ours: Description<unknown>,
  ourState: Record<string, unknown>,
  theirs: Description<unknown>,
  theirState: Record<string, unknown>,
  path: string,
  out: string[],
): void {
  const names = vmdescNames(ours);
  for (const g of theirs.fields) {
    const f = names.get(g.name);
    const where = `${path}${g.name}`;
    if (!f) {
      out.push(`${where}: not a field of ${ours.name}`);
      continue;
    }
    if (f.kind.k === "unused") continue; // QEMU ignores these bytes on load
    if (f.kind.k === "tmp") {
      // A temporary is made from the parent: compare what it would hold.
      const tmp = f.kind.toTmp(ourState as never) as Record<string, unknown>;
      if (g.kind.k === "struct") compareLevel(f.kind.desc, tmp, g.kind.desc, theirState[g.key] as Record<string, unknown>, `${where}.`, out);
      continue;
    }
    compareValue(f.kind, ourState[f.key], g.kind, theirState[g.key], where, out);
  }
  for (const gs of theirs.subsections) {
    const sub = ours.subsections.find((s) => s.desc.name === gs.desc.name);
    if (!sub) {
      out.push(`${path}${gs.desc.name}: not a subsection of ${ours.name}`);
      continue;
    }
    const mine = sub.key === undefined ? ourState : (ourState[sub.key] as Record<string, unknown>);
    compareLevel(sub.desc, mine, gs.desc, theirState[gs.key!] as Record<string, unknown>, `${path}${gs.desc.name}/`, out);
  }
}

function compareValue(ours: Kind, a: unknown, theirs: Kind, b: unknown, path: string, out: string[]): void {
  const listA = elements(ours, a);
  const listB = elements(theirs, b);
  if (listA.length !== listB.length) {
    out.push(`${path}: ${listA.length} elements vs ${listB.length}`);
    return;
  }
  for (let i = 0; i < listA.length; i++) {
    const [ka, va] = listA[i]!;
    const [kb, vb] = listB[i]!;
    const p = listA.length > 1 ? `${path}[${i}]` : path;
    if (ka.k === "struct" && kb.k === "struct") compareLevel(ka.desc, va as Record<string, unknown>, kb.desc, vb as Record<string, unknown>, `${p}.`, out);
    else if (scalar(asInteger(ka, va, kb)) !== scalar(asInteger(kb, vb, ka))) out.push(`${p}: ${scalar(va)} vs ${scalar(vb)}`);
  }
}

/** A field's elements with their kinds: a one-element array reads as a plain field in a vmdesc. */
function elements(kind: Kind, v: unknown): [ElementKind, unknown][] {
  switch (kind.k) {
    case "array":
    case "varray":
    case "ptrarray":
      return Array.from(v as ArrayLike<unknown>, (x) => [kind.of, x] as [ElementKind, unknown]);
    case "tuple":
      return (v as unknown[]).map((x, i) => [kind.of[i]!, x]);
    case "vbuffer":
    case "bitmap":
      return [[{ k: "buffer", info: kind.info, size: (v as Uint8Array).length }, v]];
    default:
      return [[kind as ElementKind, v]];
  }
}

/**
 * A device info the vmdesc-driven decoder keeps as bytes (say "cpsr") that a
 * description reads as an integer of the same width: compare it as the
 * big-endian integer it is on the wire.
 */
function asInteger(kind: ElementKind, v: unknown, other: ElementKind): unknown {
  if (kind.k !== "buffer" || other.k !== "int" || kind.size !== other.width || !(v instanceof Uint8Array)) return v;
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  return other.signed ? BigInt.asIntN(other.width * 8, n) : n;
}

function scalar(v: unknown): string {
  if (typeof v === "bigint") return `0x${BigInt.asUintN(64, v).toString(16)}`;
  if (typeof v === "number") return `0x${(v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16)}`;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Uint8Array) return hex(v);
  return String(v);
}

