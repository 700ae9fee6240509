import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { checkConformance } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { createPl011State, Pl011, pl011Description } from "./pl011.js";

const stream = new Uint8Array(gunzipSync(readFileSync(fileURLToPath(new URL("../../../../fixtures/qemu-7.2/aarch64-virt-gicv3-its-1cpu.mig.gz", import.meta.url)))));

describe("PL011", () => {
  it("is QEMU's pl011 section: same values, same bytes, same vmdesc", async () => {
    const [r] = await checkConformance(stream, "pl011", pl011Description, { initialState: () => createPl011State() });
    expect(r).toEqual({ section: "pl011[0]", bytesMatch: true, vmdescMatch: true, valueMismatches: [] });
  });

  it("transmits, receives through its FIFO and raises its interrupt when enabled", () => {
    const out: number[] = [];
    const levels: boolean[] = [];
    const uart = new Pl011(createPl011State(), (b) => out.push(b), (l) => levels.push(l));
    uart.write(0, 4, 0x41n);
    expect(out).toEqual([0x41]);
    expect(uart.read(0x18) & 0x20n).toBe(0n); // TXFF clear: never full
    uart.write(0x38, 4, 0x10n); // IMSC: receive interrupt
    uart.receive(Uint8Array.of(7, 8));
    expect(levels.at(-1)).toBe(true);
    expect(uart.read(0)).toBe(7n);
    expect(uart.read(0)).toBe(8n);
    expect(uart.read(0x18) & 0x10n).toBe(0x10n); // RXFE
  });
});
