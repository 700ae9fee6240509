/**
 * What every built-in guest program's assembler shares, whatever the
 * instruction set: a little-endian image at a base address, labels, data
 * directives, and references to labels resolved when the image is
 * assembled. An architecture's assembler extends it with its instructions
 * and the fixups its branches and address loads need.
 */
import { VmstateError } from "../errors.js";

/** A mistake in a program being assembled (an undefined label, an immediate out of range). */
export class AsmError extends VmstateError {
  constructor(detail: string) {
    super("BAD_PROGRAM", detail);
  }
}

/** A label's address to be filled in at `at` once the label is known. */
export interface ImageFixup {
  readonly kind: string;
  /** Byte offset in the image. */
  readonly at: number;
  readonly label: string;
}

/** The absolute address of a label, as a 32-bit (low half) or 64-bit datum. */
interface AbsoluteFixup extends ImageFixup {
  readonly kind: "abs32" | "abs64";
}

export interface AssembledImage {
  readonly base: bigint;
  readonly bytes: Uint8Array;
  /** Every label, as an absolute address. */
  readonly symbols: Record<string, bigint>;
}

export abstract class ProgramImage<F extends ImageFixup> {
  private buf = new Uint8Array(4096);
  /** Bytes emitted so far. */
  protected len = 0;
  /** Label → byte offset in the image. */
  protected readonly labels = new Map<string, number>();
  private readonly fixups: (F | AbsoluteFixup)[] = [];
  private uniq = 0;

  constructor(readonly base: bigint) {}

  /** Fills in an architecture fixup: `target` is the label's byte offset in the image. */
  protected abstract patch(view: DataView, fixup: F, target: number): void;

  /** Pads `bytes` bytes with no-op instructions (for align(n, "nop")). */
  protected abstract padWithNops(bytes: number): void;

  /** Bytes emitted so far. */
  get size(): number {
    return this.len;
  }

  /** Address of the next byte. */
  get pc(): bigint {
    return this.base + BigInt(this.len);
  }

  // ---- labels and output -----------------------------------------------------------------

  label(name: string): this {
    if (this.labels.has(name)) throw new AsmError(`label ${name} defined twice`);
    this.labels.set(name, this.len);
    return this;
  }

  /** A fresh label name (not yet defined), for loops in generated code. */
  newLabel(hint = "L"): string {
    return `.${hint}.${++this.uniq}`;
  }

  has(name: string): boolean {
    return this.labels.has(name);
  }

  /** A reference to `label` to resolve at assembly. */
  protected addFixup(fixup: F): void {
    this.fixups.push(fixup);
  }

  /** Resolves every forward reference and returns the image. */
  assemble(): AssembledImage {
    const out = this.buf.slice(0, this.len);
    const view = new DataView(out.buffer);
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new AsmError(`undefined label ${f.label}`);
      try {
        if (f.kind === "abs64") view.setBigUint64(f.at, BigInt.asUintN(64, this.base + BigInt(target)), true);
        else if (f.kind === "abs32") view.setUint32(f.at, Number(BigInt.asUintN(32, this.base + BigInt(target))), true);
        else this.patch(view, f as F, target);
      } catch (e) {
        throw new AsmError(`reference to ${f.label} at ${this.addr(f.at)}: ${(e as Error).message}`);
      }
    }
    const symbols: Record<string, bigint> = {};
    for (const [name, off] of this.labels) symbols[name] = this.base + BigInt(off);
    return { base: this.base, bytes: out, symbols };
  }

  protected addr(off: number): string {
    return `0x${(this.base + BigInt(off)).toString(16)}`;
  }

  // ---- raw output and data directives ----------------------------------------------------

  private reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  /** Appends `v` little-endian in `size` bytes; returns where it went. */
  protected put(v: number | bigint, size: 1 | 2 | 4 | 8): number {
    const at = this.reserve(size);
    let x = BigInt.asUintN(size * 8, BigInt(v));
    for (let i = 0; i < size; i++, x >>= 8n) this.buf[at + i] = Number(x & 0xffn);
    return at;
  }

  byte(...v: number[]): this {
    for (const x of v) this.put(x, 1);
    return this;
  }

  half(...v: number[]): this {
    for (const x of v) this.put(x, 2);
    return this;
  }

  /** 32-bit data; a label name stores the low 32 bits of its address. */
  word(...v: Array<number | bigint | string>): this {
    for (const x of v) {
      if (typeof x === "string") this.fixups.push({ kind: "abs32", at: this.put(0, 4), label: x });
      else this.put(x, 4);
    }
    return this;
  }

  /** 64-bit data; a label name stores that label's absolute address. */
  quad(...v: Array<number | bigint | string>): this {
    for (const x of v) {
      if (typeof x === "string") this.fixups.push({ kind: "abs64", at: this.put(0, 8), label: x });
      else this.put(x, 8);
    }
    return this;
  }

  /** 64-bit IEEE doubles. */
  double(...v: number[]): this {
    const dv = new DataView(new ArrayBuffer(8));
    for (const x of v) {
      dv.setFloat64(0, x, true);
      this.put(dv.getBigUint64(0, true), 8);
    }
    return this;
  }

  zero(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31) throw new AsmError(`.zero size ${n} is out of range`);
    this.reserve(n);
    this.buf.fill(0, this.len - n, this.len);
    return this;
  }

  ascii(s: string): this {
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch > 0xff) throw new AsmError(`ascii: ${JSON.stringify(s[i])} is not a Latin-1 character`);
      this.put(ch, 1);
    }
    return this;
  }

  asciz(s: string): this {
    return this.ascii(s).byte(0);
  }

  /** Pads to a multiple of `n` bytes (a power of two) of the address: zeros for data, no-ops for code. */
  align(n: number, fill: "zero" | "nop" = "zero"): this {
    if (!Number.isInteger(n) || n <= 0 || (n & (n - 1)) !== 0) throw new AsmError(`align: ${n} is not a power of two`);
    const mis = Number((this.base + BigInt(this.len)) % BigInt(n));
    const pad = mis === 0 ? 0 : n - mis;
    if (fill === "zero") return this.zero(pad);
    this.padWithNops(pad);
    return this;
  }
}
