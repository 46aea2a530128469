// Node selection from a pod's spec: nodeSelector and node affinity terms, compiled into
// predicates over a Node (labels, and metadata.name for matchFields).
import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from '../../lib/client/types.js';
import { selectorOf, type Operator, type Requirement } from '../api/selectors/labels.js';

const operators: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

function requirementsOf(exprs: readonly NodeSelectorRequirement[] | undefined): Requirement[] | undefined {
  const out: Requirement[] = [];
  for (const e of exprs ?? []) {
    const op = operators[e.operator];
    // An unknown operator matches nothing, as Kubernetes treats an invalid term.
    if (!op) return undefined;
    out.push({ key: e.key, op, values: [...(e.values ?? [])] });
  }
  return out;
}

/** A node selector term: its matchExpressions (labels) and matchFields (metadata.name), ANDed. Empty matches nothing. */
export function compileTerm(term: NodeSelectorTerm): (node: Node) => boolean {
  const labels = requirementsOf(term.matchExpressions);
  const fields = requirementsOf(term.matchFields);
  if (!labels || !fields || labels.length + fields.length === 0) return () => false;
  const labelSel = selectorOf(labels);
  const fieldSel = selectorOf(fields);
  return (node) => labelSel.matches(node.metadata?.labels ?? {}) && (fields.length === 0 || fieldSel.matches({ 'metadata.name': node.metadata?.name ?? '' }));
}

/** nodeSelector and required node affinity (terms ORed), as one predicate. */
export function compileRequiredNodeSelection(nodeSelector: Record<string, string> | undefined, terms: readonly NodeSelectorTerm[] | undefined): (node: Node) => boolean {
  const sel = nodeSelector && Object.keys(nodeSelector).length
    ? selectorOf(Object.entries(nodeSelector).map(([key, v]) => ({ key, op: '=' as const, values: [v] })))
    : undefined;
  const compiled = terms?.map(compileTerm);
  if (!sel && !compiled) return () => true;
  return (node) => (!sel || sel.matches(node.metadata?.labels ?? {})) && (!compiled || compiled.some((m) => m(node)));
}
