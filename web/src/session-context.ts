/**
 * Who is signed in, for every screen: `useSession().isAdmin` hides edit buttons from viewers (the
 * server refuses their writes anyway; the UI just does not offer them).
 */
import { createContext, useContext } from 'react';

import type { AppUser, Session } from '../../src/contracts/session.ts';

export interface SessionState {
  readonly session: Session;
  readonly user: AppUser;
  readonly isAdmin: boolean;
  /** Reloads the session (after sign-in or sign-out). */
  readonly refresh: () => Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside a signed-in screen');
  return state;
}
