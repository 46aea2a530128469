// The composition root of storage: LevelDB engine under the in-memory revision store.
import { LevelEngine } from './level-engine.js';
import { RevisionStore, defaultHistory, type HistoryLimits } from './revision-store.js';

export async function openStore(dir: string, limits: HistoryLimits = defaultHistory): Promise<RevisionStore> {
  const { engine, state } = await LevelEngine.open(dir);
  return new RevisionStore(engine, state, limits);
}
