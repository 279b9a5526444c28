/**
 * Paths the main side handed to the renderer (dialog choices, drive mount points, sealed
 * folders). File-system requests from the renderer must name one of them or a path inside one,
 * so a compromised renderer cannot make the engine read or write anywhere else.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { ScelleError } from '../shared/errors/scelle-error.js';

/** A set of granted roots. */
export class PathGrants {
  private readonly roots = new Set<string>();

  /** Grants `path` and everything below it. */
  grant(path: string): void {
    this.roots.add(resolve(path));
  }

  /** True when `path` is a granted root or lies inside one. */
  allows(path: string): boolean {
    if (!isAbsolute(path)) return false;
    const p = resolve(path);
    for (const root of this.roots) {
      const rel = relative(root, p);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return true;
    }
    return false;
  }

  /** Throws E_IPC_INVALID unless `path` is allowed; returns the resolved path. */
  require(path: string): string {
    if (!this.allows(path)) throw new ScelleError('E_IPC_INVALID', 'this path was not chosen through the app', {});
    return resolve(path);
  }
}
