import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { ProblemError, describeProblem, isUnavailable, toProblem } from './problem';

describe('toProblem', () => {
  it('reads an application/problem+json body, keeping field errors and extensions', () => {
    const error = new HttpErrorResponse({
      status: 422,
      headers: new HttpHeaders({ 'content-type': 'application/problem+json' }),
      error: {
        type: 'https://valueverse.dev/errors/VV_CONFIG_INVALID',
        title: 'Configuration invalid',
        status: 422,
        code: 'VV_CONFIG_INVALID',
        detail: 'Configuration of plugin "x" is invalid',
        requestId: 'req-12345678',
        errors: [{ pointer: '/threshold', message: 'must be <= 100', in: 'config' }],
        plugin: 'x',
      },
    });
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status: 422, code: 'VV_CONFIG_INVALID', requestId: 'req-12345678', extensions: { plugin: 'x' } });
    expect(problem.errors).toEqual([{ pointer: '/threshold', message: 'must be <= 100' }]);
    expect(describeProblem(problem)).toBe('Configuration of plugin "x" is invalid');
  });

  it('parses a problem body that arrived as text', () => {
    const error = new HttpErrorResponse({ status: 404, error: JSON.stringify({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Not enabled', detail: 'nope' }) });
    expect(toProblem(error).code).toBe('VV_PLUGIN_NOT_ENABLED');
    expect(isUnavailable(toProblem(error))).toBe(true);
  });

  it('describes a network failure and a non-problem body', () => {
    expect(toProblem(new HttpErrorResponse({ status: 0 })).code).toBe('VV_NETWORK');
    const html = toProblem(new HttpErrorResponse({ status: 502, statusText: 'Bad Gateway', error: '<html>proxy</html>' }));
    expect(html).toMatchObject({ status: 502, code: 'HTTP_502', title: 'Bad Gateway' });
  });

  it('unwraps a ProblemError and wraps plain errors', () => {
    const problem = toProblem(new HttpErrorResponse({ status: 409, error: { code: 'VV_CONFLICT', title: 'Conflict' } }));
    expect(toProblem(new ProblemError(problem))).toBe(problem);
    expect(toProblem(new Error('boom'))).toMatchObject({ code: 'VV_CLIENT', detail: 'boom' });
  });
});
