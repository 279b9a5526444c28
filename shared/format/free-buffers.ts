/**
 * Frees the memory of buffers a cipher returned once their bytes are written or copied.
 *
 * Each `cipher.update` returns a Buffer with memory of its own, outside the JavaScript heap.
 * Left to the garbage collector, it is freed only when V8 collects: a thread that allocates
 * little else (the payload worker) collects about once per 64 MiB of such memory, so up to
 * 64 MiB of ciphertext already written sits in its memory at any time (docs/BENCHMARKS.md,
 * session 6). Detaching the buffer's ArrayBuffer frees that memory at once.
 */

/** `ArrayBuffer.prototype.transfer` (ES2024; the project's lib is ES2023). */
type Transferable = ArrayBuffer & { transfer(newLength?: number): ArrayBuffer };

/**
 * Frees the memory behind each of `buffers` now (every view of it becomes empty). Only an
 * ArrayBuffer, or a view that spans its whole, non-shared ArrayBuffer, is freed — what
 * `cipher.update`, `cipher.final` and `getAuthTag` return, or an array made or received whole;
 * a slice of Node's small-buffer pool, a view into shared memory or a part of a larger buffer
 * is left alone. The caller must own the buffers: nothing may read them afterwards.
 */
export function freeBuffers(buffers: readonly (ArrayBufferView | ArrayBuffer)[]): void {
  for (const b of buffers) {
    const ab = ArrayBuffer.isView(b) ? b.buffer : b;
    if (!(ab instanceof ArrayBuffer) || ab.byteLength === 0) continue;
    if (ArrayBuffer.isView(b) && (b.byteOffset !== 0 || b.byteLength !== ab.byteLength)) continue;
    try {
      (ab as Transferable).transfer(0);
    } catch {
      // Not detachable: the collector frees it later, as before.
    }
  }
}
