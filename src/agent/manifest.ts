// The node agent's Kubernetes manifests, as values and as YAML: Namespace,
// ServiceAccount, read-only ClusterRole + binding, the DaemonSet, and (with TLS) the
// peer Service Hubble Relay reads. Pure: options in, objects / text out. The reasons
// for each privilege travel as YAML comments, so whoever applies the file can see why.
import { Document, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { V1ClusterRole, V1ClusterRoleBinding, V1DaemonSet, V1Namespace, V1Service, V1ServiceAccount } from '@kubernetes/client-node';

export const DEFAULT_NAMESPACE = 'netscope';
export const AGENT_NAME = 'netscope-agent';
/** Named like Cilium's, so a relay needs only its namespace changed (`--peer-service`). */
export const PEER_SERVICE_NAME = 'hubble-peer';
/** The labels on every agent pod; discovery lists pods by exactly these. */
export const AGENT_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'netscope',
  'app.kubernetes.io/component': 'agent',
};
/** `key=value,...` for a list/watch of the agent pods. */
export const AGENT_LABEL_SELECTOR = Object.entries(AGENT_LABELS)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

/** Observer and Peer, on the port Cilium's agents serve Hubble on. */
export const OBSERVER_PORT = 4244;
/** Plain-HTTP `/healthz` for the kubelet's probes (the port Cilium's agent answers /healthz on). */
export const HEALTH_PORT = 9879;
export const HEALTH_PATH = '/healthz';
/** Where the binary sits in the image (deploy/Dockerfile copies dist/netscope here). */
export const BINARY_PATH = '/usr/local/bin/netscope';
export const TLS_DIR = '/var/lib/netscope/tls';
/** The DaemonSet's container; discovery reads its command line for the TLS server name. */
export const AGENT_CONTAINER = 'agent';

export interface ManifestOptions {
  namespace: string;
  image: string;
  /** A kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt, like `hubble-server-certs`. */
  tlsSecret?: string;
  /** RuntimeDefault unless the node's runtime profile refuses bpf() to CAP_BPF holders. */
  seccomp: 'RuntimeDefault' | 'Unconfined';
}

export interface Manifest {
  kind: string;
  object: object;
  /** Comments keyed by the path of the node they explain (YAML path segments). */
  comments: { path: (string | number)[]; text: string }[];
}

const labels = (extra: Record<string, string> = {}): Record<string, string> => ({ ...AGENT_LABELS, ...extra });

function namespace(o: ManifestOptions): Manifest {
  const object: V1Namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: o.namespace,
      labels: {
        ...labels(),
        // Pod Security "baseline" forbids hostPath volumes and the BPF/PERFMON/NET_ADMIN
        // capabilities, so the agent's namespace has to admit them; the pod itself is not
        // privileged (see its securityContext).
        'pod-security.kubernetes.io/enforce': 'privileged',
      },
    },
  };
  return {
    kind: 'Namespace',
    object,
    comments: [
      {
        path: ['metadata', 'labels', 'pod-security.kubernetes.io/enforce'],
        text: ' hostPath mounts and BPF/PERFMON/NET_ADMIN are outside Pod Security "baseline"; the pod is still not privileged',
      },
    ],
  };
}

function serviceAccount(o: ManifestOptions): Manifest {
  const object: V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: AGENT_NAME, namespace: o.namespace, labels: labels() } };
  return { kind: 'ServiceAccount', object, comments: [] };
}

/** What the agent's slim cluster model lists and watches: nothing else, and no writes. */
export const MODEL_RULES: readonly { apiGroups: string[]; resources: string[] }[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'nodes', 'namespaces'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
];
export const READ_VERBS = ['get', 'list', 'watch'];

function clusterRole(): Manifest {
  const object: V1ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: AGENT_NAME, labels: labels() },
    rules: MODEL_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...READ_VERBS] })),
  };
  return {
    kind: 'ClusterRole',
    object,
    comments: [{ path: ['rules'], text: ' read-only: the objects the agent names flows with (pod, namespace, labels, workloads, services, node); no secrets, no writes' }],
  };
}

function clusterRoleBinding(o: ManifestOptions): Manifest {
  const object: V1ClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: AGENT_NAME, labels: labels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_NAME },
    subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: o.namespace }],
  };
  return { kind: 'ClusterRoleBinding', object, comments: [] };
}

/**
 * The capabilities the collector's loader checks for (native/caps.c) and why each is
 * needed; nothing else is granted. Order is the order they are listed in the manifest.
 */
export const AGENT_CAPABILITIES: readonly { name: string; why: string }[] = [
  { name: 'BPF', why: 'load the eBPF programs and create their maps and ring buffer (bpf(2))' },
  { name: 'PERFMON', why: 'tracing programs (tp_btf) and reading kernel memory from them' },
  { name: 'NET_ADMIN', why: 'attach cgroup_skb programs to the cgroup v2 root (HTTP/DNS, latency)' },
];

/** The agent's command line; the image's ENTRYPOINT is BINARY_PATH, so `command` names it too. */
export function agentArgs(o: Pick<ManifestOptions, 'tlsSecret'>): string[] {
  const args = ['agent', '--node-name', '$(NODE_NAME)', '--health-listen', `:${HEALTH_PORT}`];
  if (o.tlsSecret === undefined) {
    // No certificate: the pod's loopback only, reached through the API server's port-forward.
    return [...args, '--listen', `127.0.0.1:${OBSERVER_PORT}`];
  }
  return [
    ...args,
    '--listen',
    `:${OBSERVER_PORT}`,
    '--tls-cert-file',
    `${TLS_DIR}/tls.crt`,
    '--tls-key-file',
    `${TLS_DIR}/tls.key`,
    '--tls-client-ca-file',
    `${TLS_DIR}/ca.crt`,
  ];
}

function daemonSet(o: ManifestOptions): Manifest {
  const tls = o.tlsSecret !== undefined;
  const probe = (initialDelaySeconds: number, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path: HEALTH_PATH, port: 'health', scheme: 'HTTP' },
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  const object: V1DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: AGENT_NAME, namespace: o.namespace, labels: labels() },
    spec: {
      selector: { matchLabels: labels() },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: labels() },
        spec: {
          serviceAccountName: AGENT_NAME,
          automountServiceAccountToken: true,
          // Every node, whatever its taints (control plane, NoExecute, not-ready): the flows of a
          // tainted node are as interesting as any other's.
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          terminationGracePeriodSeconds: 10,
          securityContext: { seccompProfile: { type: o.seccomp } },
          containers: [
            {
              name: AGENT_CONTAINER,
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: [BINARY_PATH],
              args: agentArgs(o),
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                // The binary unpacks its loader and eBPF objects here (an emptyDir: the root is read-only).
                { name: 'TMPDIR', value: '/tmp' },
                { name: 'NO_COLOR', value: '1' },
              ],
              ports: [
                ...(tls ? [{ name: 'grpc', containerPort: OBSERVER_PORT, protocol: 'TCP' }] : []),
                { name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' },
              ],
              readinessProbe: probe(5, 10, 3),
              livenessProbe: probe(30, 10, 6),
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                // Target RSS is 150 MB at 5,000 pods; the limit leaves room for bursts and the
                // in-memory /tmp (loader + objects, ~2 MB).
                limits: { cpu: '1', memory: '400Mi' },
              },
              securityContext: {
                privileged: false,
                // Root: Kubernetes grants no ambient capabilities, so a non-root process only
                // gets them from file capabilities, and the loader is unpacked at run time
                // (into /tmp) where it cannot carry any.
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'], add: AGENT_CAPABILITIES.map((c) => c.name) },
              },
              volumeMounts: [
                { name: 'btf', mountPath: '/sys/kernel/btf', readOnly: true },
                { name: 'cgroup', mountPath: '/sys/fs/cgroup', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
                ...(tls ? [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'btf', hostPath: { path: '/sys/kernel/btf', type: 'Directory' } },
            { name: 'cgroup', hostPath: { path: '/sys/fs/cgroup', type: 'Directory' } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
            ...(tls ? [{ name: 'tls', secret: { secretName: o.tlsSecret, defaultMode: 0o400 } }] : []),
          ],
        },
      },
    },
  };
  const c = ['spec', 'template', 'spec', 'containers', 0];
  const sc = [...c, 'securityContext'];
  const vols = ['spec', 'template', 'spec', 'volumes'];
  const comments: Manifest['comments'] = [
    ...AGENT_CAPABILITIES.map((cap, i) => ({ path: [...sc, 'capabilities', 'add', i], text: ` ${cap.why}` })),
    { path: [...sc, 'capabilities', 'drop'], text: ' nothing else: no SYS_ADMIN, no privileged, no hostNetwork/hostPID' },
    { path: [...sc, 'runAsUser'], text: ' root, but only with the capabilities below (non-root cannot use bpf(2) here)' },
    { path: [...sc, 'readOnlyRootFilesystem'], text: ' the only writable place is the in-memory /tmp' },
    {
      path: ['spec', 'template', 'spec', 'securityContext', 'seccompProfile', 'type'],
      text: " the runtime's profile must allow bpf(2) to a CAP_BPF holder; else --seccomp Unconfined",
    },
    { path: [...vols, 0], text: ' kernel BTF (/sys/kernel/btf/vmlinux): CO-RE relocations; read-only' },
    { path: [...vols, 1], text: ' the host cgroup v2 root (or its unified/ subdir on hybrid hosts) to attach cgroup_skb; read-only. No bpffs: nothing is pinned' },
    { path: [...vols, 2], text: ' the loader and eBPF objects are unpacked here at start (TMPDIR); must allow exec' },
    { path: [...c, 'ports'], text: tls ? ` Observer+Peer over TLS on ${OBSERVER_PORT}; /healthz (plain HTTP, status only) on ${HEALTH_PORT}` : ` /healthz only (plain HTTP, status only); Observer+Peer are on the pod's loopback (port-forward)` },
    { path: [...c, 'args'], text: tls ? ' mTLS: clients (Hubble Relay, netscope) present a certificate signed by ca.crt' : ' no --tls-secret: nothing but /healthz is reachable from the network' },
  ];
  if (tls) {
    comments.push({ path: [...vols, 3], text: ` tls.crt/tls.key/ca.crt, like Cilium's hubble-server-certs` });
    comments.push({ path: [...vols, 3, 'secret', 'defaultMode'], text: ' 0400: readable by the agent (root) only' });
  }
  return { kind: 'DaemonSet', object, comments };
}

function peerService(o: ManifestOptions): Manifest {
  const object: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: PEER_SERVICE_NAME, namespace: o.namespace, labels: labels() },
    spec: {
      selector: labels(),
      ports: [{ name: 'peer-service', port: 443, protocol: 'TCP', targetPort: OBSERVER_PORT }],
      // As Cilium's hubble-peer: a client reaches the agent of its own node.
      internalTrafficPolicy: 'Local',
    },
  };
  return {
    kind: 'Service',
    object,
    comments: [{ path: ['spec', 'internalTrafficPolicy'], text: ' the agent on the caller\'s own node answers Peer.Notify (as hubble-peer)' }],
  };
}

/** Namespaces every cluster has: the manifests deploy into them but never relabel them. */
export const BUILTIN_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * The manifests in apply order. No Namespace for a built-in one (applying it would relabel
 * kube-system); the peer Service only with TLS: without it nothing listens behind it.
 */
export function agentManifests(o: ManifestOptions): Manifest[] {
  const out = [...(BUILTIN_NAMESPACES.has(o.namespace) ? [] : [namespace(o)]), serviceAccount(o), clusterRole(), clusterRoleBinding(o), daemonSet(o)];
  if (o.tlsSecret !== undefined) out.push(peerService(o));
  return out;
}

function nodeAt(doc: Document, path: (string | number)[]): YamlNode | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = node.get(seg, true);
    else if (isSeq(node) && typeof seg === 'number') node = node.get(seg, true);
    else return undefined;
  }
  return node as YamlNode | undefined;
}

/** One manifest as a YAML document with its comments; throws if a comment's path is stale. */
export function manifestYaml(m: Manifest): string {
  const doc = new Document(m.object);
  for (const c of m.comments) {
    const node = nodeAt(doc, c.path);
    if (!node) throw new Error(`manifest ${m.kind}: no node at ${c.path.join('.')} for comment`);
    // A map key's value: the comment goes before the key, which the map's pair holds.
    const parent = nodeAt(doc, c.path.slice(0, -1));
    const last = c.path[c.path.length - 1];
    if (isMap(parent) && typeof last === 'string') {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair && isScalar(pair.key)) {
        pair.key.commentBefore = c.text;
        continue;
      }
    }
    node.commentBefore = c.text;
  }
  return doc.toString({ lineWidth: 0 });
}

/** The whole file `netscope agent manifest` prints. */
export function renderManifests(o: ManifestOptions, version: string): string {
  const how = o.tlsSecret !== undefined ? `TLS from Secret ${o.tlsSecret}, Observer/Peer on :${OBSERVER_PORT}` : 'no TLS: Observer/Peer on the pods\' loopback, reached by port-forward';
  const head = [
    `# netscope ${version} node agent: namespace ${o.namespace}, image ${o.image}, ${how}.`,
    ...(BUILTIN_NAMESPACES.has(o.namespace)
      ? [`# ${o.namespace} is not created or relabelled here: its Pod Security level must admit hostPath volumes and the BPF/PERFMON/NET_ADMIN capabilities.`]
      : []),
    '# Apply: netscope agent manifest ... | kubectl apply -f -   (see docs/agent.md)',
  ].join('\n');
  return head + '\n' + agentManifests(o).map((m) => '---\n' + manifestYaml(m)).join('');
}
