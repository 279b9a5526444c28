/**
 * IPC handlers of the customer's own key (docs/CUSTODY.md §2): `customerKey.*`. The Client
 * creates or chooses its key file through dialogs of the main process; the engine writes and
 * reads it, so its secret never reaches the main process's answers nor the renderer, which
 * holds only the file's path (granted for key-file requests only) and the public key. The
 * Technician reads a customer's public key file. The key file last created or chosen is
 * remembered in the settings (its path only) and offered again at the next start.
 */
import { decodeBase64 } from '../../shared/format/base64.js';
import { readPublicKeyFile, writePublicKeyFile } from '../../shared/format/key-files.js';
import type { ChannelHandlers, HandlerContext } from './context.js';

/** The default name offered for a new customer key file. */
export const CUSTOMER_KEY_FILE_NAME = 'scelle-client.key';

type CustomerKeyChannels = 'customer.createKey' | 'customer.chooseKey' | 'customer.currentKey' | 'customer.forgetKey' | 'customer.exportPublicKey' | 'customer.readPublicKey';

/**
 * The customer key handlers. Errors: E_KEY_FILE (a file that exists, cannot be written, is
 * malformed, of another kind, or a secret key file others may read: `details.reason`
 * `too-open` / `wrong-owner`); E_IPC_INVALID for a key file path the main side did not hand out.
 */
export function customerKeyHandlers(ctx: HandlerContext): ChannelHandlers<CustomerKeyChannels> {
  const { deps, keyFiles } = ctx;
  return {
    'customer.createKey': async () => {
      const path = await deps.dialogs.saveFile(CUSTOMER_KEY_FILE_NAME, 'key');
      if (!path) return { keyFile: null, publicKey: null, publicKeyFile: null };
      const made = await deps.engine.call({ op: 'customerKeyCreate', args: { path } });
      keyFiles.grant(path);
      await deps.settings.set({ customerKeyFile: path });
      return { keyFile: path, publicKey: made.publicKey, publicKeyFile: made.publicKeyFile };
    },
    'customer.chooseKey': async () => {
      const path = await deps.dialogs.chooseKeyFile('customer-key');
      if (!path) return { keyFile: null, publicKey: null };
      const facts = await deps.engine.call({ op: 'customerKeyInspect', args: { path } });
      keyFiles.grant(path);
      await deps.settings.set({ customerKeyFile: path });
      return { keyFile: path, publicKey: facts.publicKey };
    },
    'customer.currentKey': async () => {
      const path = (await deps.settings.get()).customerKeyFile;
      if (!path) return { keyFile: null, publicKey: null };
      const facts = await deps.engine.call({ op: 'customerKeyInspect', args: { path } });
      keyFiles.grant(path);
      return { keyFile: path, publicKey: facts.publicKey };
    },
    'customer.forgetKey': async () => {
      const had = (await deps.settings.get()).customerKeyFile !== null;
      await deps.settings.set({ customerKeyFile: null });
      return { forgotten: had };
    },
    'customer.exportPublicKey': async (req) => {
      const keyFile = keyFiles.require(req.keyFile);
      const facts = await deps.engine.call({ op: 'customerKeyInspect', args: { path: keyFile } });
      const path = await deps.dialogs.saveFile(`${CUSTOMER_KEY_FILE_NAME}.pub`, 'pub');
      if (!path) return { path: null };
      await writePublicKeyFile(path, 'customer', decodeBase64(facts.publicKey, 32)!);
      return { path };
    },
    'customer.readPublicKey': async () => {
      const path = await deps.dialogs.chooseKeyFile('customer-public-key');
      if (!path) return { publicKey: null };
      const key = await readPublicKeyFile(path, 'customer');
      return { publicKey: Buffer.from(key).toString('base64') };
    },
  };
}
