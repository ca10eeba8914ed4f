import type { paths } from './openapi';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer Body } } ? Body : never;
type OperationOf<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/**
 * The JSON body that `M P` answers with `S`, as the API's OpenAPI document declares it (types generated into
 * `openapi.d.ts` by `npm run api:types`). The console reads plugin answers through these instead of re-declaring
 * them, so a changed route schema breaks the console's build rather than its pages.
 *
 * @example
 * type Commitment = ApiResponse<'/api/v1/commitments/{id}', 'get'>;
 */
export type ApiResponse<P extends keyof paths, M extends Method, S extends number = 200> =
  OperationOf<P, M> extends { responses: infer R } ? (S extends keyof R ? JsonOf<R[S]> : never) : never;

/** The JSON body `M P` accepts. */
export type ApiRequestBody<P extends keyof paths, M extends Method> = OperationOf<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
