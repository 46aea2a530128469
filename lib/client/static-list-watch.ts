import type { ListWatch } from './informer.js';
import type { WatchEvent } from './types.js';

/**
 * A ListWatch over objects held in memory, for tests and benchmarks that drive an informer
 * without a server: it lists `items` once, then delivers what `emit` sends until aborted.
 */
export function staticListWatch<T>(items: T[]): { lw: ListWatch<T>; emit: (ev: WatchEvent<T>) => void } {
  let onEvent: ((ev: WatchEvent<T>) => void) | undefined;
  return {
    lw: {
      list: async () => ({ metadata: { resourceVersion: '1' }, items }),
      watch: (_rv, signal, cb) => {
        onEvent = cb;
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    },
    emit: (ev) => onEvent?.(ev),
  };
}
