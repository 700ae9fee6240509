/**
 * The vmdesc trailer: QEMU's JSON description of every FULL section it wrote
 * (savevm.c, vmstate.c). Read into an ordered JSON tree (kept for exact
 * re-encoding), checked, and turned into descriptions that decode sections
 * whose devices this project does not model, as analyze-migration.py does.
 */
import { VmdescError } from "../errors.js";
import { JsonObject, type JsonValue, parseQemuJson, stringifyQemuJson } from "../json/qemu-json.js";
import { type Description, type FieldDef, makeDescription, type SubsectionDef } from "./description.js";
import {
  type BoolKind,
  buffer,
  cpuDouble,
  type ElementKind,
  type IntKind,
  type Kind,
  timer,
  tuple,
} from "./kinds.js";

export interface VmdescDevice {
  /** Section idstr. */
  readonly name: string;
  readonly instanceId: number;
  /** Absent for legacy (save_state) entries. */
  readonly vmsdName: string | undefined;
  readonly version: number | undefined;
  /** The device's JSON object, as it came. */
  readonly json: JsonObject;
}

export interface Vmdesc {
  readonly pageSize: number;
  readonly devices: readonly VmdescDevice[];
  /** The whole trailer as an ordered tree (duplicate keys kept). */
  readonly json: JsonObject;
  /** The trailer's bytes as they came (for streams whose JSON is not in QEMU's canonical form). */
  readonly rawBytes: Uint8Array | undefined;
}

/** Largest array_len / size accepted from a vmdesc; real ones are far smaller. */
const MAX_COUNT = 1 << 28;

/** Parses the trailer's JSON (bytes or text). `offset` is where it starts in the stream. */
export function parseVmdesc(input: Uint8Array | string, offset = 0): Vmdesc {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  const root = parseQemuJson(text, { baseOffset: offset });
  const where = { section: "vmdesc", offset };
  if (!(root instanceof JsonObject)) throw new VmdescError("BAD_VMDESC", "vmdesc is not a JSON object", where);
  const pageSize = root.get("page_size");
  if (!isCount(pageSize) || pageSize === 0) throw new VmdescError("BAD_VMDESC", "vmdesc has no valid page_size", where);
  const list = root.get("devices");
  if (!Array.isArray(list)) throw new VmdescError("BAD_VMDESC", 'vmdesc has no "devices" array', where);
  const devices = list.map((d, i) => {
    if (!(d instanceof JsonObject)) throw new VmdescError("BAD_VMDESC", `vmdesc device #${i} is not an object`, where);
    const name = d.get("name");
    const instanceId = d.get("instance_id");
    if (typeof name !== "string" || !isCount(instanceId) || instanceId > 0xffffffff) {
      throw new VmdescError("BAD_VMDESC", `vmdesc device #${i} lacks a name or instance_id`, where);
    }
    const vmsdName = d.get("vmsd_name");
    const version = d.get("version");
    return Object.freeze({
      name,
      instanceId,
      vmsdName: typeof vmsdName === "string" ? vmsdName : undefined,
      version: isCount(version) ? version : undefined,
      json: d,
    });
  });
  return Object.freeze({ pageSize, devices: Object.freeze(devices), json: root, rawBytes: typeof input === "string" ? undefined : input.slice() });
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The trailer's bytes for encoding: written from the JSON tree in QEMU's
 * form, which gives back QEMU's own bytes; a trailer that some other writer
 * laid out differently (spacing, escapes) is kept as it came.
 */
export function vmdescBytes(v: Vmdesc): Uint8Array {
  const fromTree = new TextEncoder().encode(stringifyQemuJson(v.json));
  return v.rawBytes && !sameBytes(fromTree, v.rawBytes) ? v.rawBytes : fromTree;
}

/** Whether the trailer is byte for byte what QEMU's JSON writer makes of its tree. */
export function isCanonicalVmdesc(v: Vmdesc): boolean {
  return !v.rawBytes || sameBytes(new TextEncoder().encode(stringifyQemuJson(v.json)), v.rawBytes);
}

function isCount(v: JsonValue | undefined): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

// ------------------------------------------------------------- derivation

/** State of a section decoded through its vmdesc: field name -> value, subsection name -> its state. */
export type VmdescState = Record<string, unknown>;

const derived = new WeakMap<JsonObject, Description<VmdescState>>();

/**
 * A description that reads exactly what the vmdesc says was written for a
 * device: its fields in order, arrays with their counts, and the subsections
 * that were sent (kept under their names). Cached per JSON object.
 */
export function descriptionFromVmdesc(device: VmdescDevice): Description<VmdescState> {
  let d = derived.get(device.json);
  if (!d) {
    const ctx: Ctx = { section: `${device.name}[${device.instanceId}]` };
    d = device.vmsdName === undefined ? legacyDescription(device, ctx) : deriveVmsd(device.json, ctx, "");
    derived.set(device.json, d);
  }
  return d;
}

interface Ctx {
  section: string;
}

function fail(ctx: Ctx, path: string, why: string): never {
  throw new VmdescError("BAD_VMDESC", `vmdesc: ${why}`, { section: ctx.section, ...(path ? { fieldPath: path } : {}) });
}

function legacyDescription(device: VmdescDevice, ctx: Ctx): Description<VmdescState> {
  // {"name", "instance_id", "size": n, "fields": [{"name": "data", "size": n, "type": "buffer"}]}
  const size = device.json.get("size");
  if (!isCount(size) || size > MAX_COUNT) fail(ctx, "", "legacy entry without a valid size");
  return makeDescription<VmdescState>({
    name: device.name,
    version: 0x7fffffff, // legacy sections carry their version only in the section header
    minimumVersion: 0,
    priority: 0,
    unmigratable: false,
    fields: [{ key: "data", name: "data", kind: buffer(size), version: 0, mustExist: false }],
    subsections: [],
    hooks: {},
    hasFieldList: true,
    locals: [],
  });
}

/** A VMSD object: {vmsd_name, version, fields, subsections?} (device, struct, subsection or inline). */
function deriveVmsd(o: JsonObject, ctx: Ctx, path: string): Description<VmdescState> {
  const cached = derived.get(o);
  if (cached) return cached;
  const name = o.get("vmsd_name");
  const version = o.get("version");
  const fieldsJson = o.get("fields");
  if (typeof name !== "string" || name.length === 0 || name.length > 255) fail(ctx, path, "a VMSD without a valid vmsd_name");
  if (!isCount(version) || version > 0xffffffff) fail(ctx, path, `${name} has no valid version`);
  if (!Array.isArray(fieldsJson)) fail(ctx, path, `${name} has no fields array`);
  const fields = deriveFields(fieldsJson, ctx, path);
  const subsections: SubsectionDef[] = [];
  const subsJson = o.get("subsections");
  if (subsJson !== undefined) {
    if (!Array.isArray(subsJson)) fail(ctx, path, `${name}: subsections is not an array`);
    for (const s of subsJson) {
      if (!(s instanceof JsonObject)) fail(ctx, path, `${name}: a subsection is not an object`);
      const sub = deriveVmsd(s, ctx, `${path}${path ? "." : ""}${String(s.get("vmsd_name"))}`);
      if (fields.some((f) => f.key === sub.name)) fail(ctx, path, `subsection ${sub.name} has the name of a field`);
      subsections.push({ desc: sub, key: sub.name });
    }
  }
  try {
    const d = makeDescription<VmdescState>({
      name,
      version,
      minimumVersion: 0,
      priority: 0,
      unmigratable: false,
      fields,
      subsections,
      hooks: {},
      hasFieldList: true,
      locals: [],
    });
    derived.set(o, d);
    return d;
  } catch (e) {
    return fail(ctx, path, e instanceof Error ? e.message : String(e));
  }
}

const strictBool: BoolKind = Object.freeze({ k: "bool", info: "bool", strict: true });

const INT_TYPES: Record<string, { width: 1 | 2 | 4 | 8; signed: boolean }> = {
  int8: { width: 1, signed: true },
  int16: { width: 2, signed: true },
  int32: { width: 4, signed: true },
  int64: { width: 8, signed: true },
  uint8: { width: 1, signed: false },
  uint16: { width: 2, signed: false },
  uint32: { width: 4, signed: false },
  uint64: { width: 8, signed: false },
  "int32 equal": { width: 4, signed: true },
  "uint32 equal": { width: 4, signed: false },
  "int64 equal": { width: 8, signed: false },
  "uint8 equal": { width: 1, signed: false },
  "uint16 equal": { width: 2, signed: false },
  "int32 le": { width: 4, signed: true },
};

function deriveFields(list: JsonValue[], ctx: Ctx, path: string): FieldDef[] {
  const out: FieldDef[] = [];
  for (let i = 0; i < list.length; ) {
    const f = list[i];
    if (!(f instanceof JsonObject)) fail(ctx, path, "a field is not an object");
    const name = f.get("name");
    if (typeof name !== "string") fail(ctx, path, "a field without a name");
    const fpath = path ? `${path}.${name}` : name;
    const index = f.get("index");
    if (index !== undefined) {
      // Elements described one by one: `index` 0..n-1 under the same name.
      const elems: ElementKind[] = [];
      while (i < list.length) {
        const g = list[i];
        if (!(g instanceof JsonObject) || g.get("name") !== name || g.get("index") === undefined) break;
        if (g.get("index") !== elems.length) fail(ctx, fpath, `index ${String(g.get("index"))} where ${elems.length} was expected`);
        elems.push(deriveElement(g, ctx, `${fpath}[${elems.length}]`));
        i++;
      }
      out.push({ key: name, name, kind: tuple(elems), version: 0, mustExist: false });
      continue;
    }
    const elem = deriveElement(f, ctx, fpath);
    const arrayLen = f.get("array_len");
    let kind: Kind = elem;
    if (arrayLen !== undefined) {
      if (!isCount(arrayLen) || arrayLen < 2 || arrayLen > MAX_COUNT) fail(ctx, fpath, `bad array_len ${String(arrayLen)}`);
      kind = Object.freeze({ k: "array", of: elem, count: arrayLen });
    }
    if (out.some((g) => g.key === name)) fail(ctx, fpath, `field ${name} appears twice`);
    out.push({ key: name, name, kind, version: 0, mustExist: false });
    i++;
  }
  return out;
}

function deriveElement(f: JsonObject, ctx: Ctx, path: string): ElementKind {
  const type = f.get("type");
  const size = f.get("size");
  if (typeof type !== "string") fail(ctx, path, "a field without a type");
  if (!isCount(size) || size > MAX_COUNT) fail(ctx, path, `bad size ${String(size)}`);
  const int = INT_TYPES[type];
  if (int && int.width === size) {
    return Object.freeze({ k: "int", info: type, width: int.width, signed: int.signed }) as IntKind;
  }
  // Strict: QEMU writes only 0 and 1, and keeping other bytes as they came keeps rewrites exact.
  if (type === "bool" && size === 1) return strictBool;
  if (type === "timer" && size === 8) return timer;
  if (type === "CPU_Double_U" && size === 8) return cpuDouble;
  if (type === "struct") {
    const s = f.get("struct");
    if (!(s instanceof JsonObject)) fail(ctx, path, 'a struct field without "struct"');
    const desc = deriveVmsd(s, ctx, path);
    checkSize(s, size, ctx, path);
    return Object.freeze({ k: "struct", desc });
  }
  if ((type === "vstruct" || type === "tmp") && countKey(f, "vmsd_name") === 1) {
    const desc = deriveVmsd(f, ctx, path);
    checkSize(f, size, ctx, path);
    return Object.freeze({ k: "struct", desc, structVersion: desc.version, inline: type });
  }
  // Everything else (buffers, bitmaps, qtailq, device infos such as "pci config") is
  // taken as the opaque bytes the vmdesc counts.
  return buffer(size, type);
}

function countKey(o: JsonObject, key: string): number {
  let n = 0;
  for (const [k] of o.entries) if (k === key) n++;
  return n;
}

/** The bytes a VMSD object's fields and subsections take, from the vmdesc alone. */
function vmsdBytes(o: JsonObject): number {
  let n = 0;
  const fields = o.get("fields");
  if (Array.isArray(fields)) {
    for (const f of fields) {
      if (!(f instanceof JsonObject)) continue;
      const size = f.get("size");
      const len = f.get("array_len");
      n += (typeof size === "number" ? size : 0) * (typeof len === "number" ? len : 1);
    }
  }
  const subs = o.get("subsections");
  if (Array.isArray(subs)) {
    for (const s of subs) {
      if (!(s instanceof JsonObject)) continue;
      const name = s.get("vmsd_name");
      n += 2 + (typeof name === "string" ? name.length : 0) + 4 + vmsdBytes(s);
    }
  }
  return n;
}

function checkSize(o: JsonObject, size: number, ctx: Ctx, path: string): void {
  const inner = vmsdBytes(o);
  if (inner !== size) {
    throw new VmdescError("VMDESC_MISMATCH", `vmdesc: struct size ${size} does not match its fields (${inner} bytes)`, {
      section: ctx.section,
      fieldPath: path,
    });
  }
}

/** QEMU's vmdesc device object for a section written from a description. */
export function vmdescDeviceEntry(idstr: string, instanceId: number): JsonObject {
  return new JsonObject().set("name", idstr).set("instance_id", instanceId);
}
