/**
 * One drive's custody timeline drawn as a timeline: each event with who wrote it, where (the
 * station, staff or the customer's side), when (the author's clock and the service's receipt),
 * who attests it, and flags for anomalies, gaps, bad signatures and missing receipts. The
 * tracking number of a shipment opens the carrier's page (only through the https
 * `shell.openCarrierLink` channel).
 */
import type { CustodyTimelineDto } from '../../../shared/ipc/index.js';
import { authorLabel } from '../../author-label.js';
import { formatDateTime } from '../../format.js';
import { hasMessage, type MessageKey } from '../../i18n/index.js';
import { useT, useTc } from '../../i18n/use-t.js';
import { useApp } from '../../store.js';
import { flaggedCount, timelineEntries } from './timeline-view.js';

const known = (key: string, fallback: string, t: ReturnType<typeof useT>): string => (hasMessage(key) ? t(key as MessageKey) : fallback);

/** The timeline of `timeline`; `onOpenTracking` opens a carrier's page. */
export function Timeline({ timeline, onOpenTracking }: { timeline: CustodyTimelineDto; onOpenTracking: (carrier: string, trackingNumber: string) => void }) {
  const t = useT();
  const tc = useTc();
  const lang = useApp((s) => s.language);
  const entries = timelineEntries(timeline);
  const flagged = flaggedCount(entries);
  return (
    <>
      <p data-testid="timeline-flagged" className={flagged > 0 ? 'warn' : 'good'}>
        {flagged > 0 ? tc('support.tl.flagged', flagged) : t('support.tl.noFlag')}
      </p>
      <ol className="timeline" data-testid="timeline" aria-label={t('support.timeline', { driveId: timeline.driveId })}>
        {entries.map((x) => {
          const flaggedEntry = x.anomalies.length > 0 || x.gapBefore > 0 || !x.event.signatureOk;
          return (
            <li key={x.event.id} className={`tl-entry tl-${x.lineage}${flaggedEntry ? ' tl-flagged' : ''}`} data-testid="timeline-entry">
              {x.gapBefore > 0 && (
                <p className="tl-gap bad" data-testid="timeline-gap">
                  {tc('support.tl.gap', x.gapBefore)}
                </p>
              )}
              <div className="tl-head">
                <span className="tl-type" data-testid="event-type">
                  {known(`event.${x.event.type}`, x.event.type, t)}
                </span>
                <time dateTime={x.event.at}>{formatDateTime(x.event.at, lang)}</time>
              </div>
              <dl className="tl-facts">
                <dt>{t('support.tl.who')}</dt>
                <dd title={`${x.event.author.kind}:${x.event.author.id}`} data-testid="event-author">
                  {authorLabel(x.event.author, lang)}
                </dd>
                <dt>{t('support.tl.where')}</dt>
                <dd>{t(x.lineage === 'customer' ? 'support.tl.where.customer' : x.event.author.kind === 'station' ? 'support.tl.where.station' : 'support.tl.where.provider')}</dd>
                <dt>{t('support.tl.attested')}</dt>
                <dd data-testid="event-attested">
                  <span className={x.event.signatureOk ? undefined : 'bad'}>{x.event.signatureOk ? t(`support.tl.signer.${x.signer}`) : t('support.tl.sigBad')}</span>
                  {x.event.author.kind === 'customer' && x.event.attestation && (
                    <span className={x.event.attestation === 'customer-key' ? 'good' : x.event.attestation === 'none' ? 'bad' : undefined} data-testid="event-attestation">
                      {' '}
                      · {t(`attestation.${x.event.attestation}`)}
                    </span>
                  )}
                  {' · '}
                  {x.attestedAt ? t('support.tl.receipt', { at: formatDateTime(x.attestedAt, lang) }) : <span className="warn">{t('support.tl.noReceipt')}</span>}
                </dd>
                {x.shipment && (
                  <>
                    <dt>{t('support.tl.tracking')}</dt>
                    <dd>
                      <button
                        type="button"
                        className="linklike mono"
                        onClick={() => onOpenTracking(x.shipment!.carrier, x.shipment!.trackingNumber)}
                        aria-label={t('support.tl.trackingLink', { carrier: known(`carrier.${x.shipment.carrier}`, x.shipment.carrier, t), tracking: x.shipment.trackingNumber })}
                      >
                        {x.shipment.trackingNumber}
                      </button>{' '}
                      <span className="help">({known(`carrier.${x.shipment.carrier}`, x.shipment.carrier, t)})</span>
                    </dd>
                  </>
                )}
              </dl>
              {x.anomalies.map((a) => (
                <p key={a.kind} className="tl-anomaly" role="note" data-testid="timeline-anomaly">
                  ⚠ {known(`anomaly.${a.kind}`, a.kind, t)}
                </p>
              ))}
              {x.relatedTo.map((a) => (
                <p key={`r-${a.kind}`} className="help">
                  {t('support.tl.relatedTo', { anomaly: known(`anomaly.${a.kind}`, a.kind, t) })}
                </p>
              ))}
            </li>
          );
        })}
      </ol>
    </>
  );
}
