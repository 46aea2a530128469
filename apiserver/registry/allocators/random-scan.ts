// Picks a free slot of a range as Kubernetes' service allocators do (ServiceIPStaticSubrange,
// ServiceNodePortStaticSubrange): random picks come from the upper part of the range first,
// and the lower `offset` slots are taken only once the upper part is full. Users who set a
// cluster IP or node port by hand pick from the lower band, where nothing random lands
// while there is room elsewhere.

/** The size of the lower band: min(max(floor, size / divisor), ceiling), none for tiny ranges. */
export function staticBandSize(size: number, band: { floor: number; ceiling: number; divisor: number }): number {
  if (size <= band.floor) return 0;
  return Math.min(Math.max(band.floor, Math.floor(size / band.divisor)), band.ceiling);
}

/** Node ports: min(max(16, size/32), 128); 86 ports (30000-30085) of the default range. */
export const nodePortBand = { floor: 16, ceiling: 128, divisor: 32 };
/** Cluster IPs: min(max(16, cidr size/16), 256); the first 256 addresses of a /16. */
export const clusterIPBand = { floor: 16, ceiling: 256, divisor: 16 };

/**
 * A free value of first..first+size-1 for a random allocation (the first `band` values are
 * the static band), or undefined when every one is in `used`.
 */
export function randomFree(first: number, size: number, band: number, used: ReadonlySet<number>): number | undefined {
  const scan = (from: number, count: number): number | undefined => {
    const start = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      const value = from + ((start + i) % count);
      if (!used.has(value)) return value;
    }
    return undefined;
  };
  const low = Math.min(band, size);
  return scan(first + low, size - low) ?? scan(first, low);
}
