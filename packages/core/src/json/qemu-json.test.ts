import { describe, expect, it } from "vitest";
import { isVmstateError } from "../errors.js";
import { fixtureNames, loadVmdescText } from "../fixtures.test-helper.js";
import { JsonObject, parseQemuJson, stringifyQemuJson } from "./qemu-json.js";

describe("QEMU JSON", () => {
  it("writes QEMU's non-pretty form", () => {
    const o = new JsonObject().set("page_size", 4096).set("devices", [new JsonObject().set("a", true).set("b", null), []]).set("e", new JsonObject());
    expect(stringifyQemuJson(o)).toBe('{"page_size": 4096, "devices": [{"a": true, "b": null}, []], "e": {}}');
  });

  it("escapes strings as QEMU's quoted_str does", () => {
    expect(stringifyQemuJson('a"b\\c\b\f\n\r\t\x01\x7f\u00e9\u{1f600}')).toBe('"a\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u007F\\u00E9\\uD83D\\uDE00"');
  });

  it("keeps duplicate keys and their order", () => {
    const text = '{"vmsd_name": "a", "fields": [], "vmsd_name": "b", "fields": [1], "size": 3}';
    const v = parseQemuJson(text) as JsonObject;
    expect(v.keys()).toEqual(["vmsd_name", "fields", "vmsd_name", "fields", "size"]);
    expect(v.get("vmsd_name")).toBe("a");
    expect(stringifyQemuJson(v)).toBe(text);
  });

  it.each(fixtureNames())("reproduces the vmdesc of %s exactly", (name) => {
    const text = loadVmdescText(name);
    expect(stringifyQemuJson(parseQemuJson(text))).toBe(text);
  });

  it.each([
    ["", "unexpected end"],
    ["{", "expected a key"],
    ['{"a" 1}', "expected :"],
    ['{"a": 1,}', "expected a key"],
    ["[1 2]", "expected , or ]"],
    ['"abc', "unterminated string"],
    ['"\\x"', "bad escape"],
    ["01", "malformed number"],
    ["nul", "expected null"],
    ['{"a": 1} x', "unexpected text"],
  ])("refuses %j with a located error", (text, what) => {
    try {
      parseQemuJson(text, { baseOffset: 1000 });
      expect.unreachable();
    } catch (e) {
      expect(isVmstateError(e) && e.code).toBe("BAD_VMDESC");
      expect((e as Error).message).toContain(what);
      expect((e as { offset: number }).offset).toBeGreaterThanOrEqual(1000);
    }
  });

  it("refuses nesting deeper than the limit instead of recursing", () => {
    const deep = "[".repeat(100000) + "]".repeat(100000);
    expect(() => parseQemuJson(deep)).toThrow(/nesting deeper than 128/);
    expect(parseQemuJson("[".repeat(50) + "]".repeat(50), { maxDepth: 64 })).toBeInstanceOf(Array);
  });
});
