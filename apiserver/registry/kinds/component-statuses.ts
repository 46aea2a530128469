// componentstatuses: computed on each request. The control plane runs in this process, so the
// scheduler, the controller manager and storage are healthy whenever the API answers.
import { unexpectedError } from '../../api/errors.js';
import { healthyComponent } from '../../api/kinds/component-status.js';
import type { ApiContext } from '../api-context.js';

const components = ['scheduler', 'controller-manager', 'etcd-0'];

export function componentStatusExtensions(api: ApiContext): void {
  api.extend('', 'componentstatuses', {
    read: {
      async get(_req, name) {
        if (!components.includes(name)) throw unexpectedError(`Component not found: ${name}`);
        return healthyComponent(name);
      },
      async list() {
        return components.map(healthyComponent);
      },
    },
  });
}
