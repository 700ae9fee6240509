import { VmdescError } from "../errors.js";

/**
 * JSON as QEMU's JSONWriter writes it and as the vmdesc trailer needs it
 * read: objects keep their key order and their duplicate keys (QEMU repeats
 * "vmsd_name"/"fields" inside one object for qtailq and friends).
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export class JsonObject {
  readonly entries: [string, JsonValue][];
  constructor(entries: [string, JsonValue][] = []) {
    this.entries = entries;
  }
  /** The first value under `key` (QEMU's readers differ; callers that care walk `entries`). */
  get(key: string): JsonValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }
  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }
  set(key: string, value: JsonValue): this {
    this.entries.push([key, value]);
    return this;
  }
  keys(): string[] {
    return this.entries.map(([k]) => k);
  }
}

/** Serialises exactly as QEMU's non-pretty JSONWriter: `{"a": 1, "b": [2, 3]}`. */
export function stringifyQemuJson(value: JsonValue): string {
  const out: string[] = [];
  emit(value, out);
  return out.join("");
}

function emit(value: JsonValue, out: string[]): void {
  if (value === null) out.push("null");
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (typeof value === "number") out.push(Number.isInteger(value) ? value.toFixed(0) : String(value));
  else if (typeof value === "string") out.push(quote(value));
  else if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i) out.push(", ");
      emit(value[i]!, out);
    }
    out.push("]");
  } else {
    out.push("{");
    const entries = value.entries;
    for (let i = 0; i < entries.length; i++) {
      if (i) out.push(", ");
      out.push(quote(entries[i]![0]), ": ");
      emit(entries[i]![1], out);
    }
    out.push("}");
  }
}

function quote(s: string): string {
  // Fast path: printable ASCII without quote or backslash.
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) return `"${s}"`;
  let r = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: r += '\\"'; break;
      case 0x5c: r += "\\\\"; break;
      case 0x08: r += "\\b"; break;
      case 0x0c: r += "\\f"; break;
      case 0x0a: r += "\\n"; break;
      case 0x0d: r += "\\r"; break;
      case 0x09: r += "\\t"; break;
      default:
        // QEMU writes every other control char and all non-ASCII as \uXXXX
        // (UTF-16 units, upper-case hex), which is what a JS string holds.
        r += c < 0x20 || c >= 0x7f ? "\\u" + c.toString(16).toUpperCase().padStart(4, "0") : s[i];
    }
  }
  return r + '"';
}

export interface JsonParseOptions {
  /** Deepest nesting accepted; deeper input is refused, not recursed into. */
  maxDepth?: number;
  /** Absolute stream offset of the text's first byte, for error messages. */
  baseOffset?: number;
}

/** Parses JSON text into ordered values. Errors are VmdescErrors with the offset. */
export function parseQemuJson(text: string, options: JsonParseOptions = {}): JsonValue {
  const p = new Parser(text, options.maxDepth ?? 128, options.baseOffset ?? 0);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail("unexpected text after the JSON value");
  return v;
}

class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly maxDepth: number,
    readonly base: number,
  ) {}

  fail(what: string): never {
    throw new VmdescError("BAD_VMDESC", `vmdesc JSON: ${what}`, { offset: this.base + this.i, section: "vmdesc" });
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    const c = this.s[this.i];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "t") return this.literal("true", true);
    if (c === "f") return this.literal("false", false);
    if (c === "n") return this.literal("null", null);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    return this.fail(c === undefined ? "unexpected end" : `unexpected character ${JSON.stringify(c)}`);
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail(`expected ${word}`);
    this.i += word.length;
    return v;
  }

  number(): number {
    const s = this.s;
    const start = this.i;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) i++;
    const digits = i;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    if (i === digits || (s.charCodeAt(digits) === 0x30 && i - digits > 1)) this.fail("malformed number");
    const c = s.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) {
      // Fractions and exponents: not QEMU's, but valid JSON.
      const m = /^\.[0-9]+/.exec(s.slice(i, i + 400));
      if (c === 0x2e && !m) this.fail("malformed number");
      if (m) i += m[0].length;
      const e = /^[eE][+-]?[0-9]+/.exec(s.slice(i, i + 400));
      if (e) i += e[0].length;
    }
    this.i = i;
    return Number(s.slice(start, i));
  }

  string(): string {
    const s = this.s;
    this.i++; // opening quote
    // Fast path: no escape before the closing quote (every string QEMU writes for a vmdesc).
    const close = s.indexOf('"', this.i);
    if (close >= 0) {
      const chunk = s.slice(this.i, close);
      if (!/[\\\x00-\x1f]/.test(chunk)) {
        this.i = close + 1;
        return chunk;
      }
    }
    let out = "";
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail("unterminated string");
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("control character in string");
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(start, this.i);
      const e = s[this.i + 1];
      this.i += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const hex = s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.fail("bad escape");
      }
      start = this.i;
    }
  }

  array(depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected , or ] in array");
    }
  }

  object(depth: number): JsonObject {
    this.i++;
    const obj = new JsonObject();
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected a key");
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ":") this.fail("expected :");
      this.ws();
      obj.entries.push([key, this.value(depth + 1)]);
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return obj;
      if (c !== ",") this.fail("expected , or } in object");
    }
  }
}
