/**
 * Writes a machine's state as QEMU's precopy does (migration/savevm.c):
 * header and configuration, setup (START sections of the live entries),
 * iterations (PART), completion (END, then a FULL section per VMState entry
 * in save order, with the vmdesc entry for each), EOF and the vmdesc trailer.
 */
import { JsonObject } from "../json/qemu-json.js";
import { CONFIG_TARGET_PAGE_BITS, QEMU_VM_EOF, QEMU_VM_FILE_MAGIC, QEMU_VM_FILE_VERSION } from "../stream/constants.js";
import { encodeConfiguration } from "../stream/configuration.js";
import { encodeSectionFooter, encodeSectionHeader, encodeVmdesc } from "../stream/encoder.js";
import type { SectionHeader, SectionType } from "../stream/model.js";
import { compile, type SaveOptions } from "../vmstate/compile.js";
import { vmdescDeviceEntry } from "../vmstate/vmdesc.js";
import { type ByteSink, SinkWriter } from "../wire/byte-writer.js";
import type { SaveStateEntry, SaveStateList } from "./save-state.js";

export interface MachineConfig {
  /** The machine class name the configuration record carries (e.g. "virt-7.2"). */
  readonly machineType: string;
  readonly pageSize: number;
  /** Send configuration/target-page-bits (targets with a variable page size: arm). */
  readonly sendPageBits: boolean;
}

export class VmStateWriter {
  readonly w: SinkWriter;
  private readonly live: SaveStateEntry[];
  private readonly done = new Set<SaveStateEntry>();

  constructor(
    private readonly list: SaveStateList,
    sink: ByteSink,
    private readonly config: MachineConfig,
    private readonly options: SaveOptions = {},
  ) {
    this.w = new SinkWriter(sink);
    this.live = list.entries.filter((e) => e.live);
  }

  get bytes(): number {
    return this.w.position;
  }

  /** What the live entries still have to send. */
  pending(): number {
    return this.live.reduce((n, e) => n + e.live!.pending(), 0);
  }

  /** qemu_savevm_state_header and qemu_savevm_state_setup. */
  async begin(): Promise<void> {
    const w = this.w;
    w.u32(QEMU_VM_FILE_MAGIC);
    w.u32(QEMU_VM_FILE_VERSION);
    encodeConfiguration(w, {
      machineType: this.config.machineType,
      subsections: this.config.sendPageBits ? [{ name: CONFIG_TARGET_PAGE_BITS, version: 1, targetPageBits: Math.log2(this.config.pageSize) }] : [],
    });
    for (const e of this.live) {
      this.header(e, "start");
      await e.live!.setup(w);
      await this.footer(e);
    }
  }

  /**
   * One round of qemu_savevm_state_iterate: a PART section per live entry
   * until one reports it is not finished. Resolves to true once all are.
   */
  async iterate(): Promise<boolean> {
    for (const e of this.live) {
      if (this.done.has(e)) continue;
      this.header(e, "part");
      const finished = await e.live!.iterate(this.w);
      await this.footer(e);
      if (finished) this.done.add(e);
      else return false;
    }
    return true;
  }

  /** qemu_savevm_state_complete_precopy, with the VM stopped: END sections, FULL sections, EOF, vmdesc. */
  async complete(): Promise<void> {
    const w = this.w;
    for (const e of this.live) {
      this.header(e, "end");
      await e.live!.complete(w);
      await this.footer(e);
    }
    const devices: JsonObject[] = [];
    for (const e of this.list.entries) {
      const vs = e.vmstate;
      if (!vs) continue;
      vs.beforeSave?.();
      if (vs.desc.hooks.needed && !vs.desc.hooks.needed(vs.state)) continue;
      this.header(e, "full");
      const entry = vmdescDeviceEntry(e.idstr, e.instanceId);
      compile(vs.desc).save(w, vs.state, entry, vs.desc.version, this.options);
      devices.push(entry);
      await this.footer(e);
    }
    w.u8(QEMU_VM_EOF);
    const vmdesc = new JsonObject().set("page_size", this.config.pageSize).set("devices", devices);
    encodeVmdesc(w, vmdesc);
    await w.drain();
  }

  private header(e: SaveStateEntry, type: SectionType): void {
    const s: SectionHeader = { type, sectionId: e.sectionId, idstr: e.idstr, instanceId: e.instanceId, version: e.version };
    encodeSectionHeader(this.w, s);
  }

  private async footer(e: SaveStateEntry): Promise<void> {
    encodeSectionFooter(this.w, e.sectionId);
    const pending = this.w.maybeFlush();
    if (pending) await pending;
  }
}
