/**
 * Records (or corrects, with a newer `shipped` event) the shipment of one drive from the
 * dashboard: carrier and tracking number validated as typed, as in the sealing form.
 */
import { useState } from 'react';
import { api, asUiError, unwrap, type UiError } from '../../bridge.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { CarrierTrackingFields } from './CarrierTrackingFields.js';
import { useTrackingNumber } from './use-tracking-number.js';
import { useT } from '../../i18n/use-t.js';

/** The form; `current` is the shipment being corrected, if any. `onRecorded` receives whether the event reached the service. */
export function ShipmentForm({
  driveId,
  current,
  onRecorded,
  onCancel,
}: {
  driveId: string;
  current: { carrier: string; trackingNumber: string } | null;
  onRecorded: (synced: boolean) => void;
  onCancel: () => void;
}) {
  const t = useT();
  const { carrier, setCarrier, tracking, setTracking, result, chosen, status } = useTrackingNumber();
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);

  const ready = !!result?.valid && chosen !== 'auto' && !busy;

  const save = async () => {
    if (!result) return;
    setBusy(true);
    setError(null);
    try {
      const r = await unwrap(api().custody.record({ driveId, type: 'shipped', data: { carrier: chosen, trackingNumber: result.normalized } }));
      onRecorded(r.synced);
    } catch (e) {
      setError(asUiError(e));
    }
    setBusy(false);
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) void save();
      }}
    >
      {current && (
        <p className="help" data-testid="ship-current">
          {t('dash.ship.current', { tracking: current.trackingNumber })}
        </p>
      )}
      <CarrierTrackingFields
        carrier={carrier}
        onCarrier={setCarrier}
        tracking={tracking}
        onTracking={setTracking}
        valid={result ? result.valid : undefined}
        status={status}
        statusTestId="dash-tracking-status"
      />
      <ErrorNotice error={error} />
      <div className="row">
        <button type="submit" disabled={!ready}>
          {t(current ? 'dash.ship.correct' : 'dash.ship.save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
