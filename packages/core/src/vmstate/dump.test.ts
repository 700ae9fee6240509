import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "../fixtures.test-helper.js";
import { defineVMState, field, subsection } from "./description.js";
import { dumpVMState } from "./dump.js";
import { int32, struct, timer, uint8, uint16, uint32, vbuffer } from "./kinds.js";

// hw/char/serial.c (QEMU 7.2): vmstate_serial_mm around vmstate_serial, with all its subsections.
const fifo8 = defineVMState({
  name: "Fifo8",
  version: 1,
  minimumVersion: 1,
  locals: ["capacity"],
  fields: { data: field(vbuffer("capacity"), { version: 1 }), head: uint32, num: uint32 },
});
const sub = <F extends Parameters<typeof defineVMState>[0]["fields"]>(name: string, fields: F) =>
  subsection(defineVMState({ name, version: 1, minimumVersion: 1, fields }));
const serial = defineVMState({
  name: "serial",
  version: 3,
  minimumVersion: 2,
  fields: {
    divider: field(uint16, { version: 2 }),
    rbr: uint8,
    ier: uint8,
    iir: uint8,
    lcr: uint8,
    mcr: uint8,
    lsr: uint8,
    msr: uint8,
    scr: uint8,
    fcr_vmstate: field(uint8, { version: 3 }),
  },
  subsections: [
    sub("serial/thr_ipending", { thr_ipending: int32 }),
    sub("serial/tsr", { tsr_retry: uint32, thr: uint8, tsr: uint8 }),
    sub("serial/recv_fifo", { recv_fifo: field(struct(fifo8), { version: 1, memSize: 24 }) }),
    sub("serial/xmit_fifo", { xmit_fifo: field(struct(fifo8), { version: 1, memSize: 24 }) }),
    sub("serial/fifo_timeout_timer", { fifo_timeout_timer: timer }),
    sub("serial/timeout_ipending", { timeout_ipending: int32 }),
    sub("serial/poll", { poll_msl: int32, modem_status_poll: timer }),
  ],
});
const serialMm = defineVMState({ name: "serial", version: 3, minimumVersion: 2, fields: { serial: field(struct(serial), { memSize: 656 }) } });

/** The text of one device's entry in a -dump-vmstate file. */
function entryOf(dump: string, type: string): string {
  const start = dump.indexOf(`  "${type}": {\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = dump.indexOf("\n  }", start);
  return dump.slice(start, end + 4);
}

describe("-dump-vmstate", () => {
  it("writes QEMU's text for the serial-mm device, byte for byte", () => {
    const qemu = gunzipSync(readFileSync(`${FIXTURE_DIR}riscv64-virt.dump.json.gz`)).toString();
    const ours = dumpVMState("virt", [{ type: "serial-mm", desc: serialMm }]);
    expect(entryOf(ours, "serial-mm")).toBe(entryOf(qemu, "serial-mm"));
    expect(ours.startsWith('{\n  "vmschkmachine": {\n    "Name": "virt"\n  },\n  "serial-mm": {')).toBe(true);
    expect(JSON.parse(ours)).toHaveProperty(["serial-mm", "Description", "Fields", 0, "Description", "Subsections", 6, "name"], "serial/poll");
  });
});
