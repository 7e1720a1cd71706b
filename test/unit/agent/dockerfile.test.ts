// deploy/Dockerfile, checked without a container engine: parsed with dockerfile-ast and
// held against what build:binary produces and what the DaemonSet runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { agentManifests, BINARY_PATH } from '../../../src/agent/manifest.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const TEXT = readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8');
const doc = DockerfileParser.parse(TEXT);

function only(keyword: string): Instruction {
  const all = doc.getInstructions().filter((i) => i.getKeyword() === keyword);
  assert.equal(all.length, 1, `one ${keyword}`);
  return all[0]!;
}

/** Exec-form arguments of ENTRYPOINT/CMD (the JSON array), which run without a shell. */
function execForm(keyword: 'ENTRYPOINT' | 'CMD'): string[] {
  const raw = only(keyword).getArgumentsContent() ?? '';
  const parsed: unknown = JSON.parse(raw);
  assert.ok(Array.isArray(parsed) && parsed.every((s) => typeof s === 'string'), `${keyword} is exec form (the base has no shell)`);
  return parsed as string[];
}

function daemonSetContainer(): { command: string[]; args: string[] } {
  const ds = agentManifests({ namespace: 'netscope', image: 'netscope:test', seccomp: 'RuntimeDefault' }).find((m) => m.kind === 'DaemonSet')!;
  const c = (ds.object as { spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } } }).spec.template.spec.containers[0]!;
  return c;
}

test('Dockerfile is a single stage on a minimal base', () => {
  assert.equal(doc.getFROMs().length, 1);
  const from = doc.getFROMs()[0]!;
  // FROM ${BASE}: resolved from the ARG's default.
  const image = from.getImage() ?? '';
  const base = image.replace(/^\$\{?(\w+)\}?$/, (_m, name: string) => doc.getARGs().find((a) => a.getProperty()?.getName() === name)?.getProperty()?.getValue() ?? '');
  assert.match(base, /^gcr\.io\/distroless\/cc-debian12(:|@|$)/, 'distroless cc: glibc + libstdc++ + libgcc_s, which the Node binary links');
  assert.equal(doc.getInstructions().some((i) => i.getKeyword() === 'RUN'), false, 'no RUN: the base has no shell');
});

test('COPY takes the file build:binary writes, to the path the DaemonSet runs', () => {
  const help = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-binary.ts'), '--help'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
  const out = /--out PATH.*\(default: ([^)]+)\)/.exec(help.stdout)?.[1];
  assert.ok(out, 'build:binary --help names its default output');
  const copies = doc.getCOPYs();
  assert.equal(copies.length, 1);
  const args = copies[0]!.getArguments().map((a) => a.getValue());
  assert.deepEqual(args, [out, BINARY_PATH]);
  // The build context is cut down to that file by the Dockerfile's own ignore file.
  const ignore = readFileSync(path.join(ROOT, 'deploy/Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  assert.deepEqual(ignore, ['*', `!${out}`]);
});

test('ENTRYPOINT is the DaemonSet command; CMD runs the agent as the DaemonSet args do', () => {
  const c = daemonSetContainer();
  assert.deepEqual(execForm('ENTRYPOINT'), c.command);
  assert.deepEqual(execForm('CMD'), [c.args[0]]);
  assert.equal(c.args[0], 'agent');
});

test('TMPDIR points at the writable /tmp the DaemonSet mounts; runs as root, and says why', () => {
  const env = doc.getENVs().flatMap((e) => e.getProperties()).find((p) => p.getName() === 'TMPDIR');
  assert.equal(env?.getValue(), '/tmp');
  const user = only('USER');
  assert.equal(user.getArgumentsContent(), '0:0');
  // The comment block right above USER explains why non-root is not possible for BPF.
  const line = user.getRange().start.line;
  const above = doc.getComments().filter((cm) => cm.getRange().start.line < line && cm.getRange().start.line >= line - 4).map((cm) => cm.getContent()).join(' ');
  assert.match(above, /capabilit/i);
  assert.match(above, /non-root/i);
});
