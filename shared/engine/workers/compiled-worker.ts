/** Worker scripts exist only in the compiled build: running from the TypeScript sources, every pipeline stays in one thread. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when every worker script at `urls` (file URLs beside the calling module) is present. */
export function compiledWorkers(...urls: URL[]): boolean {
  return urls.every((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u)));
}
