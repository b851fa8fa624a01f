import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export type Schema = SchemaObject | ReferenceObject;

/** One operation of the OpenAPI document, as the fuzzer needs it. */
export interface FuzzOperation {
  /** E.g. `PUT /collaborations/{collaborationId}/segments/{segmentId}/upload`. */
  name: string;
  method: string;
  /** The OpenAPI path template. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body?: { kind: 'json'; schema: Schema } | { kind: 'multipart' };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document: routes added later are fuzzed without touching the suite. */
export function fuzzOperations(document: OpenAPIObject): FuzzOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) return [];
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      return [
        {
          name: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          query: parameters
            .filter((p) => p.in === 'query')
            .map((p) => ({ name: p.name, schema: p.schema ?? { type: 'string' } })),
          body: bodyOf(operation),
        },
      ];
    }),
  );
}

function bodyOf(operation: OperationObject): FuzzOperation['body'] {
  const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
    ?.content;
  if (!content) return undefined;
  if (content['multipart/form-data']) return { kind: 'multipart' };
  const json = content['application/json'];
  return json ? { kind: 'json', schema: json.schema ?? { type: 'object' } } : undefined;
}

/** `$ref`s resolved against the document's components. */
export function resolveSchema(schema: Schema, document: OpenAPIObject): SchemaObject {
  let current = schema;
  while ('$ref' in current) {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = document.components?.schemas?.[name] ?? {};
  }
  return current;
}
