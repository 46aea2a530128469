// The status conditions the namespace controller keeps on a Terminating namespace, with
// Kubernetes' types, reasons and messages: what failed (discovery, deletion) and what remains
// (objects, finalizers). Conditions not in trouble read as their "ok" form.
import { rfc3339, type Namespace } from '../../lib/client/types.js';

type NamespaceCondition = NonNullable<NonNullable<Namespace['status']>['conditions']>[number];

const conditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const ok: Record<(typeof conditionTypes)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one pass over a namespace's content found. */
export interface DeletionOutcome {
  /** Group versions discovery could not read ("metrics.k8s.io/v1beta1" -> error). */
  discoveryFailures: Map<string, string>;
  deleteErrors: string[];
  /** "pods." or "widgets.example.com" -> objects left. */
  remaining: Map<string, number>;
  /** finalizer -> objects still carrying it. */
  finalizers: Map<string, number>;
}

/** The conditions a pass produces, in Kubernetes' order, keeping transition times that did not change. */
export function namespaceConditions(current: readonly NamespaceCondition[] | undefined, outcome: DeletionOutcome, now: number): NamespaceCondition[] {
  const fresh = new Map<string, { status: string; reason: string; message: string }>();
  if (outcome.discoveryFailures.size) {
    const parts = [...outcome.discoveryFailures].sort().map(([gv, err]) => `${gv}: ${err}`);
    fresh.set('NamespaceDeletionDiscoveryFailure', {
      status: 'True', reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${outcome.discoveryFailures.size} failing: unable to retrieve the complete list of server APIs: ${parts.join(', ')}`,
    });
  }
  if (outcome.deleteErrors.length) {
    const joined = outcome.deleteErrors.length === 1 ? outcome.deleteErrors[0] : `[${outcome.deleteErrors.join(', ')}]`;
    fresh.set('NamespaceDeletionContentFailure', {
      status: 'True', reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${outcome.deleteErrors.length} remaining: ${joined}`,
    });
  }
  const remaining = [...outcome.remaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
  if (remaining.length) {
    fresh.set('NamespaceContentRemaining', { status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.join(', ')}` });
  }
  const finalizers = [...outcome.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (finalizers.length) {
    fresh.set('NamespaceFinalizersRemaining', {
      status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
    });
  }
  const ts = rfc3339(now);
  return conditionTypes.map((type) => {
    const want = fresh.get(type) ?? { status: 'False', ...ok[type] };
    const cur = current?.find((c) => c.type === type);
    const same = cur && cur.status === want.status && cur.reason === want.reason && cur.message === want.message;
    return { type, ...want, lastTransitionTime: same ? cur.lastTransitionTime : ts };
  });
}

/** "pods." for the core group, "widgets.example.com" otherwise, as the conditions name resources. */
export function groupResourceName(group: string, resource: string): string {
  return `${resource}.${group}`;
}
