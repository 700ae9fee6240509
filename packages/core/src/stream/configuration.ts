/** The CONFIGURATION record (savevm.c vmstate_configuration): parse and encode. */
import { StreamFormatError } from "../errors.js";
import { latin1, type ByteReader } from "../wire/byte-reader.js";
import type { ByteWriter } from "../wire/byte-writer.js";
import { CONFIG_CAPABILITIES, CONFIG_TARGET_PAGE_BITS, CONFIG_UUID, QEMU_VM_CONFIGURATION, QEMU_VM_SUBSECTION } from "./constants.js";
import type { ConfigSubsection, ConfigurationRecord } from "./model.js";

/** Parses the record after its type byte. */
export function parseConfiguration(r: ByteReader): ConfigurationRecord {
  const where = () => ({ offset: r.offset, section: "configuration" });
  const len = r.u32();
  if (len > 255) throw new StreamFormatError("BAD_CONFIGURATION", `machine type name of ${len} bytes`, where());
  const machineType = latin1(r.bytes(len, "machine type"));
  const subsections: ConfigSubsection[] = [];
  // Same rules as any VMSD's subsections: peek 0x05 and a name under "configuration".
  while (r.peek(0) === QEMU_VM_SUBSECTION) {
    const nameLen = r.peek(1);
    if (nameLen < "configuration".length + 1) break;
    for (let k = 0; k < nameLen; k++) if (r.peek(2 + k) < 0) return { machineType, subsections };
    const name = latin1(r.buf.subarray(r.pos + 2, r.pos + 2 + nameLen));
    if (!name.startsWith("configuration")) break;
    const at = where();
    r.skip(2 + nameLen);
    const version = r.u32();
    if ((version & 0xff) !== 1) throw new StreamFormatError("BAD_CONFIGURATION", `${name} version ${version} is not 1`, at);
    switch (name) {
      case CONFIG_TARGET_PAGE_BITS:
      {
        const targetPageBits = r.u32();
        // QEMU's variable page sizes run from 1 KiB (TARGET_PAGE_BITS_MIN on arm) to 64 KiB.
        if (targetPageBits < 10 || targetPageBits > 16) {
          throw new StreamFormatError("BAD_CONFIGURATION", `target page bits ${targetPageBits} out of range`, at);
        }
        subsections.push({ name, version, targetPageBits });
      }
        break;
      case CONFIG_CAPABILITIES: {
        const count = r.u32();
        r.need(Math.min(count, 1 << 20), "capabilities"); // each takes at least one byte
        const capabilities: string[] = [];
        for (let i = 0; i < count; i++) capabilities.push(r.str8("capability"));
        subsections.push({ name, version, capabilities });
        break;
      }
      case CONFIG_UUID:
        subsections.push({ name, version, uuid: r.copy(16, "uuid") });
        break;
      default:
        throw new StreamFormatError("BAD_CONFIGURATION", `unknown configuration subsection ${name}`, at);
    }
  }
  return { machineType, subsections };
}

export function encodeConfiguration(w: ByteWriter, c: ConfigurationRecord): void {
  w.u8(QEMU_VM_CONFIGURATION);
  w.u32(c.machineType.length);
  for (let i = 0; i < c.machineType.length; i++) w.u8(c.machineType.charCodeAt(i) & 0xff);
  for (const s of c.subsections) {
    w.u8(QEMU_VM_SUBSECTION);
    w.str8(s.name);
    w.u32(s.version);
    switch (s.name) {
      case CONFIG_TARGET_PAGE_BITS:
        w.u32(s.targetPageBits);
        break;
      case CONFIG_CAPABILITIES:
        w.u32(s.capabilities.length);
        for (const c of s.capabilities) w.str8(c);
        break;
      case CONFIG_UUID:
        w.bytes(s.uuid);
        break;
    }
  }
}

/** The target page size a configuration implies, if it says. */
export function configPageSize(c: ConfigurationRecord): number | undefined {
  for (const s of c.subsections) if (s.name === CONFIG_TARGET_PAGE_BITS) return 2 ** s.targetPageBits;
  return undefined;
}

export function configCapabilities(c: ConfigurationRecord): readonly string[] {
  for (const s of c.subsections) if (s.name === CONFIG_CAPABILITIES) return s.capabilities;
  return [];
}
