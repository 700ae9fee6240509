/**
 * Field kinds: plain frozen data, one per QEMU VMStateInfo / field flag
 * combination. Phantom members (`__value`, `__array`) carry the TypeScript
 * type of the state value; they never exist at run time.
 */
import type { Description } from "./description.js";

interface Phantom<V> {
  /** Phantom: the state value's type. */
  readonly __value?: V;
}

/** Integers, including QEMU's `*_equal` checks and `int32_le`. */
export interface IntKind<V extends number | bigint = number | bigint, A = unknown> extends Phantom<V> {
  readonly k: "int";
  /** VMStateInfo name as it appears in the vmdesc `type` (e.g. "uint32", "int32 equal"). */
  readonly info: string;
  readonly width: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  /** `equal`: must match the loading side's value; `le`: 0 <= received <= local (VMSTATE_INT32_POSITIVE_LE). */
  readonly check?: "equal" | "le";
  /** Phantom: the typed array used for fixed arrays of this kind. */
  readonly __array?: A;
}
export interface BoolKind extends Phantom<boolean> {
  readonly k: "bool";
  readonly info: "bool";
  /** Refuse bytes other than 0 and 1 (QEMU itself takes any non-zero byte as true). */
  readonly strict?: boolean;
}
/** QEMUTimer: be64 expiry in ns, -1 when not pending. */
export interface TimerKind extends Phantom<bigint> {
  readonly k: "timer";
  readonly info: "timer";
}
/** CPU_Double_U: the IEEE-754 bits as one be64 (kept as bits so NaN payloads survive). */
export interface CpuDoubleKind extends Phantom<bigint> {
  readonly k: "cpudouble";
  readonly info: "CPU_Double_U";
}
/** A fixed number of raw bytes: `buffer`, or any device-specific info treated as opaque (`pci config`, ...). */
export interface BufferKind extends Phantom<Uint8Array> {
  readonly k: "buffer";
  readonly info: string;
  readonly size: number;
}
/** VMSTATE_UNUSED: `size` zero bytes on the wire, nothing in the state. */
export interface UnusedKind {
  readonly k: "unused";
  readonly info: "unused_buffer";
  readonly size: number;
  readonly __noState?: true;
}
/** VMSTATE_VBUFFER*: byte count from an int32 field of the same state (times `multiply`). */
export interface VBufferKind extends Phantom<Uint8Array> {
  readonly k: "vbuffer";
  readonly info: string;
  readonly sizeField: string;
  readonly multiply: number;
}
/** VMSTATE_BITMAP: bit count from an int32 field; be64 words on the wire; bytes LSB-first in the state. */
export interface BitmapKind extends Phantom<Uint8Array> {
  readonly k: "bitmap";
  readonly info: "bitmap";
  readonly bitsField: string;
}
/** VMS_STRUCT (nested VMSD with its own version) or VMS_VSTRUCT (`structVersion`). */
export interface StructKind<S = unknown> extends Phantom<S> {
  readonly k: "struct";
  readonly desc: Description<S>;
  /** VMS_VSTRUCT: the version used for the child on save and load. */
  readonly structVersion?: number;
  /**
   * Set when the vmdesc writes the child's keys into the field object itself
   * rather than under "struct": "vstruct" (VMS_VSTRUCT) or "tmp" (a
   * VMSTATE_WITH_TMP whose temporary is kept as state, as the vmdesc-driven
   * decoder does).
   */
  readonly inline?: "vstruct" | "tmp";
}
/**
 * VMSTATE_WITH_TMP: a temporary struct filled from the parent before saving
 * and copied back after loading; nothing of it is kept in the parent state.
 */
export interface TmpKind<T = unknown, P = unknown> {
  readonly k: "tmp";
  readonly info: "tmp";
  readonly desc: Description<T>;
  // Methods, so a TmpKind of any parent type fits where a Kind is expected.
  toTmp(parent: P): T;
  fromTmp(parent: P, tmp: T): void;
  readonly __noState?: true;
}
/** VMSTATE_QTAILQ_V: each element `01` + element VMSD, then `00`. */
export interface QtailqKind<S = unknown> extends Phantom<S[]> {
  readonly k: "qtailq";
  readonly info: "qtailq";
  readonly desc: Description<S>;
}
/** A fixed-count array (VMS_ARRAY). */
export interface ArrayKind<E extends ElementKind = ElementKind, V = unknown> extends Phantom<V> {
  readonly k: "array";
  readonly of: E;
  readonly count: number;
}
export type CountType = "int32" | "uint32" | "uint16" | "uint8";
/** VMS_VARRAY_*: element count read from another field of the same state (times `multiply`). */
export interface VarrayKind<E extends ElementKind = ElementKind, V = unknown> extends Phantom<V> {
  readonly k: "varray";
  readonly of: E;
  readonly countField: string;
  readonly countType: CountType;
  readonly multiply: number;
}
/** VMS_ARRAY_OF_POINTER: NULL slots travel as the one-byte marker 0x30. */
export interface PointerArrayKind<E extends ElementKind = ElementKind, V = unknown> extends Phantom<V> {
  readonly k: "ptrarray";
  readonly of: E;
  readonly count: number;
}
/**
 * Elements of different shapes under one name: what a vmdesc's `index`
 * entries describe when elements differ (say, by their subsections).
 */
export interface TupleKind extends Phantom<unknown[]> {
  readonly k: "tuple";
  readonly of: readonly ElementKind[];
}

export type ElementKind = IntKind | BoolKind | TimerKind | CpuDoubleKind | BufferKind | StructKind;
export type Kind =
  | ElementKind
  | UnusedKind
  | VBufferKind
  | BitmapKind
  | TmpKind
  | QtailqKind
  | ArrayKind
  | VarrayKind
  | PointerArrayKind
  | TupleKind;

/** The state value a kind stores. */
export type ValueOf<K> = K extends { readonly __value?: infer V } ? V : never;
/** The value of a fixed array of K: a typed array for integers, an array otherwise. */
export type ArrayOf<K> = K extends { readonly __array?: infer A } ? (unknown extends A ? ValueOf<K>[] : A) : ValueOf<K>[];

const freeze = Object.freeze;

function int<V extends number | bigint, A>(info: string, width: 1 | 2 | 4 | 8, signed: boolean, check?: "equal" | "le"): IntKind<V, A> {
  return freeze(check ? { k: "int", info, width, signed, check } : { k: "int", info, width, signed }) as IntKind<V, A>;
}

export const bool: BoolKind = freeze({ k: "bool", info: "bool" });
export const int8 = int<number, Int8Array>("int8", 1, true);
export const int16 = int<number, Int16Array>("int16", 2, true);
export const int32 = int<number, Int32Array>("int32", 4, true);
export const int64 = int<bigint, BigInt64Array>("int64", 8, true);
export const uint8 = int<number, Uint8Array>("uint8", 1, false);
export const uint16 = int<number, Uint16Array>("uint16", 2, false);
export const uint32 = int<number, Uint32Array>("uint32", 4, false);
export const uint64 = int<bigint, BigUint64Array>("uint64", 8, false);
export const int32Equal = int<number, Int32Array>("int32 equal", 4, true, "equal");
export const uint8Equal = int<number, Uint8Array>("uint8 equal", 1, false, "equal");
export const uint16Equal = int<number, Uint16Array>("uint16 equal", 2, false, "equal");
export const uint32Equal = int<number, Uint32Array>("uint32 equal", 4, false, "equal");
/** QEMU names the uint64 equality check "int64 equal". */
export const uint64Equal = int<bigint, BigUint64Array>("int64 equal", 8, false, "equal");
/** VMSTATE_INT32_POSITIVE_LE ("le" is less-or-equal; the wire is big-endian). */
export const int32Le = int<number, Int32Array>("int32 le", 4, true, "le");
export const timer: TimerKind = freeze({ k: "timer", info: "timer" });
export const cpuDouble: CpuDoubleKind = freeze({ k: "cpudouble", info: "CPU_Double_U" });

/** An integer kind with another VMStateInfo name (rare: device infos that are plain integers). */
export function intAs<V extends number | bigint, A>(base: IntKind<V, A>, info: string): IntKind<V, A> {
  return int<V, A>(info, base.width, base.signed, base.check);
}

export function buffer(size: number, info = "buffer"): BufferKind {
  return freeze({ k: "buffer", info, size });
}
export function unused(size: number): UnusedKind {
  return freeze({ k: "unused", info: "unused_buffer", size });
}
export function vbuffer(sizeField: string, options: { multiply?: number; info?: string } = {}): VBufferKind {
  return freeze({ k: "vbuffer", info: options.info ?? "buffer", sizeField, multiply: options.multiply ?? 1 });
}
export function bitmap(bitsField: string): BitmapKind {
  return freeze({ k: "bitmap", info: "bitmap", bitsField });
}
export function struct<S>(desc: Description<S>): StructKind<S> {
  return freeze({ k: "struct", desc });
}
export function vstruct<S>(desc: Description<S>, structVersion: number): StructKind<S> {
  return freeze({ k: "struct", desc, structVersion, inline: "vstruct" });
}
export function withTmp<T, P>(desc: Description<T>, toTmp: (parent: P) => T, fromTmp: (parent: P, tmp: T) => void): TmpKind<T, P> {
  return freeze({ k: "tmp", info: "tmp", desc, toTmp, fromTmp }) as TmpKind<T, P>;
}
export function qtailq<S>(desc: Description<S>): QtailqKind<S> {
  return freeze({ k: "qtailq", info: "qtailq", desc });
}
export function array<E extends ElementKind>(of: E, count: number): ArrayKind<E, ArrayOf<E>> {
  return freeze({ k: "array", of, count });
}
export function varray<E extends ElementKind>(
  of: E,
  countField: string,
  options: { countType?: CountType; multiply?: number } = {},
): VarrayKind<E, ArrayOf<E>> {
  return freeze({ k: "varray", of, countField, countType: options.countType ?? "int32", multiply: options.multiply ?? 1 });
}
export function pointerArray<E extends ElementKind>(of: E, count: number): PointerArrayKind<E, (ValueOf<E> | null)[]> {
  return freeze({ k: "ptrarray", of, count });
}
export function tuple(of: readonly ElementKind[]): TupleKind {
  return freeze({ k: "tuple", of: freeze([...of]) });
}
/** VMS_POINTER changes nothing on the wire; this marks it for readers of a description. */
export function pointer<K extends Kind>(kind: K): K {
  return kind;
}

/** The vmdesc `type` of a kind's elements. */
export function typeNameOf(kind: Kind): string {
  switch (kind.k) {
    case "struct":
      return kind.inline ?? "struct";
    case "array":
    case "varray":
    case "ptrarray":
      return typeNameOf(kind.of);
    case "tuple":
      return kind.of[0] ? typeNameOf(kind.of[0]) : "unknown";
    default:
      return kind.info;
  }
}
