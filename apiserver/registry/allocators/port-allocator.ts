// Allocates NodePorts from a range (default 30000-32767).

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

  allocateNext(): number | undefined {
    const span = this.max - this.min + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = this.min + ((start + i) % span);
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
  }
}
