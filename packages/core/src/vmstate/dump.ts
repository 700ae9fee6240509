/**
 * -dump-vmstate: QEMU's JSON dump of device descriptions (savevm.c
 * dump_vmstate_json_to_file), text for text, so that the output feeds QEMU's
 * scripts/vmstate-static-checker.py. Sizes are QEMU's in-memory `field->size`:
 * the kind's element size unless a field gives `memSize` (say, a C struct's
 * sizeof, which no description can know).
 */
import type { Description, FieldDef } from "./description.js";
import type { Kind } from "./kinds.js";

export interface DumpedDevice {
  /** The QOM type name (the dump's key), e.g. "serial-mm". */
  readonly type: string;
  readonly desc: Description<unknown>;
}

export function dumpVMState(machine: string, devices: readonly DumpedDevice[]): string {
  const out: string[] = ["{\n", `  "vmschkmachine": {\n    "Name": "${machine}"\n  },\n`];
  devices.forEach((d, i) => {
    if (i) out.push(",\n");
    out.push(`  "${d.type}": {\n`);
    out.push(`    "Name": "${d.type}",\n`);
    out.push(`    "version_id": ${d.desc.version},\n`);
    out.push(`    "minimum_version_id": ${d.desc.minimumVersion},\n`);
    vmsd(out, d.desc, 4, false);
    out.push("\n  }");
  });
  out.push("\n}\n");
  return out.join("");
}

const pad = (n: number) => " ".repeat(n);

function vmsd(out: string[], d: Description<unknown>, indent: number, isSubsection: boolean): void {
  out.push(isSubsection ? `${pad(indent)}{\n` : `${pad(indent)}"Description": {\n`);
  const i = indent + 2;
  out.push(`${pad(i)}"name": "${d.name}",\n`);
  out.push(`${pad(i)}"version_id": ${d.version},\n`);
  out.push(`${pad(i)}"minimum_version_id": ${d.minimumVersion}`);
  if (d.hasFieldList) {
    out.push(`,\n${pad(i)}"Fields": [\n`);
    // VMSTATE_VALIDATE entries (must-exist checks without data) are left out, as QEMU does.
    const fields = d.fields.filter((f) => !(f.mustExist && isEmpty(f.kind)));
    fields.forEach((f, k) => {
      if (k) out.push(",\n");
      field(out, f, i + 2);
    });
    out.push(`\n${pad(i)}]`);
  }
  if (d.subsections.length) {
    out.push(`,\n${pad(i)}"Subsections": [\n`);
    d.subsections.forEach((s, k) => {
      if (k) out.push(",\n");
      vmsd(out, s.desc, i + 2, true);
    });
    out.push(`\n${pad(i)}]`);
  }
  out.push(`\n${pad(indent)}}`);
}

function field(out: string[], f: FieldDef, indent: number): void {
  const i = indent + 2;
  out.push(`${pad(indent)}{\n`);
  out.push(`${pad(i)}"field": "${f.name}",\n`);
  out.push(`${pad(i)}"version_id": ${f.version},\n`);
  out.push(`${pad(i)}"field_exists": ${f.exists ? "true" : "false"},\n`);
  out.push(`${pad(i)}"size": ${f.memSize ?? memSize(f.kind)}`);
  const child = childOf(f.kind);
  if (child) {
    out.push(",\n");
    vmsd(out, child, i, false);
  }
  out.push(`\n${pad(indent)}}`);
}

function isEmpty(kind: Kind): boolean {
  return kind.k === "unused" && kind.size === 0;
}

/** QEMU's field->size for a kind: the element's in-memory size. */
function memSize(kind: Kind): number {
  switch (kind.k) {
    case "int":
      return kind.width;
    case "bool":
      return 1;
    case "timer": // VMSTATE_TIMER_PTR: a pointer
    case "cpudouble":
      return 8;
    case "buffer":
    case "unused":
      return kind.size;
    case "vbuffer":
      return kind.multiply === 1 ? 0 : kind.multiply;
    case "bitmap":
    case "qtailq":
      return 0;
    case "array":
    case "varray":
    case "ptrarray":
      return kind.k === "ptrarray" ? 8 : memSize(kind.of);
    case "tuple":
      return kind.of[0] ? memSize(kind.of[0]) : 0;
    case "struct":
    case "tmp":
      return structSize(kind.desc);
  }
}

/** Without a memSize, a struct is taken as its fields laid end to end. */
function structSize(d: Description<unknown>): number {
  let n = 0;
  for (const f of d.fields) {
    const k = f.kind;
    const count = k.k === "array" || k.k === "ptrarray" ? k.count : k.k === "tuple" ? k.of.length : 1;
    n += (f.memSize ?? memSize(k)) * count;
  }
  return n;
}

function childOf(kind: Kind): Description<unknown> | undefined {
  switch (kind.k) {
    case "struct":
    case "tmp":
    case "qtailq":
      return kind.desc;
    case "array":
    case "varray":
    case "ptrarray":
      return childOf(kind.of);
    default:
      return undefined;
  }
}
