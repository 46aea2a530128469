// ImageLocality: prefer nodes that already hold the pod's images (sizes from node.status.images),
// discounted for images that are on only a few nodes, as kube-scheduler scores it.
import { normalizeImage } from '../../../lib/image-name.js';
import type { NodeView } from '../types.js';
import { maxNodeScore, type Plugin } from './plugin.js';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

interface State {
  /** image -> how many nodes have it */
  spread: Map<string, number>;
  total: number;
  images: string[];
}

export const imageLocality: Plugin = {
  name: 'ImageLocality',
  weight: 1,
  preScore(pod, _feasible, cluster): State | undefined {
    const images = pod.images.map(normalizeImage);
    if (!cluster.nodes.some((n) => n.images.size > 0)) return undefined;
    const spread = new Map<string, number>();
    for (const img of images) spread.set(img, cluster.nodes.filter((n) => n.images.has(img)).length);
    return { spread, total: cluster.nodes.length, images };
  },
  score(_pod, node: NodeView, raw) {
    const s = raw as State | undefined;
    if (!s) return 0;
    let sum = 0;
    for (const img of s.images) {
      const size = node.images.get(img);
      if (size !== undefined) sum += Math.trunc(size * ((s.spread.get(img) ?? 0) / s.total));
    }
    const max = maxContainerThreshold * Math.max(1, s.images.length);
    const clamped = Math.min(Math.max(sum, minThreshold), max);
    return Math.trunc((maxNodeScore * (clamped - minThreshold)) / (max - minThreshold));
  },
};
