import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { settle } from '../../../testing/settle';
import { HypothesesPanel, hypothesisNote } from './hypotheses-panel';

describe('HypothesesPanel (issue 19, bug 5)', () => {
  let fixture: ComponentFixture<HypothesesPanel>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [HypothesesPanel], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(HypothesesPanel);
    fixture.componentRef.setInput('modelId', 'm1');
    fixture.detectChanges();
  });
  afterEach(() => http.verify());

  async function generate(body: object, status = 200) {
    el().querySelector<HTMLButtonElement>('button')!.click();
    await settle(fixture);
    const request = http.expectOne('/api/v1/value-models/m1/hypotheses');
    if (status === 200) request.flush(body);
    else request.flush(body, { status, statusText: 'Error' });
    await settle(fixture);
  }

  it('says why nothing came back when the library has nothing left to add', async () => {
    await generate({ source: 'library', provider: null, fallbackReason: 'no AI provider is enabled for this tenant', hypotheses: [] });
    expect(el().querySelector('[role="status"]')!.textContent).toContain('no AI provider is enabled for this tenant');
    const empty = el().querySelector('[data-testid="no-hypotheses"]')!.textContent!;
    expect(empty).not.toContain('No hypotheses came back');
    expect(empty).toContain('already in the model');
  });

  it('names a failed provider in words, not by its code', async () => {
    await generate({ source: 'library', provider: null, fallbackReason: 'ai-openai failed: VV_DEPENDENCY_UNAVAILABLE', hypotheses: [] });
    const status = el().querySelector('[role="status"]')!.textContent!;
    expect(status).toContain('OpenAI could not be reached');
    expect(status).not.toContain('VV_DEPENDENCY_UNAVAILABLE');
  });

  it('never shows the provider’s internal address when it cannot be reached', async () => {
    await generate(
      {
        code: 'VV_DEPENDENCY_UNAVAILABLE',
        title: 'Dependency unavailable',
        detail: 'AI provider "ai-openai" is unavailable: cannot connect to http://127.0.0.1:4449/v1 (ECONNREFUSED)',
        provider: 'ai-openai',
      },
      503,
    );
    const alert = el().querySelector('[role="alert"]')!.textContent!;
    expect(alert).toContain('OpenAI could not be reached');
    expect(alert).not.toContain('127.0.0.1');
    expect(alert).not.toContain('ECONNREFUSED');
  });

  it('words the source of AI hypotheses', () => {
    expect(hypothesisNote({ source: 'ai', provider: 'ai-together', hypotheses: [] }).source).toBe('From Together AI. Review before use.');
  });
});
