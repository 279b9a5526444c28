/**
 * The Client workspace's statement of a drive's origin: the verdict the shell judged at a
 * trusted time (shared/format/station-trust.ts) when it has one, else the manifest-date check.
 */
import type { DriveInfoDto } from '../../shared/ipc/index.js';
import { certReasonText } from '../components/ErrorNotice.js';
import { Notice } from '../components/Section.js';
import { formatDateTime } from '../format.js';
import { useT } from '../i18n/use-t.js';
import { useApp } from '../store.js';

/** One notice: success for genuine or unconfirmed, a warning for anything else. */
export function DriveTrustNotice({ info }: { info: DriveInfoDto }) {
  const t = useT();
  const lang = useApp((s) => s.language);
  const station = info.station.id;
  const trust = info.trust;
  if (!trust) {
    return info.station.certified ? (
      <Notice kind="success">{t('client.authentic', { station, date: formatDateTime(info.createdAt, lang) })}</Notice>
    ) : (
      <Notice kind="warning">{t('client.notCertified', { station, reason: certReasonText(t, info.station.reason) })}</Notice>
    );
  }
  const date = formatDateTime(trust.judgedAt, lang);
  switch (trust.verdict) {
    case 'genuine':
      return <Notice kind="success">{t('client.trust.genuine', { station, date })}</Notice>;
    case 'unconfirmed':
      return <Notice kind="success">{t('client.trust.unconfirmed', { station, date })}</Notice>;
    case 'local':
      return <Notice kind="warning">{t('client.trust.local', { station })}</Notice>;
    case 'forged':
      return <Notice kind="warning">{t('client.trust.forged', { station, reason: certReasonText(t, trust.reason) })}</Notice>;
    case 'revoked':
      return <Notice kind="warning">{t('client.trust.revoked', { station })}</Notice>;
    case 'expired':
      return <Notice kind="warning">{t('client.trust.expired', { station, date })}</Notice>;
  }
}
