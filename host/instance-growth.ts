// Kept apart from memory-limit.ts, which rewrites modules: every actor thread loads this one.
/** Growth an instance may have before it is replaced, at the least: small guests grow by a few pages in their stride. */
export const INSTANCE_GROWTH_FLOOR_BYTES = 16 * 2 ** 20;

/**
 * Pure: whether an instance kept warm between calls has outgrown itself, its linear memory grown
 * by more than its size when made and by more than INSTANCE_GROWTH_FLOOR_BYTES. Linear memory
 * never shrinks, so a guest that leaks would hold ever more of the host; a fresh instance starts
 * small. A JavaScript guest pays for it in time: its engine's heap grows toward 100 MB before it
 * settles, and a fresh engine collects often while its heap is small (the README gives figures).
 */
export function instanceOutgrown(memory: { readonly initialBytes: number; readonly bytes: number }): boolean {
  const growth = memory.bytes - memory.initialBytes;
  return growth > memory.initialBytes && growth > INSTANCE_GROWTH_FLOOR_BYTES;
}
