import { HttpHeaders, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ApiClient } from './api-client';
import { ProblemError } from './problem';

describe('ApiClient.postResponse', () => {
  let api: ApiClient;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    api = TestBed.inject(ApiClient);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('sends request headers and the query, and answers status, headers and body', async () => {
    const answer = api.postResponse<{ id: string }>('/api/v1/things', { a: 1 }, { query: { dryRun: true, skip: undefined }, headers: { 'Idempotency-Key': 'k1' } });
    const req = http.expectOne((r) => r.url === '/api/v1/things');
    expect(req.request.headers.get('Idempotency-Key')).toBe('k1');
    expect(req.request.params.toString()).toBe('dryRun=true');
    req.flush({ id: 't1' }, { status: 201, statusText: 'Created', headers: new HttpHeaders({ 'Idempotent-Replayed': 'true' }) });
    const response = await answer;
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 't1' });
    expect(response.headers.get('Idempotent-Replayed')).toBe('true');
  });

  it('rejects with the problem like the other methods', async () => {
    const answer = api.postResponse('/api/v1/things', {});
    http
      .expectOne('/api/v1/things')
      .flush({ code: 'VV_VALIDATION', title: 'Validation failed', errors: [{ pointer: '/a', message: 'is required' }] }, { status: 400, statusText: 'Bad Request' });
    await expect(answer).rejects.toBeInstanceOf(ProblemError);
    await answer.catch((e: ProblemError) => expect(e.problem.errors).toEqual([{ pointer: '/a', message: 'is required' }]));
  });
});
