/** COMMAND sections (savevm.c loadvm_process_command): parsed, checked, passed through. */
import { StreamFormatError } from "../errors.js";
import type { ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";
import { MIG_CMD_PACKAGED, MIG_COMMANDS, QEMU_VM_COMMAND } from "./constants.js";
import type { StreamItem } from "./model.js";

export type CommandItem = Extract<StreamItem, { kind: "command" }>;

/** Parses a command after its type byte; `offset` is where the type byte was. */
export function parseCommand(r: ByteReader, offset: number): CommandItem {
  const cmd = r.u16();
  const len = r.u16();
  const spec = MIG_COMMANDS[cmd];
  if (cmd === 0 || !spec) throw new StreamFormatError("BAD_COMMAND", `MIG_CMD 0x${cmd.toString(16)} unknown`, { offset });
  if (spec.len >= 0 && len !== spec.len) {
    throw new StreamFormatError("BAD_COMMAND", `${spec.name} received with bad length - expecting ${spec.len}, received ${len}`, { offset });
  }
  if (spec.name === "POSTCOPY_ADVISE" && len !== 0 && len !== 16) {
    throw new StreamFormatError("BAD_COMMAND", `POSTCOPY_ADVISE received with bad length ${len}`, { offset });
  }
  const payload = r.copy(len, `${spec.name} payload`);
  if (cmd === MIG_CMD_PACKAGED) {
    // The packaged blob follows the command, outside its payload.
    const blobLen = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
    const packaged = r.copy(blobLen, "PACKAGED data");
    return { kind: "command", offset, cmd, name: spec.name, payload, packaged };
  }
  return { kind: "command", offset, cmd, name: spec.name, payload };
}

export function encodeCommand(w: ByteWriter, c: CommandItem): void {
  w.u8(QEMU_VM_COMMAND);
  w.u16(c.cmd);
  w.u16(c.payload.length);
  w.bytes(c.payload);
  if (c.packaged) w.bytes(c.packaged);
}
