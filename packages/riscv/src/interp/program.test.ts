import { describe, expect, it } from "vitest";
import * as A from "./asm.js";
import { RAM_BASE, runProgram } from "./test-util.js";

// Registers (ABI names)
const ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13;

const N = 4096;
const BUF = 0x4_0000; // offset of the data buffer in RAM

/** JS reference: fill buf[i] = lcg, checksum = fold(rotl(h, 5) ^ x) * prime over 64-bit words, plus a popcount-ish mix through a call. */
function reference(seed: bigint): bigint {
  const M = (1n << 64n) - 1n;
  let x = seed;
  const words: bigint[] = [];
  for (let i = 0; i < N; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & M;
    words.push(x);
  }
  let h = 0xcbf29ce484222325n;
  for (const w of words) {
    // mix(h, w): h = ((h << 5 | h >> 59) ^ w) * 0x100000001b3; h ^= h >> 29 (as unsigned); h += (w >> 32) / 7 (divu) + (w % 13)
    h = (((h << 5n) | (h >> 59n)) & M) ^ w;
    h = (h * 0x100000001b3n) & M;
    h ^= h >> 29n;
    h = (h + (w >> 32n) / 7n + (w % 13n)) & M;
  }
  return h;
}

describe("a small program", () => {
  it("fills a buffer with an LCG, checksums it through a called function, matches the JS reference", () => {
    const seed = 0x1234_5678_9abc_def1n;
    const t = runProgram((a) => {
      a.li(sp, RAM_BASE + 0x8_0000);
      a.li(a0, RAM_BASE + BUF).li(a1, N).li(a2, seed);
      a.ref("fill", (o) => A.jal(ra, o));
      a.li(a0, RAM_BASE + BUF).li(a1, N);
      a.ref("checksum", (o) => A.jal(ra, o));
      a.ref("done", (o) => A.jal(0, o));

      // fill(a0 = buf, a1 = n, a2 = state)
      a.label("fill");
      a.li(t0, 6364136223846793005n).li(t1, 1442695040888963407n);
      a.label("fill_loop");
      a.emit(A.mul(a2, a2, t0)).emit(A.add(a2, a2, t1)).emit(A.sd(a2, a0, 0)).emit(A.addi(a0, a0, 8)).emit(A.addi(a1, a1, -1));
      a.ref("fill_loop", (o) => A.bne(a1, 0, o));
      a.emit(A.jalr(0, ra, 0));

      // checksum(a0 = buf, a1 = n) -> a0; saves ra/s0/s1 on the stack, calls mix for each word
      a.label("checksum");
      a.emit(A.addi(sp, sp, -32)).emit(A.sd(ra, sp, 24)).emit(A.sd(s0, sp, 16)).emit(A.sd(s1, sp, 8));
      a.emit(A.addi(s0, a0, 0)).emit(A.addi(s1, a1, 0));
      a.li(a0, 0xcbf29ce484222325n);
      a.label("ck_loop");
      a.emit(A.ld(a1, s0, 0));
      a.ref("mix", (o) => A.jal(ra, o));
      a.emit(A.addi(s0, s0, 8)).emit(A.addi(s1, s1, -1));
      a.ref("ck_loop", (o) => A.bne(s1, 0, o));
      a.emit(A.ld(ra, sp, 24)).emit(A.ld(s0, sp, 16)).emit(A.ld(s1, sp, 8)).emit(A.addi(sp, sp, 32));
      a.emit16(A.c_jr(ra));

      // mix(a0 = h, a1 = w) -> a0 (leaf; uses compressed forms where possible)
      a.label("mix");
      a.emit(A.slli(t0, a0, 5)).emit(A.srli(t1, a0, 59)).emit(A.or(a0, t0, t1)).emit(A.xor(a0, a0, a1));
      a.li(t2, 0x100000001b3n);
      a.emit(A.mul(a0, a0, t2));
      a.emit(A.srli(t0, a0, 29)).emit(A.xor(a0, a0, t0));
      a.emit(A.srli(t0, a1, 32)).emit(A.addi(t1, 0, 7)).emit(A.divu(t0, t0, t1)).emit16(A.c_add(a0, t0));
      a.emit(A.addi(t1, 0, 13)).emit(A.remu(t0, a1, t1)).emit16(A.c_add(a0, t0));
      a.emit(A.jalr(0, ra, 0));

      a.label("done");
    });
    expect(t.result.reason).toBe("ebreak");
    expect(t.hart.getX(a0)).toBe(reference(seed));
    expect(t.hart.getX(sp)).toBe(BigInt(RAM_BASE + 0x8_0000));
    expect(a3).toBe(13);
  });
});
