/**
 * Loads a stream into a machine (QEMU's qemu_loadvm_state). Device state is
 * read into copies and put in place only once the whole stream has loaded;
 * a stream whose sections, versions, configuration or RAM blocks do not fit
 * the machine is refused with QEMU's message, naming where.
 */
import { isVmstateError, StateLoadError } from "../errors.js";
import { configPageSize } from "../stream/configuration.js";
import { decodeStream, type DecodeResult } from "../stream/decoder.js";
import { sectionLabel, type SectionHeader, type StreamItem } from "../stream/model.js";
import type { ByteSource } from "../stream/source.js";
import type { MachineConfig } from "./vmstate-writer.js";
import type { RamHandler } from "./ram-handler.js";
import type { SaveStateEntry, SaveStateList } from "./save-state.js";
import { assignState, cloneState } from "./state-copy.js";

export type LoadMode =
  /** Read everything, change nothing: does the stream fit? */
  | "check"
  /** Read and put in place (RAM as it arrives, devices at the end). */
  | "apply";

export interface LoadReport {
  readonly decode: DecodeResult;
  /** Entries whose sections arrived, in stream order. */
  readonly loaded: readonly SaveStateEntry[];
  /** Sections this machine has no entry for, skipped (`idstr[instance]`), when skipping was asked for. */
  readonly skipped: readonly string[];
}

export interface LoadOptions {
  /**
   * What to do with a section the machine has no entry for: QEMU's answer is
   * an error ("Unknown savevm section or instance"); "skip" reads it through
   * its vmdesc, keeps it out of every device and lists it in the report
   * (for loading a QEMU snapshot into a machine that models less).
   */
  unknownSections?: "error" | "skip";
}

export async function loadVmState(
  list: SaveStateList,
  ram: RamHandler,
  config: MachineConfig,
  source: ByteSource,
  mode: LoadMode,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const staged = new Map<SaveStateEntry, { state: object; version: number }>();
  const loaded: SaveStateEntry[] = [];
  const skipped: string[] = [];
  let current: SaveStateEntry | undefined;
  let skipping = false;
  let sawConfiguration = false;

  const entryFor = (s: SectionHeader, offset: number): SaveStateEntry => {
    const e = list.find(s.idstr, s.instanceId);
    const where = { offset, section: sectionLabel(s) };
    if (!e) {
      throw new StateLoadError(
        "UNKNOWN_SECTION",
        `Unknown savevm section or instance '${s.idstr}' ${s.instanceId}. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices`,
        where,
      );
    }
    if (s.version > e.version) throw new StateLoadError("VERSION_TOO_NEW", `savevm: unsupported version ${s.version} for '${s.idstr}' v${e.version}`, where);
    if (s.type === "full" && !e.vmstate) throw new StateLoadError("BAD_SECTION", `'${s.idstr}' is an iterative entry but came as a FULL section`, where);
    if (s.type !== "full" && !e.live) throw new StateLoadError("BAD_SECTION", `'${s.idstr}' has no iterative handlers but came as a ${s.type.toUpperCase()} section`, where);
    return e;
  };

  const visit = (item: StreamItem): void | Promise<void> => {
    switch (item.kind) {
      case "configuration": {
        sawConfiguration = true;
        const received = item.config.machineType;
        // QEMU compares only as many bytes as were received (strncmp).
        if (!config.machineType.startsWith(received)) {
          throw new StateLoadError("MACHINE_MISMATCH", `Machine type received is '${received}' and local is '${config.machineType}'`, {
            offset: item.offset,
            section: "configuration",
          });
        }
        const pageSize = configPageSize(item.config);
        if (pageSize !== undefined ? pageSize !== config.pageSize : config.sendPageBits) {
          const bits = pageSize === undefined ? "none" : String(Math.log2(pageSize));
          throw new StateLoadError("MACHINE_MISMATCH", `Received TARGET_PAGE_BITS is ${bits} but local is ${Math.log2(config.pageSize)}`, {
            offset: item.offset,
            section: "configuration",
          });
        }
        return;
      }
      case "section-begin":
        if (!sawConfiguration) {
          throw new StateLoadError("MACHINE_MISMATCH", "Configuration section missing", { offset: item.offset });
        }
        skipping = options.unknownSections === "skip" && !list.find(item.section.idstr, item.section.instanceId);
        if (skipping) {
          const label = sectionLabel(item.section);
          if (!skipped.includes(label)) skipped.push(label);
          return;
        }
        current = entryFor(item.section, item.offset);
        if (!loaded.includes(current)) loaded.push(current);
        return;
      case "section-end":
        skipping = false;
        return;
      case "state":
        if (!skipping) staged.set(current!, { state: item.state, version: item.section.version });
        return;
      case "ram":
        if (skipping) return;
        if (mode === "check") {
          if (item.record.type === "mem-size") ram.checkBlockList(item.record, item.offset);
          return;
        }
        return current!.live!.load(item);
      case "htab":
      case "opaque":
        if (mode === "apply" && !skipping) return current!.live?.load(item);
        return;
      default:
        return;
    }
  };

  let decode: DecodeResult;
  try {
    decode = await decodeStream(source, visit, {
      pageSize: config.pageSize,
      pageRuns: true, // the RAM handler copies a run's pages in one visit
      // Every section is read with this machine's own descriptions, into copies of its state.
      describe: (s) => {
        const e = list.find(s.idstr, s.instanceId);
        if (!e?.vmstate) return undefined;
        return { desc: e.vmstate.desc, state: cloneState(e.vmstate.state) };
      },
    });
  } catch (e) {
    if (isVmstateError(e) && current && e.section === undefined) e.locate({ section: sectionLabel(current) });
    throw e;
  }

  if (mode === "apply") {
    for (const e of loaded) e.live?.loadDone?.();
    for (const [e, { state, version }] of staged) {
      assignState(e.vmstate!.state, state);
      e.vmstate!.loaded?.(version);
    }
  }
  return { decode, loaded, skipped };
}
