// The options of pods/log, pods/exec, pods/attach and pods/portforward as the API reads them
// from the query, checked as Kubernetes checks them, and the agent query each becomes. Pure.
import { badRequest, invalid } from '../../api/errors.js';
import { forbiddenField, invalidValue, path, type FieldError } from '../../api/field-errors.js';
import { queryFlag } from '../../../lib/parse-bool.js';

/** follow, stdin, tty...: as every option, "0" and "false" are false, anything else true. */
const bool = queryFlag;

function int(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

export interface PodLogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  /** RFC 3339, whole seconds. */
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
  /** Do not verify the agent's serving certificate (for agents with broken certificates). */
  insecureSkipTLSVerifyBackend: boolean;
}

/** Reads and validates PodLogOptions; throws the 400/422 Kubernetes sends. */
export function podLogOptions(q: URLSearchParams, podName: string): PodLogOptions {
  const o: PodLogOptions = {
    container: q.get('container') ?? '', follow: bool(q, 'follow'), previous: bool(q, 'previous'), timestamps: bool(q, 'timestamps'),
    insecureSkipTLSVerifyBackend: bool(q, 'insecureSkipTLSVerifyBackend'),
  };
  const sinceSeconds = int(q, 'sinceSeconds');
  const tailLines = int(q, 'tailLines');
  const limitBytes = int(q, 'limitBytes');
  if (sinceSeconds !== undefined) o.sinceSeconds = sinceSeconds;
  if (tailLines !== undefined) o.tailLines = tailLines;
  if (limitBytes !== undefined) o.limitBytes = limitBytes;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(sinceTime)) {
      throw badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`);
    }
    o.sinceTime = new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(invalidValue(path('tailLines'), o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(invalidValue(path('limitBytes'), o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push(forbiddenField(path(''), 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    errs.push(invalidValue(path('sinceSeconds'), o.sinceSeconds, 'must be greater than 0'));
  }
  if (errs.length) throw invalid({ group: '', kind: 'PodLogOptions' }, podName, errs);
  return o;
}

/** The agent's /containerLogs query for these options. */
export function containerLogsQuery(o: PodLogOptions): string {
  const p = new URLSearchParams();
  if (o.follow) p.set('follow', 'true');
  if (o.limitBytes !== undefined) p.set('limitBytes', String(o.limitBytes));
  if (o.previous) p.set('previous', 'true');
  if (o.sinceSeconds !== undefined) p.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) p.set('sinceTime', o.sinceTime);
  if (o.tailLines !== undefined) p.set('tailLines', String(o.tailLines));
  if (o.timestamps) p.set('timestamps', 'true');
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** PodExecOptions / PodAttachOptions: which streams, and the command for exec. */
export interface PodStreamOptions {
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  command: string[];
}

export function podStreamOptions(q: URLSearchParams): PodStreamOptions {
  return {
    container: q.get('container') ?? '', stdin: bool(q, 'stdin'), stdout: bool(q, 'stdout'), stderr: bool(q, 'stderr'),
    tty: bool(q, 'tty'), command: q.getAll('command'),
  };
}

/** The agent's /exec or /attach query (the kubelet's input/output/error/tty names). */
export function streamQuery(o: PodStreamOptions, withCommand: boolean): string {
  const p = new URLSearchParams();
  if (withCommand) for (const c of o.command) p.append('command', c);
  if (o.stderr) p.set('error', '1');
  if (o.stdin) p.set('input', '1');
  if (o.stdout) p.set('output', '1');
  if (o.tty) p.set('tty', '1');
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** PodPortForwardOptions' ports as the agent's `port` query. */
export function portForwardQuery(q: URLSearchParams): string {
  const ports = q.getAll('ports').flatMap((p) => p.split(',')).filter(Boolean);
  for (const p of ports) if (!/^\d+$/.test(p)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: invalid syntax`);
  return ports.length ? `?port=${ports.join(',')}` : '';
}
