import type { LoginResponse, Permission, UserSummary } from '@ccc/shared-types';
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { api, configureAuth } from './api-client';
import { clearToasts } from './toast';

export const SESSION_EXPIRED_MESSAGE = 'Your session expired, please sign in again';

const STORAGE_KEY = 'ccc.session';

export interface Session {
  token: string;
  user: UserSummary;
  /** Epoch milliseconds after which the token is no longer accepted. */
  expiresAt: number;
}

/** Why the last session ended; the sign-in page explains an expiry. */
export type SessionEndReason = 'expired' | 'signed-out';

interface SessionState {
  session: Session | null;
  endReason: SessionEndReason | null;
}

function readStored(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.token !== 'string' || !parsed.user || typeof parsed.expiresAt !== 'number') return null;
    if (parsed.expiresAt <= Date.now()) {
      sessionStorage.removeItem(STORAGE_KEY);
      return null;
    }
    return parsed as Session;
  } catch {
    return null;
  }
}

let state: SessionState | undefined;
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  listeners.forEach((listener) => listener());
}

/** The signed-in session, persisted in sessionStorage so a reload keeps it (a new tab signs in again). */
export const sessionStore = {
  getState(): SessionState {
    state ??= { session: readStored(), endReason: null };
    return state;
  },
  get token(): string | null {
    return sessionStore.getState().session?.token ?? null;
  },
  start(session: Session): void {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    setState({ session, endReason: null });
  },
  end(reason: SessionEndReason): void {
    sessionStorage.removeItem(STORAGE_KEY);
    if (sessionStore.getState().session) setState({ session: null, endReason: reason });
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

configureAuth({
  getToken: () => sessionStore.token,
  // Route guards see the session gone and send the user to /login with the expiry message.
  onUnauthorized: () => sessionStore.end('expired'),
});

interface SessionContextValue {
  session: Session | null;
  user: UserSummary | null;
  endReason: SessionEndReason | null;
  signIn: (response: LoginResponse) => void;
  signOut: () => void;
  can: (permission: Permission) => boolean;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { session, endReason } = useSyncExternalStore(sessionStore.subscribe, sessionStore.getState);

  useEffect(() => {
    // Drop everything the previous user could see once they are out.
    if (!session) {
      queryClient.clear();
      clearToasts();
    }
  }, [session, queryClient]);

  const signIn = useCallback(
    (response: LoginResponse) => {
      queryClient.clear();
      sessionStore.start({
        token: response.accessToken,
        user: response.user,
        expiresAt: Date.now() + response.expiresIn * 1000,
      });
    },
    [queryClient],
  );

  const signOut = useCallback(() => {
    // The server ends the token too (it would stay valid until it expires otherwise); the session ends here regardless.
    void api.logout().catch(() => undefined);
    sessionStore.end('signed-out');
  }, []);

  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      user: session?.user ?? null,
      endReason,
      signIn,
      signOut,
      can: (permission) => session?.user.permissions.includes(permission) ?? false,
    }),
    [session, endReason, signIn, signOut],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** True when the signed-in user may change settings (create/edit datasources, etc.). */
export function useCanWriteSettings(): boolean {
  return useSession().can('settings:write:all');
}
