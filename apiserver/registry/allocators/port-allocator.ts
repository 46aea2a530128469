// Allocates NodePorts from a range (default 30000-32767).
import { nodePortBand, randomFree, staticBandSize } from './random-scan.js';

export class PortAllocator {
  private readonly used = new Set<number>();

  constructor(readonly min: number, readonly max: number) {}

  contains(port: number): boolean {
    return port >= this.min && port <= this.max;
  }

  has(port: number): boolean {
    return this.used.has(port);
  }

  allocate(port: number): boolean {
    if (this.used.has(port)) return false;
    this.used.add(port);
    return true;
  }

  /** Reserves a free port, above the static band while there is room there. */
  allocateNext(): number | undefined {
    const span = this.max - this.min + 1;
    const port = randomFree(this.min, span, staticBandSize(span, nodePortBand), this.used);
    if (port !== undefined) this.used.add(port);
    return port;
  }

  release(port: number): void {
    this.used.delete(port);
  }
}
