/**
 * Decoded state as plain JSON: integers up to 32 bits as numbers, 64-bit
 * values (and timers, doubles) as "0x…" strings of their 64 bits, byte
 * buffers as hex strings, structs and subsections as objects.
 */
import type { Description } from "../vmstate/description.js";
import type { ElementKind, Kind } from "../vmstate/kinds.js";

export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

export function stateToJson(desc: Description<unknown>, state: Record<string, unknown>): { [key: string]: PlainJson } {
  const out: { [key: string]: PlainJson } = {};
  for (const f of desc.fields) {
    if (f.key in state) out[f.name] = fieldJson(f.kind, state[f.key]);
  }
  for (const sub of desc.subsections) {
    if (sub.key === undefined) {
      Object.assign(out, stateToJson(sub.desc, state)); // a subsection shares its parent's state
      continue;
    }
    const s = state[sub.key];
    if (s && typeof s === "object") out[sub.desc.name] = stateToJson(sub.desc, s as Record<string, unknown>);
  }
  return out;
}

function fieldJson(kind: Kind, v: unknown): PlainJson {
  switch (kind.k) {
    case "array":
    case "varray":
    case "ptrarray":
      return Array.from(v as ArrayLike<unknown>, (x) => (x === null ? null : elementJson(kind.of, x)));
    case "tuple":
      return (v as unknown[]).map((x, i) => elementJson(kind.of[i]!, x));
    case "vbuffer":
    case "bitmap":
      return hex(v as Uint8Array);
    case "qtailq":
      return (v as Record<string, unknown>[]).map((e) => stateToJson(kind.desc, e));
    case "unused":
    case "tmp":
      return null;
    default:
      return elementJson(kind, v);
  }
}

function elementJson(kind: ElementKind, v: unknown): PlainJson {
  switch (kind.k) {
    case "int":
      return typeof v === "bigint" ? u64(v) : (v as number);
    case "bool":
      return v as boolean;
    case "timer":
    case "cpudouble":
      return u64(v as bigint);
    case "buffer":
      return hex(v as Uint8Array);
    case "struct":
      return stateToJson(kind.desc, v as Record<string, unknown>);
  }
}

export function u64(v: bigint): string {
  return "0x" + BigInt.asUintN(64, v).toString(16).padStart(16, "0");
}

export function hex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? "0" : "") + b[i]!.toString(16);
  return s;
}
