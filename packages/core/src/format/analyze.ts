/**
 * The state dump of QEMU's scripts/analyze-migration.py (`-f FILE`), text for
 * text, built from decoded items. Unlike the script it also works on streams
 * the 7.2 script cannot read (configuration subsections on aarch64 virt).
 */
import { compile } from "../vmstate/compile.js";
import type { Description } from "../vmstate/description.js";
import type { ElementKind, Kind } from "../vmstate/kinds.js";
import { ByteWriter } from "../wire/byte-writer.js";
import type { StreamItem } from "../stream/model.js";

/** Python-like JSON values: objects keep insertion order, as OrderedDict does. */
type PyValue = string | boolean | PyValue[] | Map<string, PyValue>;

/** Type names the script reads as signed integers (VMSDFieldInt and VMSDFieldIntLE). */
const SIGNED = new Set(["int8", "int16", "int32", "int32 equal", "int32 le", "int64", "int64 equal", "uint8 equal", "uint16 equal"]);
/** ... and as unsigned ones (VMSDFieldUInt). */
const UNSIGNED = new Set(["uint8", "uint16", "uint32", "uint32 equal", "uint64"]);

/** Collects items and renders them as analyze-migration.py prints them. */
export class AnalyzeFormatter {
  private readonly sections = new Map<number, { key: string; value: PyValue }>();
  private readonly ramSizes = new Map<number, Map<string, PyValue>>();

  add(item: StreamItem): void {
    switch (item.kind) {
      case "section-begin": {
        const s = item.section;
        if (s.type === "start" || s.type === "full") {
          let value: PyValue = "";
          if (s.idstr === "ram") {
            const sizes = new Map<string, PyValue>();
            this.ramSizes.set(s.sectionId, sizes);
            value = new Map([["section sizes", sizes]]);
          }
          this.sections.set(s.sectionId, { key: `${s.idstr} (${s.sectionId})`, value });
        }
        return;
      }
      case "ram":
        if (item.record.type === "mem-size") {
          const sizes = this.ramSizes.get(item.section.sectionId);
          for (const b of item.record.blocks) sizes?.set(b.id, "0x" + b.length.toString(16).padStart(16, "0"));
        }
        return;
      case "state": {
        const entry = this.sections.get(item.section.sectionId);
        if (entry) entry.value = describeState(item.desc, item.state);
        return;
      }
      case "opaque": {
        const entry = this.sections.get(item.section.sectionId);
        if (entry) entry.value = new Map([["data", hexBytes(item.bytes)]]);
        return;
      }
      default:
        return;
    }
  }

  /** The script's output, including print()'s final newline. */
  toString(): string {
    const top = new Map<string, PyValue>();
    for (const { key, value } of this.sections.values()) top.set(key, value);
    return pyJson(top, 0) + "\n";
  }
}

function describeState(desc: Description<unknown>, state: Record<string, unknown>): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const f of desc.fields) {
    if (!(f.key in state)) continue;
    out.set(f.name, fieldValue(f.kind, state[f.key]));
  }
  for (const sub of desc.subsections) {
    const s = sub.key === undefined ? state : (state[sub.key] as Record<string, unknown> | undefined);
    if (s) out.set(sub.desc.name, describeState(sub.desc, s));
  }
  return out;
}

function fieldValue(kind: Kind, value: unknown): PyValue {
  switch (kind.k) {
    case "array":
    case "varray":
    case "ptrarray":
      return Array.from(value as ArrayLike<unknown>, (v) => elementValue(kind.of, v));
    case "tuple":
      return (value as unknown[]).map((v, i) => elementValue(kind.of[i]!, v));
    case "vbuffer":
    case "bitmap":
      return hexBytes(value as Uint8Array);
    default:
      return elementValue(kind as ElementKind, value);
  }
}

function elementValue(kind: ElementKind, value: unknown): PyValue {
  switch (kind.k) {
    case "int":
      return formatInt(kind.info, kind.width, typeof value === "bigint" ? value : BigInt(value as number));
    case "bool":
      return value as boolean;
    case "timer":
    case "cpudouble": {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value as bigint));
      return hexBytes(b);
    }
    case "buffer": {
      const bytes = value as Uint8Array;
      if ((SIGNED.has(kind.info) || UNSIGNED.has(kind.info)) && bytes.length > 0) {
        let v = 0n;
        for (const b of bytes) v = (v << 8n) | BigInt(b);
        return formatInt(kind.info, bytes.length, v);
      }
      return hexBytes(bytes);
    }
    case "struct": {
      if (kind.inline) {
        // The script reads "vstruct" and "tmp" as opaque bytes.
        const w = new ByteWriter(256);
        compile(kind.desc).save(w, value, null, kind.structVersion ?? kind.desc.version);
        return hexBytes(w.result());
      }
      return describeState(kind.desc, value as Record<string, unknown>);
    }
  }
}

function formatInt(info: string, width: number, raw: bigint): string {
  const bits = BigInt(width * 8);
  const u = BigInt.asUintN(Number(bits), raw);
  const hex = "0x" + u.toString(16).padStart(width * 2, "0");
  if (!SIGNED.has(info)) return hex;
  const s = BigInt.asIntN(Number(bits), raw);
  return s < 0n ? `${hex} (${s})` : hex;
}

function hexBytes(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (i ? " " : "") + (b[i]! < 16 ? "0" : "") + b[i]!.toString(16);
  return s;
}

/** json.dumps(indent=4, separators=(',', ': ')), ensure_ascii on. */
function pyJson(v: PyValue, depth: number): string {
  if (typeof v === "string") return pyString(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  const pad = " ".repeat(4 * (depth + 1));
  const end = " ".repeat(4 * depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return "[\n" + v.map((x) => pad + pyJson(x, depth + 1)).join(",\n") + "\n" + end + "]";
  }
  if (v.size === 0) return "{}";
  const parts: string[] = [];
  for (const [k, x] of v) parts.push(pad + pyString(k) + ": " + pyJson(x, depth + 1));
  return "{\n" + parts.join(",\n") + "\n" + end + "}";
}

function pyString(s: string): string {
  let r = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) r += '\\"';
    else if (c === 0x5c) r += "\\\\";
    else if (c === 0x0a) r += "\\n";
    else if (c === 0x0d) r += "\\r";
    else if (c === 0x09) r += "\\t";
    else if (c === 0x08) r += "\\b";
    else if (c === 0x0c) r += "\\f";
    else if (c < 0x20 || c > 0x7e) r += "\\u" + c.toString(16).padStart(4, "0");
    else r += s[i];
  }
  return r + '"';
}
