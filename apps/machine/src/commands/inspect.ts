/** `vmstate inspect FILE`: what a stream holds, as a report, as JSON, or as analyze-migration.py prints it. */
import { AnalyzeFormatter, decodeStream, type PlainJson, type RamRecord, sectionLabel, stateToJson, type StreamItem, stringifyQemuJson } from "@vmstate/core";
import { openInput } from "../io.js";
import { renderSummary } from "../inspect/render.js";
import { StreamSummary } from "../inspect/summary.js";

export type InspectFormat = "summary" | "json" | "analyze";

export async function inspect(file: string, format: InspectFormat, write: (s: string) => void): Promise<void> {
  const input = await openInput(file);
  try {
    const t0 = performance.now();
    if (format === "analyze") {
      const fmt = new AnalyzeFormatter();
      await decodeStream(input.source, (item) => fmt.add(item));
      write(fmt.toString());
      return;
    }
    if (format === "json") {
      const model = new JsonModel();
      model.result = await decodeStream(input.source, (item) => model.add(item), { pageRuns: true });
      write(JSON.stringify(model.toJson(), null, 2) + "\n");
      return;
    }
    const summary = new StreamSummary();
    summary.result = await decodeStream(input.source, (item) => summary.add(item), { pageRuns: true });
    write(renderSummary(input.name, summary, (performance.now() - t0) / 1000));
  } finally {
    await input.close();
  }
}

/** The stream as one JSON document: every element but the RAM pages' bytes, which are counted. */
class JsonModel {
  private readonly elements: PlainJson[] = [];
  private ram: { [block: string]: { length: number; zero: number; data: number; xbzrle: number; compressed: number } } = {};
  result: Awaited<ReturnType<typeof decodeStream>> | undefined;
  private section: { [key: string]: PlainJson } | undefined;

  add(item: StreamItem): void {
    switch (item.kind) {
      case "header":
        this.elements.push({ element: "header", offset: item.offset, version: item.version });
        return;
      case "configuration":
        this.elements.push({
          element: "configuration",
          offset: item.offset,
          machineType: item.config.machineType,
          subsections: item.config.subsections.map((s) =>
            s.name === "configuration/uuid" ? { ...s, uuid: Buffer.from(s.uuid).toString("hex") } : ({ ...s } as PlainJson),
          ) as PlainJson[],
        });
        return;
      case "command":
        this.elements.push({ element: "command", offset: item.offset, name: item.name, payload: Buffer.from(item.payload).toString("hex") });
        return;
      case "section-begin":
        this.section = { element: "section", offset: item.offset, ...item.section, label: sectionLabel(item.section) };
        this.elements.push(this.section);
        return;
      case "ram": {
        const rec = item.record;
        if (rec.type === "mem-size") {
          this.section!.blocks = rec.blocks.map((b) => ({ ...b }));
          for (const b of rec.blocks) this.ram[b.id] ??= { length: b.length, zero: 0, data: 0, xbzrle: 0, compressed: 0 };
        } else if (rec.type !== "eos") {
          const b = this.ram[rec.block];
          if (b) b[rec.type === "page" || rec.type === "pages" ? "data" : rec.type] += recordsIn(rec);
        }
        this.section!.records = ((this.section!.records as number | undefined) ?? 0) + recordsIn(rec);
        return;
      }
      case "htab":
        this.section!.htabRecords = ((this.section!.htabRecords as number | undefined) ?? 0) + 1;
        return;
      case "state":
        this.section!.describedBy = item.describedBy;
        this.section!.vmsdName = item.desc.name;
        this.section!.state = stateToJson(item.desc, item.state);
        return;
      case "opaque":
        this.section!.opaque = Buffer.from(item.bytes).toString("hex");
        this.section!.reason = item.reason;
        return;
      case "section-end":
        this.section!.footer = item.footer;
        this.section!.end = item.offset + (item.footer ? 5 : 0);
        this.section = undefined;
        return;
      case "eof":
        this.elements.push({ element: "eof", offset: item.offset });
        return;
      case "vmdesc":
        this.elements.push({ element: "vmdesc", offset: item.offset, json: JSON.parse(stringifyQemuJson(item.vmdesc.json)) as PlainJson });
        return;
      case "trailing":
        this.elements.push({ element: "trailing", offset: item.offset, bytes: item.bytes.length });
        return;
    }
  }

  toJson(): PlainJson {
    return {
      format: "vmstate-inspect/1",
      bytes: this.result?.bytes ?? 0,
      pageSize: this.result?.pageSize ?? 4096,
      warnings: [...(this.result?.warnings ?? [])],
      ram: this.ram,
      elements: this.elements,
    };
  }
}

/** Records on the wire behind one RAM item (runs of ZERO or PAGE records are one item). */
function recordsIn(rec: RamRecord): number {
  return rec.type === "zero" || rec.type === "pages" ? rec.count : 1;
}
