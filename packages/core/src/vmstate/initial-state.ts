import type { Description, StateOf } from "./description.js";
import type { ElementKind, Kind } from "./kinds.js";

/** A zeroed state for a description, as a freshly reset device would have. */
export function createState<D extends Description<unknown>>(desc: D): StateOf<D> {
  const state: Record<string, unknown> = {};
  fillState(desc, state);
  return state as StateOf<D>;
}

function fillState(desc: Description<unknown>, state: Record<string, unknown>): void {
  for (const f of desc.fields) {
    const v = initialValue(f.kind);
    if (v !== NO_STATE) state[f.key] = v;
  }
  for (const s of desc.subsections) {
    if (s.key === undefined) fillState(s.desc, state);
  }
}

const NO_STATE = Symbol("no state");

function initialValue(kind: Kind): unknown {
  switch (kind.k) {
    case "unused":
    case "tmp":
      return NO_STATE;
    case "vbuffer":
    case "bitmap":
      return new Uint8Array(0);
    case "qtailq":
      return [];
    case "array":
      return newArray(kind.of, kind.count);
    case "varray":
      return newArray(kind.of, 0);
    case "ptrarray":
      return Array.from({ length: kind.count }, () => initialElement(kind.of));
    case "tuple":
      return kind.of.map(initialElement);
    default:
      return initialElement(kind);
  }
}

export function initialElement(kind: ElementKind): unknown {
  switch (kind.k) {
    case "int":
      return kind.width === 8 ? 0n : 0;
    case "bool":
      return false;
    case "timer":
      return -1n;
    case "cpudouble":
      return 0n;
    case "buffer":
      return new Uint8Array(kind.size);
    case "struct":
      return createState(kind.desc);
  }
}

/** A zeroed array value: typed arrays for integers. */
export function newArray(of: ElementKind, n: number): unknown {
  if (of.k === "int") {
    switch (of.width) {
      case 1:
        return of.signed ? new Int8Array(n) : new Uint8Array(n);
      case 2:
        return of.signed ? new Int16Array(n) : new Uint16Array(n);
      case 4:
        return of.signed ? new Int32Array(n) : new Uint32Array(n);
      case 8:
        return of.signed ? new BigInt64Array(n) : new BigUint64Array(n);
    }
  }
  return Array.from({ length: n }, () => initialElement(of));
}
