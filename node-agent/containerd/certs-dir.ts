// Applies rendered hosts.toml files to the certs.d dir: writes ours, removes the ones we
// wrote earlier that are no longer configured, leaves hand-made directories alone.
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { logger } from '../../lib/log.js';
import { HOSTS_TOML_HEADER } from './registries.js';

const log = logger('containerd-registries');

export async function writeHostsDir(certsDir: string, files: ReadonlyMap<string, string>): Promise<void> {
  const existing = await readdir(certsDir, { withFileTypes: true }).catch(() => []);
  for (const ent of existing) {
    if (!ent.isDirectory() || files.has(ent.name)) continue;
    const hostsFile = join(certsDir, ent.name, 'hosts.toml');
    const text = await readFile(hostsFile, 'utf8').catch(() => '');
    if (text.startsWith(HOSTS_TOML_HEADER)) {
      await rm(join(certsDir, ent.name), { recursive: true, force: true });
      log.info({ registry: ent.name }, 'removed stale hosts.toml');
    }
  }
  for (const [dir, text] of files) {
    await writeFileAtomic(join(certsDir, dir, 'hosts.toml'), text, 0o600);
    log.info({ registry: dir }, 'wrote hosts.toml');
  }
}
