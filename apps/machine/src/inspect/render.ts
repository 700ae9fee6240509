/** The human-readable `vmstate inspect` report. */
import { type Description, type Kind, u64, configPageSize } from "@vmstate/core";
import type { CpuState, StreamSummary } from "./summary.js";

const hex = (n: number, w = 8) => "0x" + n.toString(16).padStart(w, "0");

function size(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(n % 2 ** 30 ? 2 : 0)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(n % 2 ** 20 ? 2 : 0)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(n % 2 ** 10 ? 2 : 0)} KiB`;
  return `${n} B`;
}

export function renderSummary(file: string, s: StreamSummary, seconds: number): string {
  const out: string[] = [];
  const bytes = s.result?.bytes ?? 0;
  out.push(`${file}: QEMU migration stream (QEVM v3), ${bytes} bytes, decoded in ${seconds.toFixed(3)} s`);
  if (s.configuration) {
    const c = s.configuration;
    const extra: string[] = [];
    const ps = configPageSize(c);
    if (ps !== undefined) extra.push(`target page ${ps} B (configuration)`);
    if (s.capabilities.length) extra.push(`capabilities: ${s.capabilities.join(", ")}`);
    out.push(`machine type: ${c.machineType}${extra.length ? `; ${extra.join("; ")}` : ""}`);
  } else {
    out.push("machine type: (no configuration record)");
  }
  out.push(`target page size: ${s.result?.pageSize ?? 4096} B`);
  if (s.vmdescOffset !== undefined) out.push(`vmdesc: at ${hex(s.vmdescOffset)}, ${s.vmdescDevices} devices`);
  else out.push("vmdesc: none");
  for (const w of s.result?.warnings ?? []) out.push(`warning: ${w}`);

  out.push("", "Sections:");
  out.push("  offset      type   id    idstr                              inst   ver  bytes      decoded by");
  for (const sec of s.sections) {
    const h = sec.header;
    out.push(
      `  ${hex(sec.offset)}  ${h.type.toUpperCase().padEnd(5)}  ${String(h.sectionId).padEnd(4)}  ${h.idstr.padEnd(33)}  ${String(h.instanceId).padEnd(5)}  ${String(h.version).padEnd(3)}  ${String(sec.bytes).padEnd(9)}  ${sec.content}${sec.footer ? "" : " (no footer)"}`,
    );
  }
  for (const c of s.commands) out.push(`  ${hex(c.offset)}  COMMAND ${c.name}`);
  if (s.eofOffset !== undefined) out.push(`  ${hex(s.eofOffset)}  EOF`);

  if (s.ram.size) {
    out.push("", "RAM blocks:");
    out.push("  block                                    length        zero pages  data pages  xbzrle  compressed");
    let total = 0;
    for (const b of s.ram.values()) {
      total += b.length;
      out.push(
        `  ${b.id.padEnd(40)}  ${size(b.length).padEnd(12)}  ${String(b.zeroPages).padEnd(10)}  ${String(b.normalPages).padEnd(10)}  ${String(b.xbzrlePages).padEnd(6)}  ${b.compressedPages}`,
      );
    }
    out.push(`  total ${size(total)}`);
  }
  for (const cpu of s.cpus) out.push("", ...renderCpu(cpu));
  return out.join("\n") + "\n";
}

/** A CPU section's registers: scalar fields and short integer arrays, in stream order. */
function renderCpu(cpu: CpuState): string[] {
  const out = [`CPU ${cpu.label} (${cpu.desc.name} v${cpu.desc.version}):`];
  const scalars: string[] = [];
  walk(cpu.desc, cpu.state, "", out, scalars);
  if (scalars.length) {
    const width = Math.max(...scalars.map((x) => x.length));
    const perRow = Math.max(1, Math.floor(100 / (width + 2)));
    for (let i = 0; i < scalars.length; i += perRow) out.push("  " + scalars.slice(i, i + perRow).map((x) => x.padEnd(width)).join("  "));
  }
  return out;
}

function walk(desc: Description<unknown>, state: Record<string, unknown>, prefix: string, arrays: string[], scalars: string[]): void {
  for (const f of desc.fields) {
    if (!(f.key in state)) continue;
    const v = state[f.key];
    const name = prefix + f.name;
    const k: Kind = f.kind;
    if (k.k === "int" || k.k === "timer" || k.k === "cpudouble") scalars.push(`${name}=${fmt(v)}`);
    else if (k.k === "bool") scalars.push(`${name}=${v ? 1 : 0}`);
    else if ((k.k === "array" || k.k === "varray") && k.of.k === "int") {
      const list = Array.from(v as ArrayLike<number | bigint>);
      if (list.length > 64 || list.every((x) => x === 0 || x === 0n)) {
        scalars.push(`${name}[${list.length}]=${list.every((x) => x === 0 || x === 0n) ? "all 0" : "…"}`);
        continue;
      }
      arrays.push(`  ${name}[${list.length}]:`);
      for (let i = 0; i < list.length; i += 4) {
        arrays.push("    " + list.slice(i, i + 4).map((x, j) => `[${String(i + j).padStart(2)}] ${fmt(x)}`).join("  "));
      }
    } else if (k.k === "struct" && !k.inline) {
      walk(k.desc, v as Record<string, unknown>, `${name}.`, arrays, scalars);
    }
  }
  for (const sub of desc.subsections) {
    const s = sub.key === undefined ? state : (state[sub.key] as Record<string, unknown> | undefined);
    if (s) walk(sub.desc, s, `${sub.desc.name}:`, arrays, scalars);
  }
}

function fmt(v: unknown): string {
  if (typeof v === "bigint") return u64(v);
  if (typeof v === "number") return hex(v >>> 0);
  return String(v);
}

