// The agent's components that need the API server; agent.ts starts them in the background once
// the others run, so static pods do not wait for the API: node registration and heartbeats,
// pods bound to the node, and removal of pods no source wants. The pod network is
// network/pod-network.ts.
import { logger } from '../lib/log.js';
import { nothingToStop, type Component } from '../lib/components.js';
import { nodeValue, plegValue, podMachineryValue } from './agent-values.js';

const log = logger('agent');

/** Registers (or takes over) the Node, retrying until the API answers; then Lease and status loops. */
export function nodeRegistrationComponent(): Component {
  return {
    name: 'node-registration', requires: ['node', 'pods'],
    async start(ctx) {
      const node = ctx.get(nodeValue);
      await node.register(ctx.signal);
      if (ctx.signal.aborted) return nothingToStop;
      const heartbeats = node.start(ctx.signal);
      // Mirror pods for the static pods can be made now that the Node exists.
      ctx.get(podMachineryValue).sources.reconcileMirrors();
      return async () => {
        await heartbeats;
      };
    },
  };
}

/** Pods with spec.nodeName=<node>; started once synced, with the Services their env vars name. */
export function apiPodsComponent(): Component {
  return {
    // After the network when it runs, so the first API pods find the CNI config.
    name: 'api-pods', requires: ['node-registration', 'pods', 'service-watch'], after: ['network'],
    async start(ctx) {
      const { sources } = ctx.get(podMachineryValue);
      const runs = [sources.api.run(ctx.signal)];
      // (A failed start aborts ctx.signal, which ends the informers.) Static pods read too, so
      // the orphan cleanup that follows knows them.
      await Promise.all([sources.api.waitForSync(ctx.signal), sources.staticSynced()]);
      return async () => {
        await Promise.allSettled(runs);
      };
    },
  };
}

/**
 * Pods the runtime or the disk still has but no source wants: deleted while the agent was away.
 * They stop with their own grace periods, side by side, in the background: the start does not
 * wait for them.
 */
export function orphanCleanupComponent(): Component {
  return {
    name: 'orphan-cleanup', requires: ['api-pods', 'pleg', 'pods'],
    async start(ctx) {
      const pleg = ctx.get(plegValue);
      const { workers, syncer, volumes } = ctx.get(podMachineryValue);
      await pleg.relist();
      const orphans = pleg.podsInRuntime().filter((p) => !workers.has(p.uid));
      void Promise.all(orphans.map(async (p) => {
        log.info({ pod: `${p.namespace}/${p.name}`, uid: p.uid }, 'removing pod no source wants');
        await syncer.forget(p.uid, { metadata: { uid: p.uid, name: p.name, namespace: p.namespace } })
          .catch((err: unknown) => log.warn({ uid: p.uid, err: (err as Error).message }, 'orphan cleanup failed'));
      })).then(async () => {
        for (const uid of await volumes.podsOnDisk()) if (!workers.has(uid)) await volumes.tearDown(uid).catch(() => undefined);
      }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'orphan volume cleanup failed'));
      return nothingToStop;
    },
  };
}
