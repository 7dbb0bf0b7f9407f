import type { OpenAPIObject } from '@nestjs/swagger';
import { documentGlobalBehaviour } from './api-errors.js';
import { completeSchemas } from './openapi-json-schemas.js';

const NULL = { type: 'string', nullable: true, enum: [null] };

describe('OpenAPI document completion', () => {
  it('lets null through nullable references and enums by the letter of OpenAPI 3.0.3', () => {
    const doc = completeSchemas({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {},
      components: {
        schemas: {
          Row: {
            type: 'object',
            properties: {
              decoded: {
                type: 'object',
                nullable: true,
                allOf: [{ $ref: '#/components/schemas/Decoded' }],
                description: 'd',
              },
              state: { type: 'string', nullable: true, enum: ['on', 'off'] },
              plain: { type: 'string', nullable: true },
            },
          },
        },
      },
    } as OpenAPIObject);
    expect(doc.components!.schemas!.Row).toEqual({
      type: 'object',
      properties: {
        decoded: { description: 'd', anyOf: [{ $ref: '#/components/schemas/Decoded' }, NULL] },
        state: { type: 'string', nullable: true, enum: ['on', 'off', null] },
        plain: { type: 'string', nullable: true },
      },
    });
    expect(doc.components!.schemas!.JsonValue).toBeDefined();
  });

  it('documents the errors of the global pipeline and marks public operations with security: []', () => {
    const doc = documentGlobalBehaviour({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/open': { get: { responses: { 200: { description: 'ok' } } } },
        '/closed': {
          post: {
            security: [{ bearer: [] }],
            requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
            responses: { 201: { description: 'made' }, 404: { description: 'no such thing' } },
          },
        },
      },
    } as unknown as OpenAPIObject);
    const open = doc.paths['/open'].get!;
    const closed = doc.paths['/closed'].post!;
    expect(open.security).toEqual([]);
    expect(Object.keys(open.responses)).toEqual(['200', '400']);
    expect(Object.keys(closed.responses)).toEqual(['201', '400', '401', '403', '404', '413', '415', '429', '503']);
    expect(closed.responses['404']).toEqual({
      description: 'no such thing',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
    });
  });
});
