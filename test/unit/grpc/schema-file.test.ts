// src/grpc/proto/schema.ts (the .proto texts embedded for the single binary) must be what
// scripts/gen-proto-schema.ts makes from the .proto files now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { schemaModuleText } from '../../../scripts/gen-proto-schema.ts';

test('the embedded protos match the .proto files (run node scripts/gen-proto-schema.ts after editing them)', () => {
  const file = new URL('../../../src/grpc/proto/schema.ts', import.meta.url);
  assert.equal(fs.readFileSync(file, 'utf8'), schemaModuleText());
});
