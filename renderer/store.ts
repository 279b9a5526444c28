/**
 * App-wide UI state (zustand): language, current workspace, settings, app info and the
 * customer key chosen in the Client (its file's path and public key, kept while the app runs
 * so that switching workspaces does not lose it). Holds no secret: unlock codes live only in
 * the component that shows or reads them, and a customer key's secret only in the engine.
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
  /** The customer key created or chosen in the Client (path and public key only), or null. */
  customerKey: { keyFile: string; publicKey: string; publicKeyFile: string | null } | null;
  setCustomerKey(key: AppState['customerKey']): void;
  /** Whether the Client already asked for the key file remembered from an earlier run. */
  customerKeyChecked: boolean;
  markCustomerKeyChecked(): void;
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
  customerKey: null,
  setCustomerKey: (customerKey) => set({ customerKey }),
  customerKeyChecked: false,
  markCustomerKeyChecked: () => set({ customerKeyChecked: true }),
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
