// Generates the typed client's types from the committed contract, as a user of the API would:
//   node apps/api/test/typed-client/generate.mjs [out]   (default: schema.generated.ts beside this file)
// Two choices a client of Conduit should make too: a `format: binary` part is a Blob (what FormData
// takes), and a property with a default stays optional (the server fills it; openapi-typescript's
// `defaultNonNullable` would make a request property like `flatten` required).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const contract = new URL(`file://${join(here, '..', '..', 'openapi.json')}`);
const out = process.argv[2] ?? join(here, 'schema.generated.ts');

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
const ast = await openapiTS(contract, {
  defaultNonNullable: false,
  transform(schema) {
    if (schema.format === 'binary') return BLOB;
    return undefined;
  },
});
writeFileSync(
  out,
  `// Generated from apps/api/openapi.json by generate.mjs: not committed.\n${astToString(ast)}`,
);
