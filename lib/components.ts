// Components, and the one runner that starts them. `k8ts server` and `k8ts agent` are each a
// list of components; none of them hand-orders its start or its cleanups:
//
// - a component has a name, the names of the components it requires, and start(ctx), which
//   returns its stop;
// - `requires` names components, never loose capabilities: what a component hands to others is
//   a value under its own name (`provides<T>(name)`), so "who provides X" is always one place;
// - the runner starts them in dependency order (list order among independent ones) and stops
//   them in reverse; a failed start stops those already started, in reverse, and rethrows.
//
// Disabling (`--disable NAME`, as k3s' `--disable traefik`) is allowed only for components
// marked optional. A component that requires a disabled one is not disabled along with it: the
// plan fails at once, naming both. Turning off more than the user named would be a surprise
// found later in a half-working cluster; `after` is how a component says "start after that one
// when it runs, and I can do without it".
import { setMaxListeners } from 'node:events';
import { logger } from './log.js';

const log = logger('components');

/** What start() returns: undoes the start. Runs after the runner's signal aborted. */
export type Stop = () => Promise<void> | void;

/** The stop of a component with nothing to undo. */
export const nothingToStop: Stop = () => {};

/** A typed handle on the value the component called `component` provides. */
export interface Provided<T> {
  readonly component: string;
  /** Never set: it only carries T (a function type, so T is checked both ways). */
  readonly valueType?: (value: T) => T;
}

export function provides<T>(component: string): Provided<T> {
  return { component };
}

export interface ComponentContext {
  /** Aborted when the runner stops (before the stops run), so loops and waits end. */
  readonly signal: AbortSignal;
  /** The value a required component provided (it is a bug to ask for one not in `requires`). */
  get<T>(what: Provided<T>): T;
  /** Hands `value` to the components that require this one (only under its own name). */
  provide<T>(what: Provided<T>, value: T): void;
}

export interface Component {
  readonly name: string;
  /** Components that must have started first; ctx.get reads only these. */
  readonly requires: readonly string[];
  /** Components to start after when they run (disabled or absent is fine). */
  readonly after?: readonly string[];
  /** Whether `--disable` may turn it off. */
  readonly optional?: boolean;
  start(ctx: ComponentContext): Promise<Stop>;
}

/** The names `--disable` accepts among `components`. */
export function disableableNames(components: readonly Component[]): string[] {
  return components.filter((c) => c.optional).map((c) => c.name);
}

/** Splits `--disable a,b --disable c` into names, checked against `disableable`. */
export function parseDisable(values: readonly string[], disableable: readonly string[]): string[] {
  const names = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!disableable.includes(name)) {
      throw new Error(`"${name}" is not in the list of components that can be disabled: ${[...disableable].sort().join(', ')}`);
    }
  }
  return [...new Set(names)];
}

/**
 * The components to start, in order: those not disabled, each after what it requires and what
 * it starts `after`. `running` names components already up (another runner's) that may be
 * required. Throws on a bad disable, a missing requirement or a cycle, before anything starts.
 */
export function planComponents(components: readonly Component[], disabled: readonly string[] = [], running: readonly string[] = []): Component[] {
  const byName = new Map<string, Component>();
  for (const c of components) {
    if (byName.has(c.name)) throw new Error(`two components are named "${c.name}"`);
    byName.set(c.name, c);
  }
  parseDisable(disabled, disableableNames(components));
  const enabled = components.filter((c) => !disabled.includes(c.name));
  for (const c of enabled) {
    for (const r of c.requires) {
      if (disabled.includes(r)) throw new Error(`"${r}" cannot be disabled: "${c.name}" requires it`);
      if (!byName.has(r) && !running.includes(r)) throw new Error(`"${c.name}" requires "${r}", which is not a component`);
    }
  }
  // Depth-first, in list order: a component comes after everything it waits for.
  const order: Component[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: Component, path: string[]): void => {
    if (state.get(c.name) === 'done') return;
    if (state.get(c.name) === 'visiting') throw new Error(`components require each other in a cycle: ${[...path.slice(path.indexOf(c.name)), c.name].join(' -> ')}`);
    state.set(c.name, 'visiting');
    for (const dep of [...c.requires, ...(c.after ?? [])]) {
      const d = byName.get(dep);
      if (d && !disabled.includes(dep)) visit(d, [...path, c.name]);
    }
    state.set(c.name, 'done');
    order.push(c);
  };
  for (const c of enabled) visit(c, []);
  return order;
}

export interface RunningComponents {
  /** Names of the components started, in start order (with those of the parent first). */
  readonly names: readonly string[];
  get<T>(what: Provided<T>): T;
  /** Aborts the signal, then stops every component in reverse; later calls wait for the first. */
  stop(): Promise<void>;
}

export interface StartOptions {
  disabled?: readonly string[];
  /** Components already running that these may require (the agent's API phase extends its first). */
  parent?: RunningComponents;
  /** Aborting it stops a start in progress (the runner's own signal follows it). */
  signal?: AbortSignal;
}

/**
 * Starts `components` in order. If one fails, or `signal` aborts meanwhile, those started are
 * stopped in reverse and the start rejects. A failing stop is logged and the rest still stop.
 */
export async function startComponents(components: readonly Component[], opts: StartOptions = {}): Promise<RunningComponents> {
  const parent = opts.parent;
  const order = planComponents(components, opts.disabled, parent?.names);
  const aborter = new AbortController();
  // Every component's loops, timers and informers listen for this one signal.
  setMaxListeners(64, aborter.signal);
  const onAbort = () => aborter.abort();
  if (opts.signal?.aborted) aborter.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const values = new Map<string, unknown>();
  const started: Array<{ name: string; stop: Stop }> = [];

  const get = <T>(what: Provided<T>): T => {
    if (values.has(what.component)) return values.get(what.component) as T;
    if (parent?.names.includes(what.component)) return parent.get(what);
    throw new Error(`component "${what.component}" provided no value`);
  };
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      opts.signal?.removeEventListener('abort', onAbort);
      aborter.abort();
      for (const { name, stop } of started.reverse()) {
        try {
          await stop();
        } catch (err) {
          log.warn({ component: name, err: (err as Error).message }, 'stop failed');
        }
      }
    })();
    return stopping;
  };

  for (const c of order) {
    if (aborter.signal.aborted) break;
    const ctx: ComponentContext = {
      signal: aborter.signal,
      get: (what) => {
        if (!c.requires.includes(what.component)) throw new Error(`component "${c.name}" reads "${what.component}" without requiring it`);
        return get(what);
      },
      provide: (what, value) => {
        if (what.component !== c.name) throw new Error(`component "${c.name}" cannot provide "${what.component}"`);
        values.set(c.name, value);
      },
    };
    try {
      started.push({ name: c.name, stop: await c.start(ctx) });
      log.debug({ component: c.name }, 'started');
    } catch (err) {
      await stopAll();
      throw err;
    }
  }
  if (aborter.signal.aborted) {
    await stopAll();
    throw new StartAborted();
  }
  const own = started.map((s) => s.name);
  log.info({ started: own, disabled: opts.disabled ?? [] }, 'components started');
  return { names: [...(parent?.names ?? []), ...own], get, stop: stopAll };
}

/** The start ended because its signal aborted (a stop during start: not a failure). */
export class StartAborted extends Error {
  readonly code = 'StartAborted';
  constructor() {
    super('stopped while starting');
  }
}
