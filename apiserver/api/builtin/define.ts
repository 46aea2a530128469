// The defaults every built-in kind shares, so each kind states only what is special about it.
import { defineResource, type ResourceDef, type ResourceInput } from '../resource.js';
import { defaultTable } from '../table.js';
import { isDNS1123Subdomain } from '../validation/names.js';

export function builtin(input: ResourceInput): ResourceDef {
  return defineResource(input, { table: defaultTable, nameValidator: isDNS1123Subdomain });
}

export const createOnly = ['create'];
export const readOnly = ['get', 'list'];
export const noCollectionDelete = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
