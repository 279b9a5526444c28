/**
 * App-wide UI state (zustand): language, current workspace, settings and app info. Holds no
 * secret: unlock codes live only in the component that shows or reads them.
 */
import { create } from 'zustand';
import type { Language, ResponseOf, SettingsDto } from '../shared/ipc/index.js';
import { api, unwrap } from './bridge.js';
import { DEFAULT_LANGUAGE } from './i18n/index.js';

/** The workspaces, in tab order. */
export const WORKSPACES = ['technician', 'client', 'support', 'settings'] as const;
/** One workspace. */
export type Workspace = (typeof WORKSPACES)[number];

/** The store's shape. */
export interface AppState {
  language: Language;
  workspace: Workspace;
  settings: SettingsDto | null;
  /** What `app.info` answered (version, shell, escrow, station key, the carriers to offer), or null before `load`. */
  info: ResponseOf<'app.info'> | null;
  setWorkspace(w: Workspace): void;
  setLanguage(l: Language): Promise<void>;
  load(): Promise<void>;
  setSettings(s: SettingsDto): void;
}

/** The app store. */
export const useApp = create<AppState>((set) => ({
  language: DEFAULT_LANGUAGE,
  workspace: 'technician',
  settings: null,
  info: null,
  setWorkspace: (workspace) => set({ workspace }),
  setLanguage: async (language) => {
    set({ language });
    document.documentElement.lang = language;
    try {
      set({ settings: await unwrap(api().settings.set({ language })) });
    } catch {
      // the language still switches for this session
    }
  },
  load: async () => {
    const settings = await unwrap(api().settings.get({}));
    const info = await unwrap(api().app.info({}));
    document.documentElement.lang = settings.language;
    set({ settings, info, language: settings.language });
  },
  setSettings: (settings) => set({ settings }),
}));
