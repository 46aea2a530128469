// What the server and the agents agree on about k8ts' built-in Ingress controller: its
// IngressClass, the annotations it reads, the node label that says a node serves Ingresses, and
// which Ingresses are its own (one function, so the admission plugin, the node authorizer, the
// status writer and the agents never disagree on it).
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { Wire } from './client/types.js';

export type Ingress = Wire<V1Ingress>;
export type IngressClass = Wire<V1IngressClass>;

/** The IngressClass the server creates at start. */
export const k8tsIngressClass = 'k8ts';
/** Its spec.controller: what the agents serve. */
export const k8tsIngressController = 'k8ts.io/ingress';
/** Marks the cluster's default class (DefaultIngressClass admission fills it in). */
export const defaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';
/** The class as Ingresses named it before spec.ingressClassName (1.18); still honoured. */
export const legacyClassAnnotation = 'kubernetes.io/ingress.class';
/** Per Ingress: "true" answers plain HTTP with a 308 to HTTPS. */
export const sslRedirectAnnotation = 'ingress.k8ts.io/ssl-redirect';
/** Set to "true" on a Node by its agent while it serves Ingresses; its IPs go into their status. */
export const ingressNodeLabel = 'k8ts.io/ingress';

/**
 * The cluster's default IngressClass, as the DefaultIngressClass admission plugin picks it: of
 * those annotated default, the newest (ties: the first name).
 */
export function defaultIngressClass<C extends IngressClass>(classes: readonly C[]): C | undefined {
  const defaults = classes.filter((c) => c.metadata?.annotations?.[defaultClassAnnotation] === 'true');
  const created = (c: C) => Date.parse(c.metadata?.creationTimestamp ?? '') || 0;
  defaults.sort((a, b) => created(b) - created(a) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  return defaults[0];
}

/** The class an Ingress names: spec.ingressClassName, else the legacy annotation. */
export function ingressClassOf(ing: Ingress): string | undefined {
  return ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[legacyClassAnnotation] ?? undefined;
}

/**
 * Whether `controller` serves this Ingress: its class has that controller, or it names no class
 * and the default class has it. A class that does not exist is nobody's.
 */
export function isServedBy(ing: Ingress, classes: readonly IngressClass[], controller = k8tsIngressController): boolean {
  const name = ingressClassOf(ing);
  const cls = name === undefined ? defaultIngressClass(classes) : classes.find((c) => c.metadata?.name === name);
  return cls?.spec?.controller === controller;
}

/** The Secrets an Ingress's tls section names. */
export function tlsSecretNames(ing: Ingress): string[] {
  return (ing.spec?.tls ?? []).map((t) => t.secretName).filter((n): n is string => !!n);
}
