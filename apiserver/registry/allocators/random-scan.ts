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

/** A free slot in [0, size) for a random allocation, or undefined when all are taken. */
export function randomFreeSlot(size: number, offset: number, used: (slot: number) => boolean): number | undefined {
  const scan = (from: number, count: number): number | undefined => {
    const start = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      const slot = from + ((start + i) % count);
      if (!used(slot)) return slot;
    }
    return undefined;
  };
  const band = Math.min(offset, size);
  return scan(band, size - band) ?? scan(0, band);
}
