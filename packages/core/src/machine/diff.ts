/**
 * The first difference between two machines of the same shape: a RAM page,
 * or a field of a save-state entry. The equivalence check of `vmstate run`
 * reports with it.
 */
import { stateToJson, type PlainJson } from "../format/state-json.js";
import { type JsonObject, stringifyQemuJson } from "../json/qemu-json.js";
import { compile } from "../vmstate/compile.js";
import { descriptionFromVmdesc, sameBytes, vmdescDeviceEntry } from "../vmstate/vmdesc.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import type { Machine } from "./machine.js";
import type { SaveStateEntry } from "./save-state.js";

export type MachineDifference =
  | { readonly kind: "ram"; readonly block: string; readonly offset: number; readonly a: number; readonly b: number }
  | { readonly kind: "state"; readonly section: string; readonly path: string; readonly a: string; readonly b: string }
  | { readonly kind: "shape"; readonly what: string };

export function firstDifference(a: Machine, b: Machine): MachineDifference | undefined {
  a.realize();
  b.realize();
  // globalstate records how a save was made (the run state), not what the guest is.
  const guest = (e: SaveStateEntry) => e.vmstate !== undefined && e.idstr !== "globalstate";
  const ea = a.saveStates.entries.filter(guest);
  const eb = b.saveStates.entries.filter(guest);
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) {
    const x = ea[i];
    const y = eb[i];
    if (!x || !y || x.idstr !== y.idstr || x.instanceId !== y.instanceId) return { kind: "shape", what: `save-state entry #${i}` };
    const d = entryDifference(x, y);
    if (d) return { kind: "state", section: `${x.idstr}[${x.instanceId}]`, ...d };
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

/**
 * Two entries differ when what they would save differs: state a section
 * does not carry (a subsection that is not needed) does not count. The
 * difference is then named by decoding both through the first one's vmdesc.
 */
function entryDifference(x: SaveStateEntry, y: SaveStateEntry): { path: string; a: string; b: string } | undefined {
  const sx = saved(x);
  const sy = saved(y);
  if (sameBytes(sx.bytes, sy.bytes)) return undefined;
  if (stringifyQemuJson(sx.vmdesc) !== stringifyQemuJson(sy.vmdesc)) {
    return { path: "(its layout: fields or subsections sent)", a: stringifyQemuJson(sx.vmdesc), b: stringifyQemuJson(sy.vmdesc) };
  }
  const desc = descriptionFromVmdesc({ name: x.idstr, instanceId: x.instanceId, vmsdName: x.vmstate!.desc.name, version: x.version, json: sx.vmdesc });
  const decode = (bytes: Uint8Array) => {
    const state: Record<string, unknown> = {};
    compile(desc).load(new ByteReader(bytes), state, x.version);
    return stateToJson(desc, state);
  };
  return diffJson(decode(sx.bytes), decode(sy.bytes), "") ?? { path: "(bytes)", a: "", b: "" };
}

function saved(e: SaveStateEntry): { bytes: Uint8Array; vmdesc: JsonObject } {
  const vs = e.vmstate!;
  vs.beforeSave?.();
  const w = new ByteWriter();
  const vmdesc = vmdescDeviceEntry(e.idstr, e.instanceId);
  compile(vs.desc).save(w, vs.state, vmdesc);
  return { bytes: w.result(), vmdesc };
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
