/**
 * One error family for the whole project. Every error carries a string `code`
 * and, where known, where it happened: the stream section, the field path and
 * the absolute byte offset. Messages read as QEMU's do, plus that location.
 */

export type VmstateErrorCode =
  // stream framing
  | "STREAM_TRUNCATED"
  | "BAD_MAGIC"
  | "BAD_VERSION"
  | "UNKNOWN_SECTION_TYPE"
  | "UNKNOWN_SECTION"
  | "MISSING_FOOTER"
  | "FOOTER_MISMATCH"
  | "BAD_CONFIGURATION"
  | "BAD_COMMAND"
  | "BAD_RAM_RECORD"
  | "BAD_SECTION"
  | "TRAILING_DATA"
  // vmdesc trailer
  | "BAD_VMDESC"
  | "VMDESC_MISMATCH"
  | "NO_DESCRIPTION"
  // state loading
  | "VERSION_TOO_NEW"
  | "VERSION_TOO_OLD"
  | "UNKNOWN_SUBSECTION"
  | "FIELD_CHECK_FAILED"
  | "BAD_FIELD_VALUE"
  | "HOOK_FAILED"
  // descriptions (programming errors in a description)
  | "INVALID_DESCRIPTION"
  | "INVALID_STATE"
  // limits and support
  | "LIMIT_EXCEEDED"
  | "UNSUPPORTED"
  // machine and run state
  | "INVALID_RUNSTATE_TRANSITION"
  | "MACHINE_MISMATCH"
  | "MIGRATION_FAILED"
  // guest programs built in code
  | "BAD_PROGRAM"
  // edges
  | "IO_ERROR";

export interface ErrorLocation {
  /** Absolute byte offset in the stream. */
  offset?: number;
  /** Section as `idstr[instance]`, or a framing element such as `configuration`. */
  section?: string;
  /** Field path inside the section, e.g. `env.gpr[3]` or `cpu/pmp/env.pmp_state.pmp[2].addr_reg`. */
  fieldPath?: string;
}

const BRAND = Symbol.for("vmstate.error");

export class VmstateError extends Error {
  readonly code: VmstateErrorCode;
  /** The message without the location suffix. */
  readonly detail: string;
  offset: number | undefined;
  section: string | undefined;
  fieldPath: string | undefined;
  readonly [BRAND] = true;

  constructor(code: VmstateErrorCode, detail: string, where: ErrorLocation = {}, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
    this.offset = where.offset;
    this.section = where.section;
    this.fieldPath = where.fieldPath;
    this.message = this.format();
  }

  /** Fills in location parts that are not known yet; the innermost location wins. */
  locate(where: ErrorLocation): this {
    if (this.offset === undefined && where.offset !== undefined) this.offset = where.offset;
    if (this.section === undefined && where.section !== undefined) this.section = where.section;
    if (this.fieldPath === undefined && where.fieldPath !== undefined) this.fieldPath = where.fieldPath;
    this.message = this.format();
    return this;
  }

  /** Prefixes the field path with an enclosing field or subsection name. */
  within(segment: string): this {
    if (this.fieldPath === undefined) this.fieldPath = segment;
    else if (this.fieldPath.startsWith("[") || segment.endsWith("/")) this.fieldPath = segment + this.fieldPath;
    else this.fieldPath = `${segment}.${this.fieldPath}`;
    this.message = this.format();
    return this;
  }

  private format(): string {
    const parts: string[] = [];
    if (this.section !== undefined) parts.push(`section ${this.section}`);
    if (this.fieldPath !== undefined) parts.push(`field ${this.fieldPath}`);
    if (this.offset !== undefined) parts.push(`offset 0x${this.offset.toString(16)}`);
    return parts.length ? `${this.detail} (${parts.join(", ")})` : this.detail;
  }
}

/** Malformed stream framing: magic, section types, footers, RAM records, commands. */
export class StreamFormatError extends VmstateError {}
/** The stream ended inside an element. */
export class TruncatedStreamError extends VmstateError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super("STREAM_TRUNCATED", detail, where);
  }
}
/** The vmdesc JSON trailer is malformed or disagrees with the stream. */
export class VmdescError extends VmstateError {}
/** A section's state does not load: versions, checks, unknown subsections, hooks. */
export class StateLoadError extends VmstateError {}
/** A description is not well formed (a bug in the description, not in the stream). */
export class DescriptionError extends VmstateError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super("INVALID_DESCRIPTION", detail, where);
  }
}
/** A state object does not fit its description when saving. */
export class InvalidStateError extends VmstateError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super("INVALID_STATE", detail, where);
  }
}
/** Input asks for more than the configured limits allow. */
export class LimitError extends VmstateError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super("LIMIT_EXCEEDED", detail, where);
  }
}
/** A valid QEMU feature this project does not handle. */
export class UnsupportedError extends VmstateError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super("UNSUPPORTED", detail, where);
  }
}

export function isVmstateError(value: unknown): value is VmstateError {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
