/**
 * The carrier choice and tracking number of a shipment, checked by the shell as they are typed
 * (`carriers.validate`, 200 ms after the last key): the sealing form's shipment step and the
 * dashboard's shipment form share it with CarrierTrackingFields.
 */
import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../../shared/ipc/index.js';
import { api } from '../../bridge.js';
import { useT } from '../../i18n/use-t.js';

/** What the shell answered for the number as typed. */
export type TrackingCheck = ResponseOf<'carriers.validate'>;

/**
 * State and derived values: `result` (null until checked; numbers under 6 characters are not
 * sent), `chosen` (the detected carrier, else the chosen one) and `status` (the sentence to read
 * under the field, or null).
 */
export function useTrackingNumber() {
  const t = useT();
  const [carrier, setCarrier] = useState('auto');
  const [tracking, setTracking] = useState('');
  const [result, setResult] = useState<TrackingCheck | null>(null);

  useEffect(() => {
    setResult(null);
    if (tracking.trim().length < 6) return;
    const timer = setTimeout(() => {
      void api()
        .carriers.validate({ trackingNumber: tracking, ...(carrier !== 'auto' ? { carrier } : {}) })
        .then((r) => {
          if (r.ok) setResult(r.value);
        });
    }, 200);
    return () => clearTimeout(timer);
  }, [tracking, carrier]);

  const chosen = result?.carrier?.id ?? carrier;
  const status = (() => {
    if (!result) return null;
    if (!result.valid) return carrier === 'other' ? t('tech.tracking.other') : t('tech.tracking.invalid');
    if (carrier === 'auto' && result.carriers.length > 1) return t('tech.tracking.ambiguous', { carriers: result.carriers.map((c) => c.name).join(', ') });
    return t('tech.tracking.valid', { carrier: result.carrier?.name ?? '' });
  })();
  return { carrier, setCarrier, tracking, setTracking, result, chosen, status };
}
