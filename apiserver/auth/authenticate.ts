// Authentication: who is asking. Verified client certificates (CN = user, O = groups) and
// bearer tokens (through pluggable token authenticators); otherwise system:anonymous.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { subjectOf } from '../../lib/pki.js';
import type { UserInfo } from '../registry/context.js';

/** Resolves a bearer token to a user, or undefined when this authenticator does not know it. */
export type TokenAuthenticator = (token: string) => Promise<UserInfo | undefined> | UserInfo | undefined;

export const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export class Authenticator {
  private readonly tokenAuthenticators: TokenAuthenticator[] = [];

  addTokenAuthenticator(fn: TokenAuthenticator): void {
    this.tokenAuthenticators.push(fn);
  }

  /** The user behind a request; undefined when credentials were presented but are invalid. */
  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      if (cert && cert.subject) {
        const { cn, orgs } = subjectOf(cert as unknown as { subject: Record<string, string | string[]> });
        return { name: cn, groups: [...orgs, 'system:authenticated'] };
      }
    }
    const auth = req.headers.authorization;
    if (auth && /^bearer /i.test(auth)) return this.authenticateToken(auth.slice(7).trim());
    return anonymous;
  }

  /** The user a bearer token stands for, or undefined if no authenticator accepts it. */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    if (!token) return undefined;
    for (const fn of this.tokenAuthenticators) {
      const user = await fn(token);
      if (user) return { ...user, groups: [...new Set([...user.groups, 'system:authenticated'])] };
    }
    return undefined;
  }
}
