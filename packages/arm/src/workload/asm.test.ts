import { describe, expect, it } from "vitest";
import { decodeBitMask } from "../interp/decode-imm.js";
import { AsmError, Program } from "./asm.js";
import { CORPUS, LABELLED_SOURCE } from "./asm-corpus.test-helper.js";
import { KNOWN } from "./asm-known.test-helper.js";
import { emitText, gnuAssemble, gnuDisassemble, gnuEncodings, haveBinutils, words } from "./asm.test-helper.js";
import { encodeBitmask, encodeFpImm8, expandFpImm8 } from "./encode.js";

function encode(line: string, base = 0x4020_0000n): string {
  const p = new Program({ base });
  emitText(p, line);
  return words(p.assemble().bytes).join(" ");
}

function assembleText(source: string, base = 0x4020_0000n): Uint8Array {
  const p = new Program({ base });
  for (const l of source.split("\n")) emitText(p, l);
  return p.assemble().bytes;
}

describe("Program encodings", () => {
  it("known answers (recorded from GNU as 2.40) for every encoder", () => {
    expect(KNOWN.map(([l]) => l)).toEqual([...CORPUS]);
    const wrong = KNOWN.filter(([line, hex]) => encode(line) !== hex).map(([line, hex]) => `${line}: ours ${encode(line)}, GNU ${hex}`);
    expect(wrong).toEqual([]);
  });

  it.runIf(haveBinutils)("agree with aarch64-linux-gnu-as on the whole corpus", () => {
    const gnu = gnuEncodings(CORPUS);
    expect(gnu.length).toBe(CORPUS.length);
    const wrong = CORPUS.filter((line, i) => encode(line) !== gnu[i]).map((line) => `${line}: ours ${encode(line)}`);
    expect(wrong).toEqual([]);
  });

  it.runIf(haveBinutils)("agree with GNU as and ld on a program with forward and backward references", () => {
    const ours = assembleText(LABELLED_SOURCE);
    expect(words(ours)).toEqual(words(gnuAssemble(LABELLED_SOURCE)));
  });

  it("resolve labels at any distance the encodings reach", () => {
    const p = new Program({ base: 0x4020_0000n });
    p.b("far").cbz("x0", "near").tbz("w1", 3, "near").label("near").adr("x2", "far").adrp("x3", "far");
    p.zero(0x80000).label("far").b("near");
    const a = p.assemble();
    const w = words(a.bytes);
    expect(w[0]).toBe((0x14000000 + (0x80014 >> 2)).toString(16));
    expect(a.symbols["far"]).toBe(0x4020_0000n + 0x80014n);
    expect(w[1]).toBe("b4000040"); // cbz x0, +8
  });

  it("refuses what the instruction set cannot express", () => {
    const bad: Array<(p: Program) => void> = [
      (p) => p.add("x0", "x1", 0x1001), // not a 12-bit (optionally shifted) immediate
      (p) => p.and("x0", "x1", 0x1234), // not a logical immediate
      (p) => p.and("x0", "x1", 0), // all zeros
      (p) => p.orr("w0", "w1", 0xffffffff), // all ones
      (p) => p.mov("x0", 0x1234_5678n), // needs li
      (p) => p.ldr("x0", ["x1", 32768]), // too far for any form
      (p) => p.ldr("x0", ["x1", 4], "!").ldr("x0", ["x1", 300], "!"), // pre-index range
      (p) => p.ldp("x0", "x1", ["x2", 4]), // not a multiple of 8
      (p) => p.add("x0", "x1", "w2"), // width mismatch without an extend
      (p) => p.lsl("w0", "w1", 32),
      (p) => p.fmov("d0", 0.1), // not an 8-bit FP immediate
      (p) => p.movz("x0", 1, "lsl #8"),
      (p) => p.mrs("x0", "no_such_reg"),
      (p) => p.b_cond("eq", 3), // misaligned offset
      (p) => p.stxr("x0" as "w0", "x1", ["x2"]), // status register must be a w register
      (p) => p.label("x1"),
    ];
    for (const f of bad) expect(() => f(new Program())).toThrow(AsmError);
    const p = new Program();
    p.b("nowhere");
    expect(() => p.assemble()).toThrow(/undefined label nowhere/);
    const q = new Program().label("a");
    expect(() => q.label("a")).toThrow(/twice/);
    const r = new Program();
    r.cbz("x0", "far").zero(1 << 21).label("far");
    expect(() => r.assemble()).toThrow(/far/);
  });

  it("li uses one instruction when it can, and only as many movk as there are halfwords to set", () => {
    const p = new Program();
    expect(p.liLength("x0", 0)).toBe(1);
    expect(p.liLength("x0", 0xffff_0000n)).toBe(1);
    expect(p.liLength("x0", -2)).toBe(1); // movn
    expect(p.liLength("x0", 0x5555_5555_5555_5555n)).toBe(1); // orr
    expect(p.liLength("x0", 0x1234_5678n)).toBe(2);
    expect(p.liLength("x0", 0xffff_ffff_1234_5678n)).toBe(2); // movn + movk
    expect(p.liLength("x0", 0x1234_5678_9abc_def0n)).toBe(4);
    expect(p.liLength("w0", 0x1234_5678)).toBe(2);
  });

  it("data directives and alignment", () => {
    const p = new Program({ base: 0x1000n });
    p.byte(1).half(0x203).word(0x4050607).quad(0x08090a0b0c0d0e0fn).align(16).label("d").double(1.5).asciz("hi").align(8, "zero").quad("d").word("d");
    const a = p.assemble();
    expect(Buffer.from(a.bytes.subarray(0, 15)).toString("hex")).toBe("010302070605040f0e0d0c0b0a0908");
    expect(a.symbols["d"]).toBe(0x1010n);
    const dv = new DataView(a.bytes.buffer);
    expect(dv.getFloat64(0x10, true)).toBe(1.5);
    expect(dv.getBigUint64(0x20, true)).toBe(0x1010n);
    expect(dv.getUint32(0x28, true)).toBe(0x1010);
    expect(() => new Program({ base: 2n })).toThrow(AsmError);
    expect(() => new Program().byte(1).nop()).toThrow(/aligned/);
  });
});

describe("immediate encoders against the interpreter's decoders", () => {
  it("every logical immediate round-trips through DecodeBitMasks", () => {
    const distinct = new Set<bigint>();
    for (let n = 0; n < 2; n++) {
      for (let immr = 0; immr < 64; immr++) {
        for (let imms = 0; imms < 64; imms++) {
          const v = decodeBitMask(n, immr, imms);
          if (v === undefined) continue;
          distinct.add(v);
          const e = encodeBitmask(v, 64)!;
          expect(e, `${n}:${immr}:${imms}`).toBeDefined();
          expect(decodeBitMask(e.n, e.immr, e.imms)).toBe(v);
        }
      }
    }
    expect(distinct.size).toBe(5334); // the 64-bit logical immediates (immr bits above the element size are ignored)
    expect(encodeBitmask(0x0000_ffffn, 32)).toEqual({ n: 0, immr: 0, imms: 15 });
    expect(encodeBitmask(0x1234n, 64)).toBeUndefined();
  });

  it("FP immediates: the 256 values, and nothing else", () => {
    const values = new Set<number>();
    for (let i = 0; i < 256; i++) {
      const v = expandFpImm8(i);
      values.add(v);
      expect(encodeFpImm8(v)).toBe(i);
    }
    expect(values.size).toBe(256);
    expect(encodeFpImm8(1)).toBe(0x70);
    expect(encodeFpImm8(0)).toBeUndefined();
    expect(encodeFpImm8(0.1)).toBeUndefined();
  });
});

describe.runIf(haveBinutils)("objdump reads the DSL's output back", () => {
  it("as the instructions that were written", () => {
    const p = new Program({ base: 0x4020_0000n });
    p.label("top").add("x0", "x1", "x2", "lsl #3").ldr("x3", ["sp", 16], "!").stp("x29", "x30", ["sp", -16], "!").b_ne("top").mrs("x9", "cntvct_el0").fmadd("d0", "d1", "d2", "d3");
    const dis = gnuDisassemble(p.assemble().bytes, 0x4020_0000n);
    expect(dis).toEqual([
      "add\tx0, x1, x2, lsl #3",
      "ldr\tx3, [sp, #16]!",
      "stp\tx29, x30, [sp, #-16]!",
      "b.ne\t0x40200000  // b.any",
      "mrs\tx9, cntvct_el0",
      "fmadd\td0, d1, d2, d3",
    ]);
  });
});
