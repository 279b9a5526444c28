/**
 * The Technician workspace: two views, the sealing form ("Préparer un disque", shown first) and
 * the dashboard of the station's drives. Both stay mounted, so switching never loses a seal in
 * progress or a form being filled; the dashboard reloads each time it is shown. A set resumed from
 * the dashboard runs in the sealing form (its progress, next-drive question, code and slips).
 */
import { useState } from 'react';
import { useT } from '../../i18n/use-t.js';
import { Technician } from '../Technician.js';
import { Dashboard } from './Dashboard.js';
import type { SetResumeRequest } from './resume-request.js';

type View = 'prepare' | 'dashboard';

/** The Technician workspace with its view switch. */
export function TechnicianHome() {
  const t = useT();
  const [view, setView] = useState<View>('prepare');
  const [dashboardShown, setDashboardShown] = useState(false);
  const [resume, setResume] = useState<SetResumeRequest | null>(null);
  const show = (v: View) => {
    setView(v);
    if (v === 'dashboard') setDashboardShown(true);
  };
  // A set resumed from the dashboard runs in the sealing form, as a new set does.
  const resumeSet = (r: Omit<SetResumeRequest, 'nonce'>) => {
    setResume({ ...r, nonce: Date.now() });
    show('prepare');
  };
  return (
    <>
      <nav className="views" aria-label={t('dash.views')}>
        <button type="button" className={view === 'prepare' ? undefined : 'secondary'} aria-pressed={view === 'prepare'} onClick={() => show('prepare')}>
          {t('dash.view.prepare')}
        </button>
        <button type="button" className={view === 'dashboard' ? undefined : 'secondary'} aria-pressed={view === 'dashboard'} onClick={() => show('dashboard')}>
          {t('dash.view.dashboard')}
        </button>
      </nav>
      <div hidden={view !== 'prepare'}>
        <Technician resume={resume} />
      </div>
      {dashboardShown && (
        <div hidden={view !== 'dashboard'}>
          <Dashboard active={view === 'dashboard'} onResumeSet={resumeSet} />
        </div>
      )}
    </>
  );
}
