// The CSI drivers registered on this node (kubelet's csiDrivers store): name → client, node ID
// and node capabilities. Filled by the plugin watcher, read by the CSI volume plugin.
import { CsiClient } from '../../csi/client.js';
import type { NodeCapabilityName } from '../../csi/types.js';

export interface RegisteredDriver {
  name: string;
  endpoint: string;
  nodeId: string;
  client: CsiClient;
  nodeCapabilities: NodeCapabilityName[];
  /** The registration socket it came through (its removal deregisters). */
  registrationSocket: string;
}

export class DriverNotFound extends Error {
  constructor(driver: string) {
    super(`driver name ${driver} not found in the list of registered CSI drivers`);
  }
}

export class CsiDrivers {
  private readonly drivers = new Map<string, RegisteredDriver>();

  get(name: string): RegisteredDriver {
    const d = this.drivers.get(name);
    if (!d) throw new DriverNotFound(name);
    return d;
  }

  has(name: string): boolean {
    return this.drivers.has(name);
  }

  /** Adds or replaces (a re-registration on a new socket); the replaced client is closed. */
  set(d: RegisteredDriver): void {
    const old = this.drivers.get(d.name);
    if (old && old.client !== d.client) old.client.close();
    this.drivers.set(d.name, d);
  }

  /** Removes the driver registered through `socket`, if any, and returns it. */
  removeBySocket(socket: string): RegisteredDriver | undefined {
    for (const d of this.drivers.values()) {
      if (d.registrationSocket !== socket) continue;
      this.drivers.delete(d.name);
      d.client.close();
      return d;
    }
    return undefined;
  }

  sockets(): string[] {
    return [...this.drivers.values()].map((d) => d.registrationSocket);
  }

  closeAll(): void {
    for (const d of this.drivers.values()) d.client.close();
    this.drivers.clear();
  }
}
