// Forwarding loops that leave the node before they come back (an upstream resolver that sends
// everything to the cluster DNS IP, say) cannot be seen in resolv.conf. As CoreDNS's `loop`
// plugin does, the server asks itself for a random name once its upstreams are known: that name
// goes upstream, and if it arrives here again, forwarding loops (nobody else knows the name, and
// equal questions in flight share one upstream exchange, so it cannot come twice otherwise). Then forwarding
// stops (names outside the cluster get SERVFAIL, which also ends the loop) until resolv.conf
// changes, and the reason is logged.
import { randomBytes } from 'node:crypto';
import { normalizeName } from './names.js';

/** Arrivals of the probe name that are not a loop: the first, our own question. */
const loopAfter = 1;

export class LoopProbe {
  private name = '';
  private seen = 0;
  private looped = false;

  constructor(private readonly onLoop: (name: string) => void) {}

  /** A fresh probe name (upstreams changed): forwarding is allowed again until it loops. */
  next(): string {
    this.name = `${randomBytes(8).toString('hex')}.${randomBytes(8).toString('hex')}.k8ts-loop-check`;
    this.seen = 0;
    this.looped = false;
    return this.name;
  }

  /** Counts a question; true when this one must not be forwarded (it is the loop). */
  observe(qname: string): boolean {
    if (!this.name || normalizeName(qname) !== this.name) return false;
    this.seen++;
    if (this.seen > loopAfter && !this.looped) {
      this.looped = true;
      this.onLoop(this.name);
    }
    return this.looped;
  }

  /** Whether forwarding was found to loop (and is off). */
  get detected(): boolean {
    return this.looped;
  }
}
