/**
 * The offer to seal as a set, shown when the data does not fit on the drive chosen: other
 * attached drives to take members 2, 3, … (in the order ticked), and whether to continue on
 * drives attached as the seal goes.
 */
import type { DriveSummaryDto } from '../../../shared/ipc/index.js';
import { formatBytes } from '../../format.js';
import { useT } from '../../i18n/use-t.js';
import { useApp } from '../../store.js';

/** The set's choices, as the form keeps them. */
export interface SetChoice {
  on: boolean;
  more: string[];
  waitForDrives: boolean;
}

/** The options; `others` are the attached drives besides the first; `disabled` while a seal runs. */
export function SetSealOptions({
  choice,
  others,
  onChange,
  disabled = false,
}: {
  choice: SetChoice;
  others: DriveSummaryDto[];
  onChange: (c: SetChoice) => void;
  disabled?: boolean;
}) {
  const t = useT();
  const lang = useApp((s) => s.language);
  return (
    <fieldset className="set-options" data-testid="set-options" disabled={disabled}>
      <legend>{t('set.offer.legend')}</legend>
      <p className="help">{t('set.offer.help')}</p>
      <label className="choice">
        <input type="checkbox" checked={choice.on} onChange={(e) => onChange({ ...choice, on: e.target.checked })} />
        {t('set.offer.on')}
      </label>
      {choice.on && (
        <>
          {others.length > 0 && (
            <fieldset>
              <legend>{t('set.offer.more')}</legend>
              {others.map((d) => {
                const i = choice.more.indexOf(d.id);
                return (
                  <label key={d.id} className="choice">
                    <input
                      type="checkbox"
                      checked={i >= 0}
                      onChange={(e) => onChange({ ...choice, more: e.target.checked ? [...choice.more, d.id] : choice.more.filter((x) => x !== d.id) })}
                    />
                    {t('set.offer.drive', {
                      label: d.label || d.mountpoint,
                      free: d.freeBytes === null ? t('common.unknown') : formatBytes(d.freeBytes, lang),
                      position: i >= 0 ? String(i + 2) : '—',
                    })}
                  </label>
                );
              })}
            </fieldset>
          )}
          <label className="choice">
            <input type="checkbox" checked={choice.waitForDrives} onChange={(e) => onChange({ ...choice, waitForDrives: e.target.checked })} />
            {t('set.offer.wait')}
          </label>
          {!choice.waitForDrives && choice.more.length === 0 && <p className="bad">{t('set.offer.none')}</p>}
        </>
      )}
    </fieldset>
  );
}
