// The agent manifests: parsed back from the printed YAML, validated against the
// Kubernetes API schema (kubernetes-models) and strictly (no undeclared field), and
// asserted on the security fields the issue asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { AGENT_LABELS, HEALTH_PATH, HEALTH_PORT, MODEL_RULES, OBSERVER_PORT, renderManifests, type ManifestOptions } from '../../../src/agent/manifest.ts';
import { parseManifestArgs } from '../../../src/cli/commands/agent.ts';
import { CliError } from '../../../src/cli/exit-codes.ts';
import { unknownFields } from './strict-fields.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = path.join(ROOT, 'bin/netscope');

// Loose shapes for reading the parsed YAML in assertions.
// `any`: parsed YAML, read after the schema and strict checks have vetted its shape.
type Obj = Record<string, any>;

const BASE: ManifestOptions = { namespace: 'netscope', image: 'registry.example/netscope:0.1.0', seccomp: 'RuntimeDefault' };

function parse(text: string): Obj[] {
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs), 'YAML parses');
  for (const d of docs) assert.deepEqual(d.errors, [], 'no YAML errors');
  return docs.map((d) => d.toJS() as Obj);
}

const VALIDATORS: Record<string, { schema: (o: Obj) => void; clientType: string }> = {
  Namespace: { schema: (o) => new Namespace(o as never).validate(), clientType: 'V1Namespace' },
  ServiceAccount: { schema: (o) => new ServiceAccount(o as never).validate(), clientType: 'V1ServiceAccount' },
  ClusterRole: { schema: (o) => new ClusterRole(o as never).validate(), clientType: 'V1ClusterRole' },
  ClusterRoleBinding: { schema: (o) => new ClusterRoleBinding(o as never).validate(), clientType: 'V1ClusterRoleBinding' },
  DaemonSet: { schema: (o) => new DaemonSet(o as never).validate(), clientType: 'V1DaemonSet' },
  Service: { schema: (o) => new Service(o as never).validate(), clientType: 'V1Service' },
};

function validate(o: Obj): void {
  const v = VALIDATORS[o.kind as string];
  assert.ok(v, `a validator for ${String(o.kind)}`);
  v.schema(o);
  assert.deepEqual(unknownFields(o, v.clientType), [], `${String(o.kind)}: fields the API does not declare`);
}

const byKind = (docs: Obj[], kind: string): Obj => {
  const d = docs.find((x) => x.kind === kind);
  assert.ok(d, `a ${kind}`);
  return d;
};

for (const tls of [undefined, 'hubble-server-certs']) {
  const what = tls ? 'with --tls-secret' : 'without TLS';
  const docs = parse(renderManifests({ ...BASE, tlsSecret: tls }, '0.1.0'));

  test(`manifests ${what}: every object validates against the Kubernetes API schema, strictly`, () => {
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet', ...(tls ? ['Service'] : [])],
    );
    for (const d of docs) validate(d);
  });

  test(`manifests ${what}: the agent container has least privilege`, () => {
    const ds = byKind(docs, 'DaemonSet');
    const pod = ds.spec.template.spec as Obj;
    assert.equal(pod.hostNetwork, undefined);
    assert.equal(pod.hostPID, undefined);
    assert.equal(pod.hostIPC, undefined);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.equal(pod.containers.length, 1);
    assert.equal(pod.initContainers, undefined);
    const c = pod.containers[0] as Obj;
    const sc = c.securityContext as Obj;
    assert.equal(sc.privileged, false);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.deepEqual(sc.capabilities.drop, ['ALL']);
    assert.deepEqual([...sc.capabilities.add].sort(), ['BPF', 'NET_ADMIN', 'PERFMON']);
    // Every hostPath is read-only and is one the collector needs (BTF, cgroup v2): no bpffs, no /proc.
    const hostVolumes = (pod.volumes as Obj[]).filter((v) => v.hostPath);
    assert.deepEqual(hostVolumes.map((v) => v.hostPath.path).sort(), ['/sys/fs/cgroup', '/sys/kernel/btf']);
    for (const v of hostVolumes) {
      const m = (c.volumeMounts as Obj[]).find((x) => x.name === v.name);
      assert.ok(m, `volume ${v.name} is mounted`);
      assert.equal(m.readOnly, true, `${v.hostPath.path} mounted read-only`);
    }
    // The one writable mount is an in-memory /tmp (TMPDIR), where the binary unpacks its loader.
    const writable = (c.volumeMounts as Obj[]).filter((m) => m.readOnly !== true);
    assert.deepEqual(writable.map((m) => m.mountPath), ['/tmp']);
    assert.equal((pod.volumes as Obj[]).find((v) => v.name === writable[0]!.name)?.emptyDir?.medium, 'Memory');
    assert.equal((c.env as Obj[]).find((e) => e.name === 'TMPDIR')?.value, '/tmp');
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory, 'requests');
    assert.ok(c.resources.limits.cpu && c.resources.limits.memory, 'limits');
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }], 'tolerates every taint');
  });

  test(`manifests ${what}: probes on /healthz, Observer on ${OBSERVER_PORT} ${tls ? 'with TLS' : 'on loopback only'}`, () => {
    const c = byKind(docs, 'DaemonSet').spec.template.spec.containers[0] as Obj;
    const health = (c.ports as Obj[]).find((p) => p.name === 'health');
    assert.equal(health?.containerPort, HEALTH_PORT);
    for (const probe of [c.readinessProbe, c.livenessProbe] as Obj[]) {
      assert.equal(probe.httpGet.path, HEALTH_PATH);
      assert.equal(probe.httpGet.port, 'health');
    }
    const args = c.args as string[];
    const flag = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
    assert.equal(flag('--health-listen'), `:${HEALTH_PORT}`);
    if (tls) {
      assert.equal(flag('--listen'), `:${OBSERVER_PORT}`);
      assert.equal((c.ports as Obj[]).find((p) => p.name === 'grpc')?.containerPort, OBSERVER_PORT);
      const vol = (byKind(docs, 'DaemonSet').spec.template.spec.volumes as Obj[]).find((v) => v.secret);
      assert.equal(vol?.secret.secretName, tls);
      const mount = (c.volumeMounts as Obj[]).find((m) => m.name === vol?.name);
      for (const f of ['--tls-cert-file', '--tls-key-file', '--tls-client-ca-file']) {
        assert.ok(flag(f)?.startsWith(mount?.mountPath + '/'), `${f} reads from the Secret's mount`);
      }
      const svc = byKind(docs, 'Service');
      assert.equal(svc.metadata.name, 'hubble-peer');
      assert.deepEqual(svc.spec.ports.map((p: Obj) => [p.port, p.targetPort]), [[443, OBSERVER_PORT]]);
      assert.equal(svc.spec.internalTrafficPolicy, 'Local');
      assert.deepEqual(svc.spec.selector, AGENT_LABELS);
    } else {
      assert.equal(flag('--listen'), `127.0.0.1:${OBSERVER_PORT}`);
      assert.equal(flag('--tls-cert-file'), undefined);
      assert.equal((c.ports as Obj[]).some((p) => p.containerPort === OBSERVER_PORT), false, 'no port declared for a loopback listener');
    }
  });
}

test('RBAC: read-only (get/list/watch) on exactly the model resources, bound to the agent account', () => {
  const docs = parse(renderManifests(BASE, '0.1.0'));
  const role = byKind(docs, 'ClusterRole');
  const granted = (role.rules as Obj[]).flatMap((r) => (r.resources as string[]).map((res) => `${r.apiGroups[0]}/${res}`)).sort();
  assert.deepEqual(granted, ['/namespaces', '/nodes', '/pods', '/services', 'discovery.k8s.io/endpointslices']);
  assert.equal(MODEL_RULES.flatMap((r) => r.resources).length, granted.length);
  for (const r of role.rules as Obj[]) assert.deepEqual(r.verbs, ['get', 'list', 'watch']);
  const binding = byKind(docs, 'ClusterRoleBinding');
  assert.equal(binding.roleRef.name, role.metadata.name);
  const sa = byKind(docs, 'ServiceAccount');
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'netscope' }]);
  assert.equal(byKind(docs, 'DaemonSet').spec.template.spec.serviceAccountName, sa.metadata.name);
});

test('each added capability carries a comment saying why', () => {
  const lines = renderManifests(BASE, '0.1.0').split('\n');
  for (const cap of ['BPF', 'PERFMON', 'NET_ADMIN']) {
    const i = lines.findIndex((l) => l.trim() === `- ${cap}`);
    assert.ok(i > 0, `${cap} listed`);
    assert.match(lines[i - 1]!, /^\s*# \S/, `a comment above ${cap}`);
  }
});

test('namespace, image, seccomp options reach every object', () => {
  const docs = parse(renderManifests({ namespace: 'obs', image: 'r.example:5000/team/netscope@sha256:' + 'a'.repeat(64), tlsSecret: 's', seccomp: 'Unconfined' }, '0.1.0'));
  for (const d of docs) {
    if (d.kind === 'Namespace') assert.equal(d.metadata.name, 'obs');
    else if (d.kind !== 'ClusterRole' && d.kind !== 'ClusterRoleBinding') assert.equal(d.metadata.namespace, 'obs', d.kind);
  }
  const pod = byKind(docs, 'DaemonSet').spec.template.spec;
  assert.equal(pod.containers[0].image, 'r.example:5000/team/netscope@sha256:' + 'a'.repeat(64));
  assert.equal(pod.securityContext.seccompProfile.type, 'Unconfined');
  for (const d of docs) validate(d);
});

test('the validators catch a wrong type and an undeclared field (negative controls)', () => {
  const ds = byKind(parse(renderManifests(BASE, '0.1.0')), 'DaemonSet');
  const typo = structuredClone(ds);
  typo.spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem = true;
  assert.deepEqual(unknownFields(typo, 'V1DaemonSet'), ['spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem']);
  const wrongType = structuredClone(ds);
  wrongType.spec.template.spec.containers[0].ports[0].containerPort = 'health';
  assert.throws(() => new DaemonSet(wrongType as never).validate(), /containerPort/);
});

test('agent manifest flags: bad values are one-line usage errors naming the flag', () => {
  assert.equal(parseManifestArgs(['--help'], '0.1.0'), 'help');
  const ok = parseManifestArgs(['-n', 'obs', '--image=netscope:dev', '--tls-secret', 'hubble-server-certs'], '0.1.0');
  assert.deepEqual(ok, { namespace: 'obs', image: 'netscope:dev', tlsSecret: 'hubble-server-certs', seccomp: 'RuntimeDefault' });
  const cases: [string[], RegExp][] = [
    [['-n', 'Obs_1'], /"-n" flag: want a namespace name/],
    [['--image', 'Bad Image'], /"--image" flag/],
    [['--tls-secret', 'UPPER'], /"--tls-secret" flag/],
    [['--seccomp', 'none'], /"--seccomp" flag: want RuntimeDefault or Unconfined/],
    [['--namespace'], /flag needs an argument: --namespace/],
    [['--replicas', '3'], /unknown flag "--replicas"/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(() => parseManifestArgs(argv, '0.1.0'), (e: unknown) => e instanceof CliError && re.test(e.message), argv.join(' '));
  }
});

test('netscope agent manifest prints valid YAML; netscope agent with bad flags is a usage error', () => {
  const r = spawnSync(BIN, ['agent', 'manifest', '--namespace', 'obs'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const docs = parse(r.stdout);
  assert.equal(byKind(docs, 'DaemonSet').metadata.namespace, 'obs');
  for (const d of docs) validate(d);
  const open = spawnSync(BIN, ['agent', '--no-cluster', '--listen', ':4244'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(open.status, 2, open.stderr);
  assert.equal(open.stderr, 'netscope: refusing to serve flows in plaintext on [::]:4244, which other machines can reach: give --tls-cert-file and --tls-key-file, or --insecure\n');
  const unknown = spawnSync(BIN, ['agent', '--no-such-flag'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^netscope: unknown flag: --no-such-flag \(see netscope agent --help\)/);
  const bad = spawnSync(BIN, ['agent', 'manifest', '--image', 'x y'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '', 'nothing printed on a bad flag');
});

test('a built-in namespace is deployed into but never created or relabelled', () => {
  const text = renderManifests({ ...BASE, namespace: 'kube-system' }, '0.1.0');
  const docs = parse(text);
  assert.equal(docs.some((d) => d.kind === 'Namespace'), false);
  assert.equal(byKind(docs, 'DaemonSet').metadata.namespace, 'kube-system');
  assert.match(text, /^# kube-system is not created or relabelled here: its Pod Security level must admit/m);
  for (const d of docs) validate(d);
});
