// Container requests and limits as cgroup settings through CRI, the way kubelet computes them
// (cpu shares from the request, CFS quota from the limit, memory limit, OOM score by QoS).
import { parseQuantity, quantityMilliValue, quantityValue } from '../../lib/quantity.js';
import type { LinuxContainerResourcesIn } from '../cri/types.js';
import type { Container } from '../kube-types.js';
import type { QOSClass } from '../../lib/pod-qos.js';

const MIN_SHARES = 2;
const MAX_SHARES = 262144;
const SHARES_PER_CPU = 1024;
const MILLI_CPU_TO_CPU = 1000;
/** CFS period kubelet uses (100 ms, in microseconds). */
export const QUOTA_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;

/** A quantity in a resource list, or undefined when absent/unparseable. */
function quantityOf(list: Record<string, string> | undefined, name: string): ReturnType<typeof parseQuantity> | undefined {
  const v = list?.[name];
  if (v === undefined) return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

export function milliCpu(list: Record<string, string> | undefined): number {
  const q = quantityOf(list, 'cpu');
  return q ? Number(quantityMilliValue(q)) : 0;
}

export function bytes(list: Record<string, string> | undefined, name: string): number {
  const q = quantityOf(list, name);
  return q ? Math.ceil(quantityValue(q)) : 0;
}

export function milliCpuToShares(milli: number): number {
  if (milli === 0) return MIN_SHARES;
  const shares = Math.floor((milli * SHARES_PER_CPU) / MILLI_CPU_TO_CPU);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** CFS quota for a cpu limit; 0 = no quota. */
export function milliCpuToQuota(milli: number, periodUs = QUOTA_PERIOD_US): number {
  if (milli === 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milli * periodUs) / MILLI_CPU_TO_CPU));
}

/** kubelet's GetContainerOOMScoreAdjust. */
export function oomScoreAdjust(qos: QOSClass, container: Container, memoryCapacity: number): number {
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const request = bytes(container.resources?.requests, 'memory');
  const adj = memoryCapacity > 0 ? 1000 - Math.floor((1000 * request) / memoryCapacity) : 1000;
  // Burstable containers always rank between Guaranteed and BestEffort ones.
  if (adj < 3) return 3;
  if (adj >= 1000) return 999;
  return adj;
}

export interface ResourceContext {
  qos: QOSClass;
  memoryCapacity: number;
  /** False where this process cannot lower oom_score_adj (no CAP_SYS_RESOURCE): never ask for less than 0. */
  canLowerOomScoreAdj: boolean;
}

export function containerResources(container: Container, ctx: ResourceContext): LinuxContainerResourcesIn {
  const requests = container.resources?.requests;
  const limits = container.resources?.limits;
  const cpuRequest = milliCpu(requests);
  const cpuLimit = milliCpu(limits);
  // A limit without a request means request = limit (the API server defaults that too).
  const shares = milliCpuToShares(cpuRequest === 0 && cpuLimit !== 0 ? cpuLimit : cpuRequest);
  const out: LinuxContainerResourcesIn = { cpu_shares: shares };
  const quota = milliCpuToQuota(cpuLimit);
  if (quota > 0) {
    out.cpu_quota = quota;
    out.cpu_period = QUOTA_PERIOD_US;
  }
  const memory = bytes(limits, 'memory');
  if (memory > 0) out.memory_limit_in_bytes = memory;
  const oom = oomScoreAdjust(ctx.qos, container, ctx.memoryCapacity);
  out.oom_score_adj = ctx.canLowerOomScoreAdj ? oom : Math.max(0, oom);
  return out;
}
