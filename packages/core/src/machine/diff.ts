/**
 * The first difference between two machines of the same shape: a RAM page,
 * or a field of a save-state entry. The equivalence check of `vmstate run`
 * reports with it.
 */
import { stateToJson, type PlainJson } from "../format/state-json.js";
import { compile } from "../vmstate/compile.js";
import { ByteWriter } from "../wire/byte-writer.js";
import type { Machine } from "./machine.js";

export type MachineDifference =
  | { readonly kind: "ram"; readonly block: string; readonly offset: number; readonly a: number; readonly b: number }
  | { readonly kind: "state"; readonly section: string; readonly path: string; readonly a: string; readonly b: string }
  | { readonly kind: "shape"; readonly what: string };

export function firstDifference(a: Machine, b: Machine): MachineDifference | undefined {
  const ea = a.saveStates.entries.filter((e) => e.vmstate);
  const eb = b.saveStates.entries.filter((e) => e.vmstate);
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) {
    const x = ea[i];
    const y = eb[i];
    if (!x || !y || x.idstr !== y.idstr || x.instanceId !== y.instanceId) return { kind: "shape", what: `save-state entry #${i}` };
    const section = `${x.idstr}[${x.instanceId}]`;
    x.vmstate!.beforeSave?.();
    y.vmstate!.beforeSave?.();
    const ja = synced(x.vmstate!.desc, x.vmstate!.state);
    const jb = synced(y.vmstate!.desc, y.vmstate!.state);
    const d = diffJson(ja, jb, "");
    if (d) return { kind: "state", section, ...d };
  }
  if (a.ram.blocks.length !== b.ram.blocks.length) return { kind: "shape", what: "RAM block list" };
  for (let i = 0; i < a.ram.blocks.length; i++) {
    const x = a.ram.blocks[i]!;
    const y = b.ram.blocks[i]!;
    if (x.id !== y.id || x.length !== y.length) return { kind: "shape", what: `RAM block ${x.id}` };
    const at = firstByte(x.data, y.data);
    if (at >= 0) return { kind: "ram", block: x.id, offset: at, a: x.data[at]!, b: y.data[at]! };
  }
  return undefined;
}

/** The state as saving sees it: pre_save hooks run first (they bring live CPU state in). */
function synced(desc: Parameters<typeof compile>[0], state: object): PlainJson {
  compile(desc).save(new ByteWriter(), state, null);
  return stateToJson(desc, state as Record<string, unknown>);
}

function diffJson(a: PlainJson, b: PlainJson, path: string): { path: string; a: string; b: string } | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = diffJson(a[i] ?? null, b[i] ?? null, `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = diffJson(a[k] ?? null, b[k] ?? null, path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return { path, a: JSON.stringify(a), b: JSON.stringify(b) };
}

function firstByte(a: Uint8Array, b: Uint8Array): number {
  // Compare 4 KiB at a time, then find the byte.
  for (let p = 0; p < a.length; p += 4096) {
    const end = Math.min(a.length, p + 4096);
    let same = true;
    for (let i = p; i < end; i++) {
      if (a[i] !== b[i]) {
        same = false;
        break;
      }
    }
    if (!same) for (let i = p; i < end; i++) if (a[i] !== b[i]) return i;
  }
  return -1;
}

export function describeDifference(d: MachineDifference): string {
  switch (d.kind) {
    case "ram":
      return `RAM ${d.block} differs at offset 0x${d.offset.toString(16)} (page 0x${(d.offset & ~0xfff).toString(16)}): 0x${d.a.toString(16)} vs 0x${d.b.toString(16)}`;
    case "state":
      return `${d.section} ${d.path} differs: ${d.a} vs ${d.b}`;
    case "shape":
      return `the machines differ in shape: ${d.what}`;
  }
}
