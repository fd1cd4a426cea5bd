import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'desk' | 'unit' | 'supervisor' | 'admin';
export interface Session {
  token: string;
  role: Role;
  sub: string;
  unitId?: string;
}

const KEY = 'wz.console.session';

/** The role and unit come from the token's claims; the router checks them on every call anyway. */
export function sessionFromToken(token: string): Session | null {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: string; role?: Role; unitId?: string; exp?: number };
    if (!claims.sub || !claims.role) return null;
    if (claims.exp && claims.exp * 1000 < Date.now()) return null;
    return { token, role: claims.role, sub: claims.sub, unitId: claims.unitId };
  } catch {
    return null;
  }
}

// sessionStorage, not localStorage: a staff token should not outlive the browser tab.
export const loadSession = (): Session | null => {
  const t = sessionStorage.getItem(KEY);
  return t ? sessionFromToken(t) : null;
};
export const saveSession = (s: Session | null): void => (s ? sessionStorage.setItem(KEY, s.token) : sessionStorage.removeItem(KEY));

export const SessionContext = createContext<Session>(null as unknown as Session);
export const useSession = (): Session => useContext(SessionContext);

export const ROLE_NAMES: Record<Role, string> = { desk: '受理员', unit: '承办单位', supervisor: '督办', admin: '管理员' };
