/**
 * Copies of state objects: a load goes into a copy first, so that a stream
 * that does not fit leaves the machine as it was; a good one is then copied
 * into the live objects, typed arrays with set() so that views of them stay valid.
 */
import { InvalidStateError } from "../errors.js";

type Plain = Record<string, unknown>;

export function cloneState<S extends object>(state: S): S {
  return cloneValue(state, "state") as S;
}

function cloneValue(v: unknown, path: string): unknown {
  if (v === null || typeof v !== "object") {
    if (typeof v === "function" || typeof v === "symbol") throw new InvalidStateError(`${path} is not plain data`);
    return v;
  }
  if (ArrayBuffer.isView(v)) return (v as Uint8Array).slice();
  if (Array.isArray(v)) return v.map((x, i) => cloneValue(x, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new InvalidStateError(`${path} is not plain data`);
  const out: Plain = {};
  for (const [k, x] of Object.entries(v)) out[k] = cloneValue(x, `${path}.${k}`);
  return out;
}

/** Puts `loaded` into `live`, keeping the identity of typed arrays, arrays and nested objects where shapes agree. */
export function assignState(live: object, loaded: object): void {
  const dst = live as Plain;
  for (const [k, v] of Object.entries(loaded)) dst[k] = merge(dst[k], v);
}

function merge(into: unknown, v: unknown): unknown {
  if (ArrayBuffer.isView(into) && ArrayBuffer.isView(v) && into.constructor === v.constructor && (into as Uint8Array).length === (v as Uint8Array).length) {
    (into as Uint8Array).set(v as Uint8Array);
    return into;
  }
  if (Array.isArray(into) && Array.isArray(v) && into.length === v.length) {
    for (let i = 0; i < v.length; i++) into[i] = merge(into[i], v[i]);
    return into;
  }
  if (isPlain(into) && isPlain(v)) {
    assignState(into, v);
    return into;
  }
  return v;
}

function isPlain(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !ArrayBuffer.isView(v) && !Array.isArray(v);
}
