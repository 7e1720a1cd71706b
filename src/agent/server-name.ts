// The TLS server name of a netscope agent: what it puts in Peer.Notify and GetNodes and
// what its certificate must carry, so what a jump host (or Hubble Relay) verifies.
// Cilium's convention, `<node>.<cluster>.hubble-grpc.cilium.io`, unless the agent was
// given --tls-server-name. Pure.

export const DEFAULT_CLUSTER_NAME = 'default';

/** Cilium's convention for an agent's TLS server name (dots in the node name become `-`). */
export function hubbleServerName(node: string, cluster: string = DEFAULT_CLUSTER_NAME): string {
  return `${node.replace(/\./g, '-')}.${cluster}.hubble-grpc.cilium.io`;
}

/** The value of `--flag V` or `--flag=V` in a command line; the last one wins, as in the agent's parser. */
function flagIn(args: readonly string[], flag: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag && i + 1 < args.length) v = args[++i];
    else if (a.startsWith(`${flag}=`)) v = a.slice(flag.length + 1);
  }
  return v;
}

/**
 * The server name an agent started with this command line (its container's command and
 * args, as the DaemonSet gives them) serves on `node`, or undefined when it serves no
 * TLS. `$(NODE_NAME)` (the manifests' downward-API variable) stands for the pod's node,
 * which is also the agent's name when --node-name is not given (its default is $NODE_NAME).
 */
export function agentServerName(args: readonly string[], node: string): string | undefined {
  if (flagIn(args, '--tls-cert-file') === undefined) return undefined;
  const expand = (v: string): string => v.replaceAll('$(NODE_NAME)', node);
  const explicit = flagIn(args, '--tls-server-name');
  if (explicit !== undefined && explicit !== '') return expand(explicit);
  const name = expand(flagIn(args, '--node-name') ?? node);
  return hubbleServerName(name, expand(flagIn(args, '--cluster-name') ?? DEFAULT_CLUSTER_NAME));
}
