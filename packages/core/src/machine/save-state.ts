/**
 * The save-state list (QEMU's savevm_state.handlers): every device, CPU and
 * RAM registers an entry; the list is ordered by priority (highest first),
 * then by registration. Section ids come from one counter in registration
 * order, instance ids per idstr in registration order unless given.
 */
import { InvalidStateError } from "../errors.js";
import type { SinkWriter } from "../wire/byte-writer.js";
import type { Description } from "../vmstate/description.js";
import type { StreamItem } from "../stream/model.js";

/** An iterative ("live") entry: save_setup / save_live_iterate / save_live_complete_precopy, and its loader. */
export interface LiveHandlers {
  /** START section payload. */
  setup(w: SinkWriter): void | Promise<void>;
  /** One PART section payload; resolves to true when nothing is left to send before completion. */
  iterate(w: SinkWriter): Promise<boolean>;
  /** END section payload, with the VM stopped. */
  complete(w: SinkWriter): Promise<void>;
  /** What is still to send (for the switchover decision). */
  pending(): number;
  /** Loads one item of this entry's section bodies (RAM records, say). */
  load(item: StreamItem): void | Promise<void>;
  /** Called once a load is done with the entry's sections. */
  loadDone?(): void;
}

export interface SaveStateEntry {
  readonly idstr: string;
  readonly instanceId: number;
  readonly sectionId: number;
  readonly priority: number;
  /** The section's version_id. */
  readonly version: number;
  /** A VMState entry: its description and the live state object it saves from and loads into. */
  readonly vmstate?: {
    readonly desc: Description<unknown>;
    readonly state: object;
    /** Device-side work once a load has put new state in place (QEMU's post_load side effects). */
    readonly loaded?: (version: number) => void;
    /** Brings the live device's state into `state` before it is saved or compared (a CPU's registers, say). */
    readonly beforeSave?: () => void;
  };
  readonly live?: LiveHandlers;
}

/** Device-side hooks around a VMState entry's state object. */
export interface DeviceHooks {
  loaded?: (version: number) => void;
  beforeSave?: () => void;
}

export interface RegisterOptions {
  /** Fixed instance id; by default the next free one for the idstr. */
  instanceId?: number;
}

export class SaveStateList {
  private readonly list: SaveStateEntry[] = [];
  /**
   * QEMU numbers sections from 0, but its loader routes PART and END sections
   * to the first entry whose recorded load_section_id matches, and entries not
   * loaded yet record 0: a live section numbered 0 would go to the wrong entry.
   * So numbering starts at 1.
   */
  private nextSectionId = 1;

  /** Entries in save (and load) order. */
  get entries(): readonly SaveStateEntry[] {
    return this.list;
  }

  /** vmstate_register: a device or CPU described by a VMState description. */
  registerVmstate<S extends object>(
    idstr: string,
    desc: Description<S>,
    state: S,
    options: RegisterOptions & DeviceHooks = {},
  ): SaveStateEntry {
    return this.add({
      idstr,
      instanceId: this.instanceIdFor(idstr, options.instanceId),
      sectionId: this.nextSectionId,
      priority: desc.priority,
      version: desc.version,
      vmstate: {
        desc: desc as Description<unknown>,
        state,
        ...(options.loaded ? { loaded: options.loaded } : {}),
        ...(options.beforeSave ? { beforeSave: options.beforeSave } : {}),
      },
    });
  }

  /** register_savevm_live: an iterative entry such as RAM. */
  registerLive(idstr: string, version: number, handlers: LiveHandlers, options: RegisterOptions & { priority?: number } = {}): SaveStateEntry {
    return this.add({
      idstr,
      instanceId: this.instanceIdFor(idstr, options.instanceId),
      sectionId: this.nextSectionId,
      priority: options.priority ?? 0,
      version,
      live: handlers,
    });
  }

  find(idstr: string, instanceId: number): SaveStateEntry | undefined {
    return this.list.find((e) => e.idstr === idstr && e.instanceId === instanceId);
  }

  private instanceIdFor(idstr: string, fixed: number | undefined): number {
    if (idstr.length === 0 || idstr.length > 255) throw new InvalidStateError(`idstr "${idstr}" must have 1 to 255 characters`);
    const same = this.list.filter((e) => e.idstr === idstr);
    if (fixed !== undefined) {
      if (same.some((e) => e.instanceId === fixed)) throw new InvalidStateError(`${idstr} instance ${fixed} is registered already`);
      return fixed;
    }
    // calculate_new_instance_id: one more than the highest so far.
    return same.reduce((max, e) => Math.max(max, e.instanceId + 1), 0);
  }

  private add(entry: SaveStateEntry): SaveStateEntry {
    this.nextSectionId++;
    // Before the first entry of lower priority: priorities descend, equal ones keep registration order.
    const at = this.list.findIndex((e) => e.priority < entry.priority);
    if (at < 0) this.list.push(entry);
    else this.list.splice(at, 0, entry);
    return entry;
  }
}
