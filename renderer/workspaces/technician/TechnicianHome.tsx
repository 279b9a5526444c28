/**
 * The Technician workspace: two views, the sealing form ("Préparer un disque", shown first) and
 * the dashboard of the station's drives. Both stay mounted, so switching never loses a seal in
 * progress or a form being filled; the dashboard reloads each time it is shown.
 */
import { useState } from 'react';
import { useT } from '../../i18n/use-t.js';
import { Technician } from '../Technician.js';
import { Dashboard } from './Dashboard.js';

type View = 'prepare' | 'dashboard';

/** The Technician workspace with its view switch. */
export function TechnicianHome() {
  const t = useT();
  const [view, setView] = useState<View>('prepare');
  const [dashboardShown, setDashboardShown] = useState(false);
  const show = (v: View) => {
    setView(v);
    if (v === 'dashboard') setDashboardShown(true);
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
        <Technician />
      </div>
      {dashboardShown && (
        <div hidden={view !== 'dashboard'}>
          <Dashboard active={view === 'dashboard'} />
        </div>
      )}
    </>
  );
}
