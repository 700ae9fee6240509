/**
 * VMStateDescription as data. A description is frozen, carries its state type
 * as a phantom, and is compiled once (see compile.ts) into a reader and a
 * writer. Field existence, subsections and hooks follow QEMU 7.2's vmstate.c.
 */
import { DescriptionError } from "../errors.js";
import type { Kind, ValueOf } from "./kinds.js";

/** MigrationPriority (QEMU 7.2): higher priorities are saved, and loaded, first. */
export const MigrationPriority = Object.freeze({
  DEFAULT: 0,
  IOMMU: 1,
  PCI_BUS: 2,
  VIRTIO_MEM: 3,
  GICV3_ITS: 4,
  GICV3: 5,
  MAX: 6,
});

/** A field as the engine sees it once a description is defined. */
export interface FieldDef {
  /** Property of the state object holding the value. */
  readonly key: string;
  /** Field name written in vmdesc and -dump-vmstate (QEMU's C expression, e.g. `env.gpr`). */
  readonly name: string;
  readonly kind: Kind;
  /** Exists when `version <= V` (VMSTATE_*_V), unless `exists` is given. */
  readonly version: number;
  /** field_exists(): replaces the version test. */
  readonly exists?: (state: never, version: number) => boolean;
  /** VMS_MUST_EXIST: loading fails when the field does not exist. */
  readonly mustExist: boolean;
  /** In-memory element size for -dump-vmstate (QEMU's `field->size`), when the kind cannot tell. */
  readonly memSize?: number;
}

export interface SubsectionDef {
  readonly desc: Description;
  /** needed(): sent when absent or true. Never consulted on load. */
  readonly needed?: (state: never) => boolean;
  /**
   * Where the subsection's state lives. Absent: in the parent's state object
   * (QEMU: the same opaque). Set: in `state[key]`, as the vmdesc-driven
   * decoder keeps what arrived under the subsection's name.
   */
  readonly key?: string;
  /**
   * State QEMU 7.2 does not migrate but vmstate keeps (QEMU would refuse the
   * unknown subsection): left out when saving for QEMU.
   */
  readonly extension?: boolean;
}

// Method syntax on purpose: hooks take the state, and a Description<S> must
// still be usable where any description is expected (method parameters are bivariant).
export interface Hooks<S> {
  preSave?(state: S): void;
  postSave?(state: S): void;
  preLoad?(state: S): void;
  postLoad?(state: S, version: number): void;
  /** For a top-level description: the whole section is omitted when false. */
  needed?(state: S): boolean;
}

export interface Description<S = unknown> {
  readonly name: string;
  readonly version: number;
  readonly minimumVersion: number;
  readonly priority: number;
  readonly unmigratable: boolean;
  readonly fields: readonly FieldDef[];
  readonly subsections: readonly SubsectionDef[];
  readonly hooks: Hooks<S>;
  /** QEMU's `fields == NULL` (unmigratable stubs): -dump-vmstate then has no "Fields". */
  readonly hasFieldList: boolean;
  /** State properties read but not migrated (see VMStateSpec.locals). */
  readonly locals: readonly string[];
  /** Phantom: the state type. */
  readonly __state?: S;
}

/** The state type of a description. */
export type StateOf<D> = D extends Description<infer S> ? S : never;

/** A field with options: `field(uint64, { version: 3 })`. */
export interface FieldSpec<K extends Kind = Kind, S = never> {
  readonly kind: K;
  readonly name?: string;
  readonly version?: number;
  readonly exists?: (state: S, version: number) => boolean;
  readonly mustExist?: boolean;
  readonly memSize?: number;
}

export function field<K extends Kind, S = never>(kind: K, options: Omit<FieldSpec<K, S>, "kind"> = {}): FieldSpec<K, S> {
  return Object.freeze({ kind, ...options });
}

export type FieldEntry = Kind | FieldSpec<Kind, never>;
export type FieldsSpec = { readonly [key: string]: FieldEntry };

type EntryKind<E> = E extends FieldSpec<infer K, never> ? K : E;
type Stateful<E> = EntryKind<E> extends { readonly __noState?: true } ? false : true;

/** The state an object of fields describes. */
export type FieldsState<F> = {
  -readonly [K in keyof F as Stateful<F[K]> extends true ? K : never]: ValueOf<EntryKind<F[K]>>;
};

export interface Subsection<S> extends SubsectionDef {
  readonly desc: Description<S>;
}
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Subsections share the parent's state object, so their fields join it. */
export type SubsectionsState<Subs> = Subs extends readonly Subsection<infer _S>[]
  ? UnionToIntersection<{ [I in keyof Subs]: Subs[I] extends Subsection<infer S> ? S : never }[number]>
  : unknown;

/**
 * A subsection. `needed` sees the whole state the subsection shares with its
 * parent: typed as the subsection's own unless the callback says more.
 */
export function subsection<S, P = S>(desc: Description<S>, needed?: (state: P) => boolean, options: { extension?: boolean } = {}): Subsection<S> {
  return Object.freeze({
    desc,
    ...(needed ? { needed: needed as (state: never) => boolean } : {}),
    ...(options.extension ? { extension: true } : {}),
  });
}

export interface VMStateSpec<F extends FieldsSpec, Subs extends readonly Subsection<unknown>[], L extends readonly string[], S> extends Hooks<S> {
  readonly name: string;
  /**
   * State the description reads but does not migrate: counts and sizes that
   * varrays, vbuffers and bitmaps take from the loading side (QEMU's Fifo8
   * sizes its buffer by its local `capacity`), or from a parent's fields.
   */
  readonly locals?: L;
  readonly version: number;
  readonly minimumVersion?: number;
  readonly priority?: number;
  readonly unmigratable?: boolean;
  readonly fields: F;
  readonly subsections?: Subs;
  readonly hasFieldList?: boolean;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * Defines a VMState description. Field order is the object's key order,
 * which is the wire order. The state type is inferred from the fields and
 * the subsections.
 */
type LocalsState<L extends readonly string[]> = { -readonly [K in L[number]]: number };
type DefinedState<F, Subs, L extends readonly string[]> = Simplify<FieldsState<F> & SubsectionsState<Subs> & LocalsState<L>>;

export function defineVMState<
  const F extends FieldsSpec,
  const Subs extends readonly Subsection<unknown>[] = [],
  const L extends readonly string[] = [],
>(spec: VMStateSpec<F, Subs, L, DefinedState<F, Subs, L>>): Description<DefinedState<F, Subs, L>> {
  const fields: FieldDef[] = [];
  for (const [key, entry] of Object.entries(spec.fields)) {
    const isKind = typeof (entry as Kind).k === "string";
    const s = (isKind ? { kind: entry as Kind } : entry) as FieldSpec<Kind, never>;
    fields.push(
      Object.freeze({
        key,
        name: s.name ?? key,
        kind: s.kind,
        version: s.version ?? 0,
        ...(s.exists ? { exists: s.exists } : {}),
        mustExist: s.mustExist ?? false,
        ...(s.memSize !== undefined ? { memSize: s.memSize } : {}),
      }),
    );
  }
  return makeDescription({
    name: spec.name,
    version: spec.version,
    minimumVersion: spec.minimumVersion ?? 0,
    priority: spec.priority ?? MigrationPriority.DEFAULT,
    unmigratable: spec.unmigratable ?? false,
    fields,
    subsections: spec.subsections ?? [],
    hooks: {
      ...(spec.preSave ? { preSave: spec.preSave } : {}),
      ...(spec.postSave ? { postSave: spec.postSave } : {}),
      ...(spec.preLoad ? { preLoad: spec.preLoad } : {}),
      ...(spec.postLoad ? { postLoad: spec.postLoad } : {}),
      ...(spec.needed ? { needed: spec.needed } : {}),
    },
    hasFieldList: spec.hasFieldList ?? true,
    locals: spec.locals ?? [],
  });
}

/** Checks and freezes a description built from parts (also used by the vmdesc-driven decoder). */
export function makeDescription<S>(d: Omit<Description<S>, "__state">): Description<S> {
  const where = { section: d.name };
  if (!Number.isInteger(d.version) || d.version < 0) throw new DescriptionError(`${d.name}: bad version_id ${d.version}`, where);
  if (!Number.isInteger(d.minimumVersion) || d.minimumVersion < 0 || d.minimumVersion > d.version) {
    throw new DescriptionError(`${d.name}: minimum_version_id ${d.minimumVersion} does not fit version_id ${d.version}`, where);
  }
  const keys = new Set<string>();
  for (const f of d.fields) {
    if (keys.has(f.key)) throw new DescriptionError(`${d.name}: field ${f.key} appears twice`, where);
    keys.add(f.key);
  }
  const readable = new Set([...keys, ...d.locals]);
  for (const f of d.fields) checkKind(d, f.key, f.kind, readable);
  const subNames = new Set<string>();
  for (const s of d.subsections) {
    if (subNames.has(s.desc.name)) throw new DescriptionError(`${d.name}: subsection ${s.desc.name} appears twice`, where);
    subNames.add(s.desc.name);
    if (s.desc.name.length > 255) throw new DescriptionError(`${d.name}: subsection name longer than 255 bytes`, where);
    if (s.key !== undefined && keys.has(s.key)) throw new DescriptionError(`${d.name}: subsection key ${s.key} is also a field`, where);
  }
  return Object.freeze({ ...d, fields: Object.freeze([...d.fields]), subsections: Object.freeze([...d.subsections]), hooks: Object.freeze({ ...d.hooks }) });
}

function checkKind(d: Omit<Description, "__state">, key: string, kind: Kind, keys: Set<string>): void {
  const bad = (why: string): never => {
    throw new DescriptionError(`${d.name}: field ${key}: ${why}`, { section: d.name, fieldPath: key });
  };
  switch (kind.k) {
    case "buffer":
    case "unused":
      if (!Number.isInteger(kind.size) || kind.size < 0) bad(`bad size ${kind.size}`);
      break;
    case "vbuffer":
      if (!keys.has(kind.sizeField)) bad(`size field ${kind.sizeField} is neither a field nor a local of ${d.name}`);
      break;
    case "bitmap":
      if (!keys.has(kind.bitsField)) bad(`bit-count field ${kind.bitsField} is neither a field nor a local of ${d.name}`);
      break;
    case "varray":
      if (!keys.has(kind.countField)) bad(`count field ${kind.countField} is neither a field nor a local of ${d.name}`);
      checkKind(d, key, kind.of, keys);
      break;
    case "array":
    case "ptrarray":
      if (!Number.isInteger(kind.count) || kind.count < 0) bad(`bad count ${kind.count}`);
      checkKind(d, key, kind.of, keys);
      break;
    case "tuple":
      for (const k of kind.of) checkKind(d, key, k, keys);
      break;
    default:
      break;
  }
}
