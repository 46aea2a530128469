// sd_notify for Type=notify units (k8ts.service, k8ts-agent.service): READY=1 once serving.
//
// The protocol is one datagram on the AF_UNIX socket in $NOTIFY_SOCKET, and Node has no unix
// datagram sockets (dgram is UDP only; net is stream only), so a native addon would be the only
// in-process way. Instead we run systemd's own `systemd-notify --ready --pid=<our pid>`: as
// root it sends the message with our pid in its SCM_CREDENTIALS, so systemd files it under the
// main process even after systemd-notify has exited (a message from an exited pid cannot be
// matched to a unit and is dropped). The units also say NotifyAccess=all, which accepts it should
// the credentials fall back to systemd-notify's own pid (not root, or another kernel policy).
import { logger } from './log.js';
import { hostExec, type Exec } from './exec.js';

const log = logger('sd-notify');

/** Tells systemd the service is ready; does nothing outside a Type=notify unit. */
export async function notifyReady(env: NodeJS.ProcessEnv = process.env, exec: Exec = hostExec, pid = process.pid): Promise<boolean> {
  if (!env.NOTIFY_SOCKET) return false;
  try {
    const r = await exec('systemd-notify', ['--ready', `--pid=${pid}`], { env, timeoutMs: 10_000 });
    if (r.code === 0) return true;
    log.warn({ code: r.code, stderr: r.stderr.trim() }, 'systemd-notify --ready failed: systemd keeps the unit "activating"');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'systemd-notify not found: install systemd, or the unit never becomes active');
  }
  return false;
}
