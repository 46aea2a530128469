#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --v8-pool-size=1
// The `k8ts` command: argument parsing and wiring only.
// Commands load on demand: an agent or killall never loads the API server's modules.

const usage = `k8ts - a Kubernetes-compatible cluster in TypeScript

Usage:
  k8ts server [flags]    run the API server, controllers, scheduler (and the node agent)
  k8ts agent [flags]     run a node agent (--simulated: simulated nodes for load tests, like kwok)
  k8ts killall [flags]   stop every pod and remove what they left on the host (k3s-killall.sh)
  k8ts token COMMAND     create, list or delete bootstrap tokens that join nodes
  k8ts check network     check pod-to-pod across nodes, Services and DNS from every node
  k8ts csi-nfs [flags]   run the CSI NFS driver (nfs.csi.k8s.io) on its own
  k8ts install ROLE      install as a systemd service: server, or agent --server URL --token T
  k8ts version           print the version

Run 'k8ts <command> --help' for a command's flags.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      (await import('./small-heap.js')).useSmallHeap({ lean: false });
      return (await import('./server-command.js')).runServer(rest);
    case 'agent':
      if (rest.includes('--simulated')) return (await import('./simulated-agent-command.js')).runSimulatedAgent(rest);
      // Before the agent's modules load and the heap grows (simulated nodes keep the defaults).
      (await import('./small-heap.js')).useSmallHeap();
      return (await import('./node-agent-command.js')).runNodeAgent(rest);
    case 'killall':
      return (await import('./killall-command.js')).runKillall(rest);
    case 'install':
      return (await import('./install/install-command.js')).runInstall(rest);
    case 'token':
      return (await import('./token-command.js')).runToken(rest);
    case 'check':
      return (await import('./check-command.js')).runCheck(rest);
    case 'csi-nfs':
      return (await import('./csi-nfs-command.js')).runCsiNfs(rest);
    case 'version': {
      const { serverVersion } = await import('../lib/version.js');
      process.stdout.write(`${serverVersion().gitVersion}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${usage}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    // Open servers and databases would keep a failed start alive: exit now.
    process.exit(1);
  },
);
