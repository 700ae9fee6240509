import { describe, expect, it } from "vitest";
import { isVmstateError } from "../errors.js";
import { AsmError, ProgramImage, type ImageFixup } from "./program-image.js";

/** A toy instruction set: 2-byte "nop" 0xeeee and a 4-byte jump whose field is the target's offset from itself. */
class Toy extends ProgramImage<ImageFixup & { kind: "jump" }> {
  protected patch(view: DataView, f: ImageFixup, target: number): void {
    view.setInt32(f.at, target - f.at, true);
  }
  protected padWithNops(bytes: number): void {
    if (bytes % 2) throw new AsmError(`cannot pad ${bytes} bytes`);
    for (let i = 0; i < bytes; i += 2) this.put(0xeeee, 2);
  }
  jump(label: string): this {
    this.addFixup({ kind: "jump", at: this.len, label });
    this.put(0, 4);
    return this;
  }
}

describe("ProgramImage", () => {
  it("lays out data little-endian and resolves label references at assembly", () => {
    const p = new Toy(0x1000n);
    p.label("start").jump("end").byte(1).half(0x0302).align(4).word("end").quad("start", 0x0807060504030201n).asciz("hi").label("end");
    const { bytes, symbols } = p.assemble();
    expect(symbols).toEqual({ start: 0x1000n, end: 0x1000n + BigInt(bytes.length) });
    const v = new DataView(bytes.buffer);
    expect(v.getInt32(0, true)).toBe(bytes.length); // jump from 0 to the end
    expect([...bytes.subarray(4, 8)]).toEqual([1, 2, 3, 0]); // byte, half, then zero padding to 4
    expect(v.getUint32(8, true)).toBe(0x1000 + bytes.length);
    expect(v.getBigUint64(12, true)).toBe(0x1000n);
    expect(v.getBigUint64(20, true)).toBe(0x0807060504030201n);
    expect(String.fromCharCode(...bytes.subarray(28))).toBe("hi\0");
    expect(p.size).toBe(31);
    expect(p.pc).toBe(0x101fn);
  });

  it("pads code with the architecture's no-ops", () => {
    const p = new Toy(0n);
    p.byte(0, 0).align(8, "nop");
    expect([...p.assemble().bytes]).toEqual([0, 0, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
    expect(() => new Toy(0n).byte(0).align(4, "nop")).toThrow("cannot pad 3 bytes");
  });

  it("refuses undefined and doubly defined labels, bad alignments and Latin-1 overflow, with typed errors", () => {
    const undef = new Toy(0n).jump("nowhere");
    expect(() => undef.assemble()).toThrow("undefined label nowhere");
    expect(() => new Toy(0n).label("a").label("a")).toThrow("label a defined twice");
    expect(() => new Toy(0n).align(3)).toThrow("align: 3 is not a power of two");
    expect(() => new Toy(0n).ascii("€")).toThrow(AsmError);
    let error: unknown;
    try {
      new Toy(0n).zero(-1);
    } catch (e) {
      error = e;
    }
    expect(isVmstateError(error) && error.code).toBe("BAD_PROGRAM");
    const p = new Toy(0n);
    expect(p.newLabel()).not.toBe(p.newLabel());
  });
});
