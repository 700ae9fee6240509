import { describe, expect, it } from "vitest";
import { add, addi, bne, lui } from "./asm.js";
import { exec, runProgram } from "./test-util.js";

describe("smoke", () => {
  it("adds", () => {
    const h = exec([addi(1, 0, 5), addi(2, 0, -3), add(3, 1, 2), lui(4, 0x12345)]);
    expect(h.getX(3)).toBe(2n);
    expect(h.getX(4)).toBe(0x12345000n);
  });
  it("loops", () => {
    const r = runProgram((a) => {
      a.emit(addi(1, 0, 100)).emit(addi(2, 0, 0));
      a.label("loop").emit(addi(2, 2, 3)).emit(addi(1, 1, -1)).ref("loop", (o) => bne(1, 0, o));
    });
    expect(r.hart.getX(2)).toBe(300n);
    expect(r.result.executed).toBe(2 + 300);
  });
});
