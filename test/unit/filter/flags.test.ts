import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFilterFlag, FILTER_FLAGS, filterHelp, parseFilterArgs } from '../../../src/filter/index.ts';

test('isFilterFlag recognises long, =value, short and bool forms', () => {
  for (const a of ['--verdict', '--verdict=DROPPED', '-n', '-nshop', '-n=shop', '--not', '-A', '--all-namespaces', '-l', '-t', '-4', '--reply=false', '--http-status']) {
    assert.equal(isFilterFlag(a), true, a);
  }
  for (const a of ['--output', '-o', '-f', '--follow', 'DROPPED', '-', '--', '--verdictx', '-Ax', '']) {
    assert.equal(isFilterFlag(a), false, a);
  }
});

test('every flag in the table is accepted by the parser', () => {
  const sample: Record<string, string> = {
    namespace: 'shop', 'from-namespace': 'shop', 'to-namespace': 'shop', pod: 'shop/x', 'from-pod': 'shop/x', 'to-pod': 'shop/x',
    ip: '10.0.0.1', 'from-ip': '10.0.0.1', 'to-ip': '10.0.0.1', 'snat-ip': '10.0.0.1', 'ip-version': '4',
    label: 'app=x', 'from-label': 'app=x', 'to-label': 'app=x', service: 'shop/s', 'from-service': 'shop/s', 'to-service': 'shop/s',
    workload: 'w', 'from-workload': 'w', 'to-workload': 'w', fqdn: 'a.b', 'from-fqdn': 'a.b', 'to-fqdn': 'a.b',
    identity: '1', 'from-identity': '1', 'to-identity': '1', port: '80', 'from-port': '80', 'to-port': '80',
    protocol: 'tcp', verdict: 'DROPPED', 'drop-reason-desc': 'POLICY_DENIED', type: 'l7', 'http-status': '200',
    'http-method': 'GET', 'http-path': '/', 'http-url': 'x', 'http-header': 'a:b', 'dns-query': 'x', 'tcp-flags': 'SYN',
    'node-name': 'n', 'node-label': 'a=b', 'traffic-direction': 'ingress', uuid: 'u',
    cluster: 'east', 'from-cluster': 'east', 'to-cluster': 'east', interface: 'eth0',
    allowlist: '{"verdict":["DROPPED"]}', denylist: '{"verdict":["DROPPED"]}',
  };
  for (const f of FILTER_FLAGS) {
    if (f.name === 'not') continue;
    const args = f.takesValue ? [`--${f.name}`, sample[f.name]!] : [`--${f.name}`];
    assert.ok(f.takesValue ? sample[f.name] !== undefined : true, `sample for ${f.name}`);
    assert.doesNotThrow(() => parseFilterArgs(args), f.name);
    if (f.short) assert.deepEqual(parseFilterArgs([`-${f.short}`, ...args.slice(1)]), parseFilterArgs(args), f.name);
  }
});

test('help lists every flag, aligned, and names the semantics', () => {
  const help = filterHelp();
  for (const f of FILTER_FLAGS) assert.ok(help.includes(`--${f.name}`), f.name);
  assert.match(help, /-n, --namespace value/);
  assert.match(help, /repeated flags OR/);
  const cols = help
    .split('\n')
    .filter((l) => l.startsWith('  -') || l.startsWith('      --'))
    .map((l) => {
      const m = /^(\s*\S.*?\S)(\s{3,})\S/.exec(l);
      return m ? m[1]!.length + m[2]!.length : -1;
    });
  assert.ok(cols.length === FILTER_FLAGS.length);
  assert.equal(new Set(cols).size, 1, 'help text column aligned');
});

test('every fixed completion value is accepted by its flag', async () => {
  const { FILTER_VALUE_CHOICES } = await import('../../../src/filter/index.ts');
  const flagFor: Record<string, string> = { verdict: '--verdict', protocol: '--protocol', direction: '--traffic-direction', type: '--type', 'drop-reason': '--drop-reason-desc' };
  for (const [kind, values] of Object.entries(FILTER_VALUE_CHOICES)) {
    assert.ok(values && values.length > 0, kind);
    for (const v of values!) assert.doesNotThrow(() => parseFilterArgs([flagFor[kind]!, v]), `${kind} ${v}`);
  }
  assert.ok(FILTER_VALUE_CHOICES.type!.includes('trace:to-endpoint'));
});
