import { JsonObject, stringifyQemuJson } from "../json/qemu-json.js";
import { compile } from "../vmstate/compile.js";
import { ByteReader } from "../wire/byte-reader.js";
import { ByteWriter } from "../wire/byte-writer.js";
import { describe, expect, it } from "vitest";
import { cpuCommonDescription, createCpuCommonState, type CpuCommonState } from "./cpu-common.js";

function save(state: CpuCommonState): { hex: string; vmdesc: string } {
  const w = new ByteWriter();
  const vd = new JsonObject();
  compile(cpuCommonDescription).save(w, state, vd);
  return { hex: Buffer.from(w.result()).toString("hex"), vmdesc: stringifyQemuJson(vd) };
}

function load(hex: string, into: CpuCommonState): CpuCommonState {
  const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
  const r = new ByteReader(bytes);
  compile(cpuCommonDescription).load(r, into, 1);
  expect(r.pos).toBe(bytes.length);
  return into;
}

const header = (name: string) => "05" + name.length.toString(16).padStart(2, "0") + Buffer.from(name).toString("hex") + "00000001";

describe("cpu_common", () => {
  it("writes halted and interrupt_request, and nothing more for a running CPU", () => {
    const s = createCpuCommonState();
    s.interrupt_request = 0x2;
    expect(save(s)).toEqual({
      hex: "00000000" + "00000002",
      vmdesc:
        '{"vmsd_name": "cpu_common", "version": 1, "fields": [{"name": "halted", "type": "uint32", "size": 4}, {"name": "interrupt_request", "type": "uint32", "size": 4}]}',
    });
    expect(createCpuCommonState({ startPoweredOff: true }).halted).toBe(1);
  });

  it("sends the pending exception only under TCG, and a crash whenever one was reported", () => {
    const s = createCpuCommonState();
    s.exception_index = 7;
    expect(save(s).hex).toBe("00000000" + "00000000" + header("cpu_common/exception_index") + "00000007");
    s["accel.tcg"] = 0;
    expect(save(s).hex).toBe("00000000" + "00000000");
    s["accel.tcg"] = 1;
    s.crash_occurred = true;
    const both = save(s);
    expect(both.hex).toBe("00000000" + "00000000" + header("cpu_common/exception_index") + "00000007" + header("cpu_common/crash_occurred") + "01");
    expect(both.vmdesc).toContain(
      '"subsections": [{"vmsd_name": "cpu_common/exception_index", "version": 1, "fields": [{"name": "exception_index", "type": "int32", "size": 4}]}, {"vmsd_name": "cpu_common/crash_occurred", "version": 1, "fields": [{"name": "crash_occurred", "type": "bool", "size": 1}]}]',
    );
  });

  it("loads as QEMU does: no exception pending unless sent, bit 0 of interrupt_request dropped", () => {
    const into = createCpuCommonState();
    into.exception_index = 5;
    const s = load("00000001" + "00000003", into);
    expect(s.exception_index).toBe(-1);
    expect(s.interrupt_request).toBe(2);
    expect(s.halted).toBe(1);
    const t = load("00000000" + "00000000" + header("cpu_common/crash_occurred") + "01" + header("cpu_common/exception_index") + "fffffff0", createCpuCommonState());
    expect(t.exception_index).toBe(-16);
    expect(t.crash_occurred).toBe(true);
  });
});
