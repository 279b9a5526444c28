/**
 * The carrier choice and the tracking number field, with the validation status read aloud: the
 * sealing form's shipment step and the dashboard's shipment form show the same two fields.
 */
import { useId } from 'react';
import { carrierLabel } from '../../carrier-label.js';
import { useT } from '../../i18n/use-t.js';
import { useApp } from '../../store.js';

const NO_CARRIERS: readonly string[] = [];

/** Props: the values and setters, whether the number is valid (undefined while unchecked), the status text and its test id. */
export function CarrierTrackingFields(props: {
  carrier: string;
  onCarrier: (carrier: string) => void;
  tracking: string;
  onTracking: (tracking: string) => void;
  valid: boolean | undefined;
  status: string | null;
  statusTestId: string;
}) {
  const t = useT();
  const carriers = useApp((s) => s.info?.carriers ?? NO_CARRIERS);
  const ids = { carrier: useId(), tracking: useId(), help: useId() };
  return (
    <div className="grid2">
      <div>
        <label htmlFor={ids.carrier}>{t('tech.carrier')}</label>
        <select id={ids.carrier} value={props.carrier} onChange={(e) => props.onCarrier(e.target.value)}>
          <option value="auto">{t('tech.carrier.auto')}</option>
          {carriers.map((c) => (
            <option key={c} value={c}>
              {carrierLabel(t, c)}
            </option>
          ))}
          <option value="other">{t('tech.carrier.other')}</option>
        </select>
      </div>
      <div>
        <label htmlFor={ids.tracking}>{t('tech.tracking')}</label>
        <input
          id={ids.tracking}
          className="mono"
          value={props.tracking}
          onChange={(e) => props.onTracking(e.target.value)}
          aria-describedby={ids.help}
          aria-invalid={props.valid === undefined ? undefined : !props.valid}
          spellCheck={false}
          autoComplete="off"
        />
        <p id={ids.help} aria-live="polite" data-testid={props.statusTestId} className={props.valid ? 'good' : 'bad'}>
          {props.status}
        </p>
      </div>
    </div>
  );
}
