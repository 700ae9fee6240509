/** Everything `vmstate inspect` reports, gathered from decoded items without keeping RAM. */
import {
  type ConfigurationRecord,
  type Description,
  type DecodeResult,
  type SectionHeader,
  type StreamItem,
  sectionLabel,
  configCapabilities,
} from "@vmstate/core";

export interface SectionSummary {
  readonly offset: number;
  readonly header: SectionHeader;
  bytes: number;
  footer: boolean;
  content: "ram" | "htab" | "vmdesc" | "local" | "opaque" | "";
}

export interface RamBlockSummary {
  readonly id: string;
  readonly length: number;
  zeroPages: number;
  normalPages: number;
  xbzrlePages: number;
  compressedPages: number;
}

export interface CpuState {
  readonly label: string;
  readonly desc: Description<unknown>;
  readonly state: Record<string, unknown>;
}

export class StreamSummary {
  configuration: ConfigurationRecord | undefined;
  readonly sections: SectionSummary[] = [];
  readonly ram = new Map<string, RamBlockSummary>();
  readonly cpus: CpuState[] = [];
  readonly commands: { offset: number; name: string }[] = [];
  eofOffset: number | undefined;
  vmdescOffset: number | undefined;
  vmdescDevices = 0;
  trailingBytes = 0;
  result: DecodeResult | undefined;
  private current: SectionSummary | undefined;

  add(item: StreamItem): void {
    switch (item.kind) {
      case "configuration":
        this.configuration = item.config;
        return;
      case "command":
        this.commands.push({ offset: item.offset, name: item.name });
        return;
      case "section-begin":
        this.current = { offset: item.offset, header: item.section, bytes: 0, footer: false, content: "" };
        this.sections.push(this.current);
        return;
      case "ram": {
        const s = this.current!;
        s.content = "ram";
        const rec = item.record;
        if (rec.type === "mem-size") {
          for (const b of rec.blocks) {
            if (!this.ram.has(b.id)) this.ram.set(b.id, { id: b.id, length: b.length, zeroPages: 0, normalPages: 0, xbzrlePages: 0, compressedPages: 0 });
          }
        } else if (rec.type !== "eos") {
          const b = this.ram.get(rec.block);
          if (b) {
            if (rec.type === "zero") b.zeroPages += rec.count;
            else if (rec.type === "page") b.normalPages++;
            else if (rec.type === "pages") b.normalPages += rec.count;
            else if (rec.type === "xbzrle") b.xbzrlePages++;
            else b.compressedPages++;
          }
        }
        return;
      }
      case "htab":
        this.current!.content = "htab";
        return;
      case "state":
        this.current!.content = item.describedBy;
        if (item.section.idstr === "cpu" || item.section.idstr.endsWith("/cpu")) {
          this.cpus.push({ label: sectionLabel(item.section), desc: item.desc, state: item.state });
        }
        return;
      case "opaque":
        this.current!.content = "opaque";
        return;
      case "section-end": {
        const s = this.current!;
        s.footer = item.footer;
        s.bytes = item.offset + (item.footer ? 5 : 0) - s.offset;
        this.current = undefined;
        return;
      }
      case "eof":
        this.eofOffset = item.offset;
        return;
      case "vmdesc":
        this.vmdescOffset = item.offset;
        this.vmdescDevices = item.vmdesc.devices.length;
        return;
      case "trailing":
        this.trailingBytes = item.bytes.length;
        return;
      case "header":
        return;
    }
  }

  get capabilities(): readonly string[] {
    return this.configuration ? configCapabilities(this.configuration) : [];
  }
}
