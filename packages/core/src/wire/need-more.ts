/**
 * Thrown (never as an Error, so no stack is captured) when a parse step runs
 * past the bytes buffered so far but the source has more. The stream driver
 * catches it, buffers more input and restarts the step from its beginning.
 */
export interface NeedMore {
  readonly needMore: true;
}
export const NEED_MORE: NeedMore = Object.freeze({ needMore: true as const });

export function isNeedMore(e: unknown): e is NeedMore {
  return e === NEED_MORE;
}
