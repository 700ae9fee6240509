/** Sizes as QEMU's -m takes them: 256M, 1G, 65536 (bytes), 512K. */
import { VmstateError } from "@vmstate/core";

export function parseSize(text: string): number {
  const m = /^(\d+)([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) throw new VmstateError("UNSUPPORTED", `cannot read the size "${text}" (try 256M or 1G)`);
  const unit = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G" | "T"];
  return Number(m[1]) * unit;
}

export function parseCount(text: string | number, what: string): number {
  const n = typeof text === "number" ? text : Number(text.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n < 0) throw new VmstateError("UNSUPPORTED", `${what} must be a whole number, not "${text}"`);
  return n;
}
