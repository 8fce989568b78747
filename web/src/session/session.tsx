// Who is signed in, for every page below the shell.
import { createContext, useContext } from 'react';
import type { Info, Me } from '../api/types.js';

export interface Session {
  me: Me;
  info: Info | undefined;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
