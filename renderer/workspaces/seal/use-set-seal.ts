/**
 * The hook that follows a set seal: the `seal.set` events of job `jobId` folded into a
 * SetSealView (set-seal-view.ts), and `offer`, which answers the seal's question for the next
 * drive with an attached drive (`engine.nextDrive`); a drive the main side refuses at once shows
 * its reason in the view, like one the engine refuses.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, asUiError, unwrap } from '../../bridge.js';
import { applySetEvent, EMPTY_SET_SEAL, refuseOffered, type SetSealView } from './set-seal-view.js';

/** The set seal of job `jobId` (null: none yet); the view starts empty for each job. */
export function useSetSeal(jobId: string | null): { view: SetSealView; offer: (volumeId: string) => Promise<void>; offering: boolean } {
  const [view, setView] = useState<SetSealView>(EMPTY_SET_SEAL);
  const [offering, setOffering] = useState(false);
  useEffect(() => {
    setView(EMPTY_SET_SEAL);
    if (!jobId) return;
    return api().events.on('seal.set', (e) => {
      if (e.jobId === jobId) setView((v) => applySetEvent(v, e.event));
    });
  }, [jobId]);
  const offer = useCallback(
    async (volumeId: string) => {
      if (!jobId) return;
      setOffering(true);
      setView((v) => (v.next ? { ...v, next: { ...v.next, refused: null } } : v));
      try {
        await unwrap(api().engine.nextDrive({ jobId, volumeId }));
      } catch (e) {
        const err = asUiError(e);
        const { needed, free } = err.details;
        setView((v) => refuseOffered(v, { code: err.code, ...(typeof needed === 'number' ? { needed } : {}), ...(typeof free === 'number' ? { free } : {}) }));
      } finally {
        setOffering(false);
      }
    },
    [jobId],
  );
  return { view, offer, offering };
}
