// Scrapes every node's /metrics/resource on its kubelet port each resolution (15 s by default),
// as metrics-server does, and keeps the points in MetricsStorage. Nodes are scraped in parallel
// with a timeout; a node that fails is dropped from storage until it answers again.
import { Agent, request } from 'node:https';
import { logger } from '../../lib/log.js';
import { parseExposition } from '../../lib/prom-text.js';
import type { KubeletConnector } from '../registry/connect/kubelet-connection.js';
import { batchFromSamples } from './resource-batch.js';
import type { MetricsStorage } from './metrics-storage.js';

const log = logger('metrics-scraper');

export interface ScraperOptions {
  storage: MetricsStorage;
  kubelet: KubeletConnector;
  /** Names of the nodes to scrape, read each round. */
  nodeNames(): string[];
  resolutionMs: number;
  /** Per node request timeout (metrics-server's --kubelet-request-timeout, 10 s). */
  timeoutMs?: number;
}

/**
 * GETs a path on a node's agent with the API server's client certificate. `agent` keeps TLS
 * sessions between scrapes, so a node's next handshake resumes instead of starting over.
 */
export function fetchFromNode(kubelet: KubeletConnector, node: string, path: string, timeoutMs: number, agent?: Agent): Promise<string> {
  const { url, tls } = kubelet.target(node, path);
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, agent, method: 'GET', timeout: timeoutMs, headers: { accept: 'text/plain' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`request failed, status: ${res.statusCode}: ${body.slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export class ResourceScraper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Scrape rounds and failed node scrapes, for the server's own metrics and tests. */
  rounds = 0;
  failures = 0;
  /** Nodes whose last scrape failed: a failure is logged once, when a node starts failing. */
  private readonly failing = new Set<string>();
  private readonly agent = new Agent({ keepAlive: false, maxCachedSessions: 10_000 });

  constructor(private readonly opts: ScraperOptions) {}

  start(): void {
    const tick = () => {
      this.running = this.scrapeAll().finally(() => {
        this.running = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.opts.resolutionMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.agent.destroy();
  }

  async scrapeAll(): Promise<void> {
    const names = this.opts.nodeNames();
    for (const gone of this.opts.storage.nodeNames()) if (!names.includes(gone)) this.opts.storage.drop(gone);
    for (const gone of this.failing) if (!names.includes(gone)) this.failing.delete(gone);
    await Promise.all(names.map((n) => this.scrapeNode(n)));
    this.rounds++;
  }

  private async scrapeNode(node: string): Promise<void> {
    const started = Date.now();
    try {
      const text = await fetchFromNode(this.opts.kubelet, node, '/metrics/resource', this.opts.timeoutMs ?? Math.min(10_000, this.opts.resolutionMs), this.agent);
      this.opts.storage.store(node, batchFromSamples(parseExposition(text), started));
      if (this.failing.delete(node)) log.info({ node }, 'scraping node again');
    } catch (err) {
      this.failures++;
      this.opts.storage.drop(node);
      const first = !this.failing.has(node);
      this.failing.add(node);
      log[first ? 'warn' : 'debug']({ node, err: (err as Error).message }, 'failed to scrape node');
    }
  }
}
