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
  /** Whether requests without credentials are system:anonymous's (else unauthenticated: 401). */
  private readonly anonymous: boolean;

  constructor(opts: { anonymous?: boolean } = {}) {
    this.anonymous = opts.anonymous ?? true;
  }

  /**
   * Who is at the other end of each connection: a client certificate never changes, so it is
   * parsed once per socket; in-process connections are entered by trustConnection.
   */
  private readonly connectionUsers = new WeakMap<object, UserInfo | null>();

  addTokenAuthenticator(fn: TokenAuthenticator): void {
    this.tokenAuthenticators.push(fn);
  }

  /** Requests over `connection` come from `user`: the API server made it for its own control plane. */
  trustConnection(connection: object, user: UserInfo): void {
    this.connectionUsers.set(connection, user);
  }

  /** The user a connection was trusted for, else its verified client certificate's. */
  private connectionUser(socket: TLSSocket): UserInfo | undefined {
    let user = this.connectionUsers.get(socket);
    if (user === undefined) {
      user = null;
      const cert = socket.authorized ? socket.getPeerCertificate() : undefined;
      if (cert && cert.subject) {
        const { cn, orgs } = subjectOf(cert as unknown as { subject: Record<string, string | string[]> });
        user = { name: cn, groups: [...orgs, 'system:authenticated'] };
      }
      this.connectionUsers.set(socket, user);
    }
    return user ?? undefined;
  }

  /** The user behind a request; undefined when credentials were presented but are invalid. */
  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const connectionUser = this.connectionUser(req.socket as TLSSocket);
    if (connectionUser) return connectionUser;
    const auth = req.headers.authorization;
    if (auth && /^bearer /i.test(auth)) return this.authenticateToken(auth.slice(7).trim());
    return this.anonymous ? anonymous : undefined;
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
