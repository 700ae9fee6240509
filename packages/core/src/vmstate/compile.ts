/**
 * Compiles a description, once, into closures that load and save its state:
 * QEMU 7.2's vmstate_load_state / vmstate_save_state_v, with the vmdesc entry
 * built on the way when asked. Eval-free: everything here is closures over
 * the description, so descriptions built from a stream's vmdesc are safe.
 */
import { InvalidStateError, LimitError, StateLoadError, isVmstateError, VmstateError } from "../errors.js";
import { JsonObject, type JsonValue } from "../json/qemu-json.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";
import type { Description, FieldDef, SubsectionDef } from "./description.js";
import { createState, initialElement, newArray } from "./initial-state.js";
import type { CountType, ElementKind, IntKind, Kind } from "./kinds.js";
import { typeNameOf } from "./kinds.js";

export interface CompiledDescription<S> {
  readonly desc: Description<S>;
  /**
   * Loads `state` from the reader as QEMU does for a stream version: version
   * range checks, pre_load, the fields that exist at that version, any
   * subsections that follow, post_load.
   */
  load(r: ByteReader, state: S, version: number): void;
  /**
   * Saves `state` at `version` (default: the description's). When `vmdesc` is
   * given, appends QEMU's vmdesc keys (vmsd_name, version, fields,
   * subsections) to it.
   */
  save(w: ByteWriter, state: S, vmdesc: JsonObject | null, version?: number, options?: SaveOptions): void;
  /** Builds the field codecs now (they are otherwise built on first use), children included. */
  prepare(): void;
}

export interface SaveOptions {
  /** Leave out vmstate's extension subsections, which a QEMU destination would refuse. */
  readonly qemuCompatible?: boolean;
}

/**
 * The options of the save under way. Saving is synchronous, so the options
 * of the outermost call hold for every nested one without being threaded
 * through each codec.
 */
let current: SaveOptions = {};

/** Elements whose wire size is zero may repeat at most this many times. */
const MAX_EMPTY_ELEMENTS = 1 << 20;

type State = Record<string, unknown>;

interface ElementCodec {
  read(r: ByteReader, previous: unknown): unknown;
  /** `vd` is the element's vmdesc field object (or null). */
  write(w: ByteWriter, value: unknown, vd: JsonObject | null): void;
  /** Fewest wire bytes one element takes (bounds allocations before reading). */
  readonly minBytes: number;
}

interface FieldCodec {
  load(r: ByteReader, state: State, version: number): void;
  save(w: ByteWriter, state: State, fields: JsonValue[] | null): void;
}

const cache = new WeakMap<Description<unknown>, CompiledDescription<unknown>>();

export function compile<S>(desc: Description<S>): CompiledDescription<S> {
  let c = cache.get(desc as Description<unknown>);
  if (!c) {
    c = build(desc as Description<unknown>);
    cache.set(desc as Description<unknown>, c);
  }
  return c as CompiledDescription<S>;
}

function build(desc: Description<unknown>): CompiledDescription<unknown> {
  // Codecs are made lazily so that descriptions may refer to each other.
  let codecs: FieldCodec[] | undefined;
  let subs: { def: SubsectionDef; compiled: () => CompiledDescription<unknown> }[] | undefined;
  const prepare = () => {
    codecs = desc.fields.map((f) => fieldCodec(desc, f));
    subs = desc.subsections.map((def) => ({ def, compiled: () => compile(def.desc) }));
  };
  const { preLoad, postLoad, preSave, postSave } = desc.hooks;
  const self: CompiledDescription<unknown> = {
    desc,
    prepare() {
      if (codecs) return;
      prepare();
      for (const f of desc.fields) for (const child of childDescriptions(f.kind)) compile(child).prepare();
      for (const s of subs!) s.compiled().prepare();
    },
    load(r, stateArg, version) {
      if (!codecs) prepare();
      const state = stateArg as State;
      if (version > desc.version) {
        throw new StateLoadError("VERSION_TOO_NEW", `${desc.name}: incoming version_id ${version} is too new for local version_id ${desc.version}`, {
          offset: r.offset,
        });
      }
      if (version < desc.minimumVersion) {
        throw new StateLoadError(
          "VERSION_TOO_OLD",
          `${desc.name}: incoming version_id ${version} is too old for local minimum version_id ${desc.minimumVersion}`,
          { offset: r.offset },
        );
      }
      if (preLoad) runHook(desc, "pre_load", () => preLoad(state), r.offset);
      const fields = codecs!;
      let i = 0;
      try {
        for (; i < fields.length; i++) fields[i]!.load(r, state, version);
      } catch (e) {
        throw annotate(e, desc.fields[i]!.name);
      }
      loadSubsections(r, desc, subs!, state);
      if (postLoad) runHook(desc, "post_load", () => postLoad(state, version), r.offset);
    },
    save(w, stateArg, vmdesc, version = desc.version, options) {
      if (options) {
        const outer = current;
        current = options;
        try {
          return self.save(w, stateArg, vmdesc, version);
        } finally {
          current = outer;
        }
      }
      if (!codecs) prepare();
      const state = stateArg as State;
      if (preSave) runHook(desc, "pre_save", () => preSave(state), w.position);
      try {
        let fieldsJson: JsonValue[] | null = null;
        if (vmdesc) {
          fieldsJson = [];
          vmdesc.set("vmsd_name", desc.name).set("version", version).set("fields", fieldsJson);
        }
        const fields = codecs!;
        let i = 0;
        try {
          for (; i < fields.length; i++) {
            const f = desc.fields[i]!;
            if (fieldExists(f, state, version)) fields[i]!.save(w, state, fieldsJson);
            else if (f.mustExist) throw new InvalidStateError(`Output state validation failed: ${desc.name}/${f.name}`);
          }
        } catch (e) {
          throw annotate(e, desc.fields[i]!.name);
        }
        saveSubsections(w, subs!, state, vmdesc);
      } finally {
        // QEMU calls post_save even when saving a field failed.
        if (postSave) runHook(desc, "post_save", () => postSave(state), w.position);
      }
    },
  };
  return self;
}

function childDescriptions(kind: Kind): Description<unknown>[] {
  switch (kind.k) {
    case "struct":
    case "tmp":
    case "qtailq":
      return [kind.desc];
    case "array":
    case "varray":
    case "ptrarray":
      return childDescriptions(kind.of);
    case "tuple":
      return kind.of.flatMap(childDescriptions);
    default:
      return [];
  }
}

function fieldExists(f: FieldDef, state: State, version: number): boolean {
  return f.exists ? f.exists(state as never, version) : f.version <= version;
}

function runHook(desc: Description<unknown>, hook: string, fn: () => void, offset: number): void {
  try {
    fn();
  } catch (e) {
    if (isVmstateError(e)) throw e;
    throw new StateLoadError("HOOK_FAILED", `${hook} of ${desc.name} failed: ${e instanceof Error ? e.message : String(e)}`, { offset }, { cause: e });
  }
}

function annotate(e: unknown, segment: string): unknown {
  if (isVmstateError(e)) e.within(segment);
  return e;
}

// ---------------------------------------------------------------- subsections

function loadSubsections(
  r: ByteReader,
  desc: Description<unknown>,
  subs: { def: SubsectionDef; compiled: () => CompiledDescription<unknown> }[],
  state: State,
): void {
  // vmstate_subsection_load: peek for 0x05 and a name that starts with the
  // parent's; stop quietly otherwise, fail if the name is not ours.
  const parentLen = desc.name.length;
  while (r.peek(0) === 0x05) {
    const len = r.peek(1);
    if (len < parentLen + 1) return;
    for (let k = 0; k < len; k++) if (r.peek(2 + k) < 0) return;
    const nameBytes = r.buf.subarray(r.pos + 2, r.pos + 2 + len);
    for (let k = 0; k < parentLen; k++) if (nameBytes[k] !== desc.name.charCodeAt(k)) return;
    const name = String.fromCharCode(...nameBytes);
    const sub = subs.find((s) => s.def.desc.name === name);
    if (!sub) {
      throw new StateLoadError("UNKNOWN_SUBSECTION", `${desc.name}: unknown subsection ${name}`, { offset: r.offset });
    }
    r.skip(2 + len);
    const at = r.offset;
    const wireVersion = r.u32();
    const version = wireVersion & 0xff; // QEMU reads the be32 into a uint8_t
    if (sub.def.key !== undefined && wireVersion !== sub.def.desc.version) {
      // A subsection described by the vmdesc must arrive with the version the vmdesc gives.
      throw new StateLoadError("VMDESC_MISMATCH", `${name}: stream version ${wireVersion}, vmdesc version ${sub.def.desc.version}`, { offset: at });
    }
    let target = state;
    if (sub.def.key !== undefined) {
      target = {};
      state[sub.def.key] = target;
    }
    try {
      sub.compiled().load(r, target, version);
    } catch (e) {
      throw annotate(e, `${name}/`);
    }
  }
}

function saveSubsections(
  w: ByteWriter,
  subs: { def: SubsectionDef; compiled: () => CompiledDescription<unknown> }[],
  state: State,
  vmdesc: JsonObject | null,
): void {
  let list: JsonValue[] | null = null;
  for (const { def, compiled } of subs) {
    let target = state;
    if (def.key !== undefined) {
      const keyed = state[def.key];
      if (keyed === undefined) continue; // not received, so not sent
      target = keyed as State;
    } else if (def.needed && !def.needed(state as never)) continue;
    if (def.extension && current.qemuCompatible) continue;
    let obj: JsonObject | null = null;
    if (vmdesc) {
      if (!list) {
        list = [];
        vmdesc.set("subsections", list);
      }
      obj = new JsonObject();
      list.push(obj);
    }
    const sub = def.desc;
    w.u8(0x05);
    w.str8(sub.name);
    w.u32(sub.version);
    try {
      compiled().save(w, target, obj);
    } catch (e) {
      throw annotate(e, `${sub.name}/`);
    }
  }
}

// --------------------------------------------------------------------- fields

function vmdescName(desc: Description<unknown>, f: FieldDef): string {
  let seen = 0;
  let mine = -1;
  for (const g of desc.fields) {
    if (g.name === f.name) {
      if (g === f) mine = seen;
      seen++;
    }
  }
  return seen > 1 ? `${f.name}[${mine}]` : f.name;
}

/** vmsd_can_compress: arrays are described by their first element unless elements may differ. */
function compressible(f: FieldDef, kind: Kind): boolean {
  if (f.exists) return false;
  return kindCompressible(kind);
}
function kindCompressible(kind: Kind): boolean {
  switch (kind.k) {
    case "array":
    case "varray":
    case "ptrarray":
      return kindCompressible(kind.of);
    case "tuple":
      return false;
    case "struct":
      if (kind.inline) return true; // only VMS_STRUCT is looked into
      return kind.desc.subsections.length === 0 && kind.desc.fields.every((g) => compressible(g, g.kind));
    default:
      return true;
  }
}

function fieldCodec(desc: Description<unknown>, f: FieldDef): FieldCodec {
  const key = f.key;
  const name = vmdescName(desc, f);
  const kind = f.kind;
  const typeName = typeNameOf(kind);
  const describe = (fields: JsonValue[], i: number, n: number, compress: boolean): JsonObject => {
    const o = new JsonObject().set("name", name);
    if (n > 1) o.set(compress ? "array_len" : "index", compress ? n : i);
    o.set("type", typeName);
    fields.push(o);
    return o;
  };
  const exists = (state: State, version: number) => fieldExists(f, state, version);
  const mustExistFailed = () =>
    new StateLoadError("FIELD_CHECK_FAILED", `Input validation failed: ${desc.name}/${f.name}`);

  switch (kind.k) {
    case "unused":
      return {
        load(r, state, version) {
          if (exists(state, version)) r.skip(kind.size, "unused bytes");
          else if (f.mustExist) throw mustExistFailed();
        },
        save(w, _state, fields) {
          w.zeros(kind.size);
          if (fields) describe(fields, 0, 1, true).set("size", kind.size);
        },
      };
    case "tmp": {
      const child = () => compile(kind.desc);
      return {
        load(r, state, version) {
          if (!exists(state, version)) {
            if (f.mustExist) throw mustExistFailed();
            return;
          }
          const tmp = kind.toTmp(state as never) as State;
          // QEMU quirk: a tmp loads at the field's version, not the child's.
          child().load(r, tmp, f.version);
          kind.fromTmp(state as never, tmp as never);
        },
        save(w, state, fields) {
          const tmp = kind.toTmp(state as never);
          const start = w.position;
          const o = fields ? describe(fields, 0, 1, true) : null;
          child().save(w, tmp, o);
          o?.set("size", w.position - start);
        },
      };
    }
    case "qtailq": {
      const child = () => compile(kind.desc);
      return {
        load(r, state, version) {
          if (!exists(state, version)) {
            if (f.mustExist) throw mustExistFailed();
            return;
          }
          const list: unknown[] = [];
          for (;;) {
            const marker = r.u8();
            if (marker === 0) break;
            if (marker !== 1) {
              throw new StateLoadError("BAD_FIELD_VALUE", `qtailq marker 0x${marker.toString(16)} is neither 0 nor 1`, { offset: r.offset - 1 });
            }
            const elem = createState(kind.desc) as State;
            try {
              child().load(r, elem, f.version);
            } catch (e) {
              throw annotate(e, `[${list.length}]`);
            }
            list.push(elem);
          }
          state[key] = list;
        },
        save(w, state, fields) {
          const list = state[key];
          if (!Array.isArray(list)) throw new InvalidStateError(`expected an array of ${kind.desc.name} elements`);
          const start = w.position;
          const o = fields ? describe(fields, 0, 1, true) : null;
          for (const elem of list) {
            w.u8(1);
            child().save(w, elem, o);
          }
          w.u8(0);
          o?.set("size", w.position - start);
        },
      };
    }
    case "vbuffer":
    case "bitmap": {
      const isBitmap = kind.k === "bitmap";
      const sizeKey = kind.k === "bitmap" ? kind.bitsField : kind.sizeField;
      const multiply = kind.k === "vbuffer" ? kind.multiply : 1;
      const byteCount = (state: State, offset: number): number => {
        const raw = toInt32(state[sizeKey]);
        const n = raw * multiply;
        if (!Number.isSafeInteger(n) || n < 0) {
          throw new StateLoadError("BAD_FIELD_VALUE", `${sizeKey} = ${raw} is not a valid ${isBitmap ? "bit count" : "size"}`, { offset });
        }
        return isBitmap ? Math.ceil(n / 64) * 8 : n;
      };
      return {
        load(r, state, version) {
          if (!exists(state, version)) {
            if (f.mustExist) throw mustExistFailed();
            return;
          }
          const n = byteCount(state, r.offset);
          const bytes = r.copy(n, isBitmap ? "bitmap" : "buffer");
          state[key] = isBitmap ? swapWords(bytes) : bytes;
        },
        save(w, state, fields) {
          const n = byteCount(state, w.position);
          const v = asBytes(state[key], key);
          if (v.length < n) throw new InvalidStateError(`${key} has ${v.length} bytes, ${sizeKey} asks for ${n}`);
          // A zero-size buffer is still one element: no bytes, but a vmdesc entry.
          const data = v.subarray(0, n);
          w.bytes(isBitmap ? swapWords(data) : data);
          if (fields) describe(fields, 0, 1, true).set("size", n);
        },
      };
    }
    case "array":
    case "varray":
    case "ptrarray":
    case "tuple":
      return arrayFieldCodec(f, name, kind, describe, exists, mustExistFailed);
    default: {
      const elem = elementCodec(kind);
      const isStruct = kind.k === "struct";
      const inline = kind.k === "struct" && kind.inline !== undefined;
      return {
        load(r, state, version) {
          if (!exists(state, version)) {
            if (f.mustExist) throw mustExistFailed();
            return;
          }
          state[key] = elem.read(r, state[key]);
        },
        save(w, state, fields) {
          const start = w.position;
          if (!fields) {
            elem.write(w, state[key], null);
            return;
          }
          const o = describe(fields, 0, 1, true);
          let inner: JsonObject | null = o;
          if (isStruct && !inline) {
            inner = new JsonObject();
            o.set("struct", inner);
          }
          elem.write(w, state[key], inner);
          o.set("size", w.position - start);
        },
      };
    }
  }
}

function arrayFieldCodec(
  f: FieldDef,
  _name: string,
  kind: Extract<Kind, { k: "array" | "varray" | "ptrarray" | "tuple" }>,
  describe: (fields: JsonValue[], i: number, n: number, compress: boolean) => JsonObject,
  exists: (state: State, version: number) => boolean,
  mustExistFailed: () => VmstateError,
): FieldCodec {
  const key = f.key;
  const compress = compressible(f, kind);
  const codecs: ElementCodec[] = kind.k === "tuple" ? kind.of.map(elementCodec) : [elementCodec(kind.of)];
  const elemKinds: readonly ElementKind[] = kind.k === "tuple" ? kind.of : [kind.of];
  const countOf = (state: State): number => {
    switch (kind.k) {
      case "array":
      case "ptrarray":
        return kind.count;
      case "tuple":
        return kind.of.length;
      case "varray":
        return countValue(state[kind.countField], kind.countType) * kind.multiply;
    }
  };
  const pointers = kind.k === "ptrarray";
  const scalarFast = kind.k !== "tuple" && kind.k !== "ptrarray" && kind.of.k === "int" && !kind.of.check ? kind.of : undefined;

  const load = (r: ByteReader, state: State, version: number): void => {
    if (!exists(state, version)) {
      if (f.mustExist) throw mustExistFailed();
      return;
    }
    const n = countOf(state);
    const min = pointers ? 1 : codecs[0]!.minBytes; // a NULL slot still takes its marker byte
    if (n > 0) {
      if (min > 0) r.need(Math.min(n * min, Number.MAX_SAFE_INTEGER), `array of ${n} elements`);
      else if (n > MAX_EMPTY_ELEMENTS) throw new LimitError(`array of ${n} elements is larger than allowed`, { offset: r.offset });
    }
    if (scalarFast) {
      state[key] = readIntArray(r, scalarFast, n, state[key]);
      return;
    }
    const prev = state[key];
    const out: unknown[] = Array.isArray(prev) && prev.length === n ? prev : new Array(n);
    let i = 0;
    try {
      for (; i < n; i++) {
        const codec = codecs[kind.k === "tuple" ? i : 0]!;
        if (pointers && Array.isArray(prev) && prev[i] === null) {
          // A NULL slot travels as the nullptr marker '0' (0x30).
          const at = r.offset;
          const marker = r.u8();
          if (marker !== 0x30) {
            throw new StateLoadError("BAD_FIELD_VALUE", `expected the nullptr marker 0x30, got 0x${marker.toString(16)}`, { offset: at });
          }
          out[i] = null;
          continue;
        }
        out[i] = codec.read(r, Array.isArray(prev) ? prev[i] : undefined);
      }
    } catch (e) {
      throw annotate(e, `[${i}]`);
    }
    state[key] = out;
  };

  const save = (w: ByteWriter, state: State, fields: JsonValue[] | null): void => {
    const n = countOf(state);
    const value = state[key];
    const len = (value as { length?: number } | null)?.length;
    if (typeof len !== "number" || len < n) {
      throw new InvalidStateError(`expected ${n} elements, the state has ${typeof len === "number" ? len : "no array"}`);
    }
    if (scalarFast && !fields) {
      writeIntArray(w, scalarFast, value, n);
      return;
    }
    const arr = value as ArrayLike<unknown>;
    let i = 0;
    try {
      for (; i < n; i++) {
        const ek = elemKinds[kind.k === "tuple" ? i : 0]!;
        const codec = codecs[kind.k === "tuple" ? i : 0]!;
        const describeThis = fields !== null && (i === 0 || !compress);
        const start = w.position;
        let o: JsonObject | null = null;
        let inner: JsonObject | null = null;
        if (describeThis) {
          o = describe(fields!, i, n, compress);
          inner = o;
          if (ek.k === "struct" && !ek.inline) {
            inner = new JsonObject();
            o.set("struct", inner);
          }
        }
        const v = arr[i];
        if (pointers && v === null) w.u8(0x30);
        else codec.write(w, v, inner);
        o?.set("size", w.position - start);
      }
    } catch (e) {
      throw annotate(e, `[${i}]`);
    }
  };
  return { load, save };
}

// ------------------------------------------------------------------- elements

function elementCodec(kind: ElementKind): ElementCodec {
  switch (kind.k) {
    case "int":
      return intCodec(kind);
    case "bool":
      return {
        minBytes: 1,
        read: (r) => {
          const v = r.u8();
          if (v > 1 && kind.strict) {
            throw new StateLoadError("BAD_FIELD_VALUE", `bool holds 0x${v.toString(16)}; QEMU writes only 0 and 1`, { offset: r.offset - 1 });
          }
          return v !== 0;
        },
        write: (w, v) => {
          if (typeof v !== "boolean") throw new InvalidStateError(`expected a boolean, got ${describeValue(v)}`);
          w.u8(v ? 1 : 0);
        },
      };
    case "timer":
      return {
        minBytes: 8,
        read: (r) => r.i64(),
        write: (w, v) => w.u64(asBigInt(v)),
      };
    case "cpudouble":
      return {
        minBytes: 8,
        read: (r) => r.u64(),
        write: (w, v) => w.u64(asBigInt(v)),
      };
    case "buffer":
      return {
        minBytes: kind.size,
        read: (r, prev) => {
          const src = r.bytes(kind.size, kind.info);
          if (prev instanceof Uint8Array && prev.length === kind.size) {
            prev.set(src);
            return prev;
          }
          return src.slice();
        },
        write: (w, v) => {
          const b = asBytes(v, kind.info);
          if (b.length !== kind.size) throw new InvalidStateError(`expected ${kind.size} bytes, got ${b.length}`);
          w.bytes(b);
        },
      };
    case "struct": {
      const child = () => compile(kind.desc);
      const version = kind.structVersion;
      return {
        minBytes: 0,
        read: (r, prev) => {
          const s = prev !== null && typeof prev === "object" && !ArrayBuffer.isView(prev) ? prev : createState(kind.desc);
          // VMS_STRUCT loads at the child's own version, VMS_VSTRUCT at struct_version_id.
          child().load(r, s, version ?? kind.desc.version);
          return s;
        },
        write: (w, v, vd) => {
          if (v === null || typeof v !== "object") throw new InvalidStateError(`expected a ${kind.desc.name} object, got ${describeValue(v)}`);
          child().save(w, v, vd, version ?? kind.desc.version);
        },
      };
    }
  }
}

function intCodec(kind: IntKind): ElementCodec {
  const read = intReader(kind);
  const write = intWriter(kind);
  if (!kind.check) return { minBytes: kind.width, read, write };
  if (kind.check === "equal") {
    return {
      minBytes: kind.width,
      read: (r, prev) => {
        const at = r.offset;
        const v = read(r, undefined);
        if (prev !== undefined && v !== prev) {
          throw new StateLoadError("FIELD_CHECK_FAILED", `${kind.info} check failed: received ${hex(v)} != local ${hex(prev)}`, { offset: at });
        }
        return v;
      },
      write,
    };
  }
  return {
    minBytes: kind.width,
    read: (r, prev) => {
      const at = r.offset;
      const v = read(r, undefined) as number;
      if (v < 0 || (typeof prev === "number" && v > prev)) {
        throw new StateLoadError("FIELD_CHECK_FAILED", `int32 le check failed: received ${v} is not in 0..${String(prev)}`, { offset: at });
      }
      return v;
    },
    write,
  };
}

function intReader(kind: IntKind): (r: ByteReader, prev: unknown) => unknown {
  switch (kind.width) {
    case 1:
      return kind.signed ? (r) => r.i8() : (r) => r.u8();
    case 2:
      return kind.signed ? (r) => r.i16() : (r) => r.u16();
    case 4:
      return kind.signed ? (r) => r.i32() : (r) => r.u32();
    case 8:
      return kind.signed ? (r) => r.i64() : (r) => r.u64();
  }
}

function intWriter(kind: IntKind): (w: ByteWriter, v: unknown) => void {
  const bits = kind.width * 8;
  if (kind.width === 8) {
    return (w, v) => {
      const b = asBigInt(v);
      if (kind.signed ? BigInt.asIntN(64, b) !== b : BigInt.asUintN(64, b) !== b) {
        throw new InvalidStateError(`${b} does not fit ${kind.info}`);
      }
      w.u64(b);
    };
  }
  const min = kind.signed ? -(2 ** (bits - 1)) : 0;
  const max = kind.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return (w, v) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw new InvalidStateError(`${describeValue(v)} does not fit ${kind.info}`);
    }
    if (kind.width === 1) w.u8(v & 0xff);
    else if (kind.width === 2) w.u16(v & 0xffff);
    else w.u32(v >>> 0);
  };
}

function readIntArray(r: ByteReader, kind: IntKind, n: number, prev: unknown): unknown {
  const arr = (ArrayBuffer.isView(prev) && (prev as unknown as ArrayLike<unknown>).length === n && sameIntArrayType(prev, kind)
    ? prev
    : newArray(kind, n)) as Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigUint64Array | BigInt64Array;
  const view = r.view;
  let p = r.pos;
  r.need(n * kind.width);
  switch (kind.width) {
    case 1:
      (arr as Uint8Array).set(r.buf.subarray(p, p + n));
      break;
    case 2:
      for (let i = 0; i < n; i++, p += 2) (arr as Uint16Array)[i] = kind.signed ? view.getInt16(p) : view.getUint16(p);
      break;
    case 4:
      for (let i = 0; i < n; i++, p += 4) (arr as Uint32Array)[i] = kind.signed ? view.getInt32(p) : view.getUint32(p);
      break;
    case 8:
      for (let i = 0; i < n; i++, p += 8) (arr as BigUint64Array)[i] = kind.signed ? view.getBigInt64(p) : view.getBigUint64(p);
      break;
  }
  r.pos += n * kind.width;
  return arr;
}

function sameIntArrayType(v: unknown, kind: IntKind): boolean {
  switch (kind.width) {
    case 1:
      return kind.signed ? v instanceof Int8Array : v instanceof Uint8Array;
    case 2:
      return kind.signed ? v instanceof Int16Array : v instanceof Uint16Array;
    case 4:
      return kind.signed ? v instanceof Int32Array : v instanceof Uint32Array;
    case 8:
      return kind.signed ? v instanceof BigInt64Array : v instanceof BigUint64Array;
  }
}

function writeIntArray(w: ByteWriter, kind: IntKind, value: unknown, n: number): void {
  const write = intWriter(kind);
  if (kind.width === 1 && (value instanceof Uint8Array || value instanceof Int8Array)) {
    w.bytes(new Uint8Array(value.buffer, value.byteOffset, n));
    return;
  }
  const arr = value as ArrayLike<unknown>;
  w.ensure(n * kind.width);
  for (let i = 0; i < n; i++) write(w, arr[i]);
}

// --------------------------------------------------------------------- values

function countValue(v: unknown, type: CountType): number {
  const n = typeof v === "bigint" ? Number(BigInt.asIntN(64, v)) : typeof v === "number" ? v : NaN;
  if (!Number.isFinite(n)) throw new InvalidStateError(`element count is ${describeValue(v)}, not a number`);
  switch (type) {
    case "int32":
      return Math.max(0, n | 0); // a negative int32 count runs no elements, as in QEMU
    case "uint32":
      return n >>> 0;
    case "uint16":
      return n & 0xffff;
    case "uint8":
      return n & 0xff;
  }
}

function toInt32(v: unknown): number {
  if (typeof v === "number") return v | 0;
  if (typeof v === "bigint") return Number(BigInt.asIntN(32, v));
  throw new InvalidStateError(`size is ${describeValue(v)}, not a number`);
}

/** Bitmaps travel as be64 words; the state keeps them LSB-first, as a little-endian host does. */
function swapWords(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i + 8 <= b.length; i += 8) for (let j = 0; j < 8; j++) out[i + j] = b[i + 7 - j]!;
  return out;
}

function asBytes(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new InvalidStateError(`${what}: expected a Uint8Array, got ${describeValue(v)}`);
}

function asBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  throw new InvalidStateError(`expected a 64-bit integer, got ${describeValue(v)}`);
}

function hex(v: unknown): string {
  return typeof v === "number" || typeof v === "bigint" ? `0x${v.toString(16)}` : String(v);
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

export { initialElement };
