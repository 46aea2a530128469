// What a request carries into the registry: who asks, and how the write should be treated.
import type { KubeObject } from '../api/object.js';
import type { ResourceDef } from '../api/resource.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  namespace: string;
  /** dryRun=All: run every step but the write. */
  dryRun: boolean;
  /** The field manager named by the request (SSA and managedFields). */
  fieldManager?: string;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  def: ResourceDef;
  subresource?: string;
  namespace: string;
  name: string;
  /** The object being written (mutable for mutating plugins). */
  object?: KubeObject;
  oldObject?: KubeObject;
  ctx: RequestContext;
}

/**
 * The admission chain, in Kubernetes' two phases: mutating plugins run before the strategy
 * prepares and validates the object, validating plugins after. A rejection throws a StatusError.
 */
export interface Admission {
  mutate(attrs: AdmissionAttributes): Promise<void>;
  validate(attrs: AdmissionAttributes): Promise<void>;
}

export const noAdmission: Admission = { mutate: async () => {}, validate: async () => {} };

/** The identity controllers and the server itself act as. */
export const systemUser: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };
