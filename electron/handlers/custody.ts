/** IPC handlers of the chain of custody: `custody.*`, and the customer-signed event recorder the drives handlers reuse. */
import { sealedEventsData, type SealFacts } from '../../shared/custody/set-view.js';
import { findSealedFolders } from '../../shared/drives/index.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { listStationDrives } from '../station-drives.js';
import { interruptedOn, stoppedSetsOf, type ChannelHandlers, type HandlerContext } from './context.js';

const CUSTOMER_TYPES = new Set(['received', 'opened']);

/**
 * Records a customer-lineage event, signed in the engine with the unlocked session's customer
 * signer (the customer's own key when the drive was sealed for it, else the data-key key), and
 * says which one attests it.
 * Throws E_USAGE when the session unlocked another drive than `driveId`; E_KEY_CUSTOMER_NEEDED
 * when the drive was sealed for a customer key the session does not hold (nothing is recorded).
 */
export async function recordCustomerEvent(ctx: HandlerContext, sessionId: string, driveId: string, type: 'received' | 'opened' | 'erased', data: Record<string, unknown>) {
  const author = await ctx.deps.engine.call({ op: 'customerAuthor', args: { sessionId } });
  if (author.driveId !== driveId) throw new ScelleError('E_USAGE', 'this event cannot be recorded for the unlocked drive', {});
  return recordAs(ctx, sessionId, author, type, data);
}

/**
 * Records the customer's `received` or `opened` event for the unlocked drive `driveId` and, when
 * it was unlocked with other members of its set, for each of them too: every member present gets
 * the event in its own chain, signed in the engine with its own customer key (as the command line
 * records them). Every member is tried; the first failure is thrown after. Answers the unlocked
 * drive's event, `synced` only when every member's is, and which key attests them.
 * Throws as recordCustomerEvent.
 */
export async function recordCustomerEvents(ctx: HandlerContext, sessionId: string, driveId: string, type: 'received' | 'opened', data: Record<string, unknown>) {
  const authors = await ctx.deps.engine.call({ op: 'customerAuthors', args: { sessionId } });
  if (authors[0]?.driveId !== driveId) throw new ScelleError('E_USAGE', 'this event cannot be recorded for the unlocked drive', {});
  const recorded: Awaited<ReturnType<typeof recordAs>>[] = [];
  let failure: { error: unknown } | null = null;
  for (const author of authors) {
    try {
      recorded.push(await recordAs(ctx, sessionId, author, type, data));
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return { ...recorded[0]!, synced: recorded.every((r) => r.synced) };
}

/** Records one customer event of the session's drive `author.driveId`, signed in the engine. */
async function recordAs(
  ctx: HandlerContext,
  sessionId: string,
  author: { driveId: string; authorId: string; publicKey: string; manifestSha256: string; attestation: 'customer-key' | 'data-key' },
  type: 'received' | 'opened' | 'erased',
  data: Record<string, unknown>,
) {
  const { deps } = ctx;
  const recorded = await deps.custody.record({
    driveId: author.driveId,
    type,
    data,
    customer: {
      authorId: author.authorId,
      publicKey: author.publicKey,
      anchor: author.manifestSha256,
      sign: (event) => deps.engine.call({ op: 'customerSign', args: { sessionId, event } }),
    },
  });
  return { ...recorded, attestation: author.attestation };
}

/**
 * Records the station's `sealed` event for a seal just finished (signed with the station key).
 * With `customerKey` (base64 Ed25519, the customer's own key the drive was sealed for) the event
 * names it with `customerAttestation: "customer-key"`; otherwise it names the data-key key. For a
 * member of a sealed set (`r.set`, `r.driveId` one of its members) the event also names the set,
 * the member's position and what it holds. The data comes from shared/custody/set-view.ts
 * sealedEventsData, as the command line's.
 */
export async function recordSealed(ctx: HandlerContext, r: SealFacts & { stationCertificateSha256: string }, customerKey: string | null = null) {
  const { deps } = ctx;
  // The certificate the manifest carries, from the seal itself: a sync may have renewed the
  // station's certificate since the seal began.
  const all = sealedEventsData(r, r.stationCertificateSha256, customerKey ?? undefined);
  const data = (all.find((d) => d.driveId === r.driveId) ?? all[0]!).data;
  await deps.custody.record({ driveId: r.driveId, type: 'sealed', data });
}

/** The station's custody journal; throws E_CUSTODY_JOURNAL when this station keeps none. */
export async function journalOf(ctx: HandlerContext) {
  if (!ctx.deps.custody.journal) throw new ScelleError('E_CUSTODY_JOURNAL', 'this station has no custody journal', {});
  return ctx.deps.custody.journal();
}

/** The custody handlers; `custody.record` throws E_USAGE for a customer event without the unlocked drive. */
export function custodyHandlers(ctx: HandlerContext): ChannelHandlers<'custody.lookup' | 'custody.record' | 'custody.stationDrives' | 'custody.sync'> {
  const { deps, grants } = ctx;
  return {
    'custody.lookup': async (req) => ({ timelines: await deps.custody.lookup(req.kind, req.value) }),
    'custody.record': async (req) => {
      if (!req.sessionId) {
        if (CUSTOMER_TYPES.has(req.type)) throw new ScelleError('E_USAGE', 'a customer event needs the unlocked drive', {});
        return deps.custody.record({ driveId: req.driveId, type: req.type, data: req.data });
      }
      if (req.type !== 'received' && req.type !== 'opened') throw new ScelleError('E_USAGE', 'this event cannot be recorded for the unlocked drive', {});
      return recordCustomerEvents(ctx, req.sessionId, req.driveId, req.type, req.data);
    },
    'custody.stationDrives': async (req) =>
      listStationDrives(
        {
          journal: () => journalOf(ctx),
          lookup: (kind, value) => deps.custody.lookup(kind, value),
          attachedFolders: async () => {
            const folders = new Map<string, string>();
            for (const d of ctx.drives)
              for (const f of await findSealedFolders(d.mountpoint)) {
                grants.grant(f.driveDir);
                folders.set(f.driveId, f.driveDir);
              }
            return folders;
          },
          interrupted: () => interruptedOn(ctx, ctx.drives),
          stoppedSets: () => stoppedSetsOf(ctx),
        },
        req.query ?? '',
      ),
    'custody.sync': async () => {
      const journal = await journalOf(ctx);
      const before = journal.pending().length;
      await deps.custody.sync?.();
      const after = journal.pending().length;
      return { pushed: Math.max(0, before - after), pending: after };
    },
  };
}
