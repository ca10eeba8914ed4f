import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Problem } from '../api/problem';
import { RequestState } from './request-state';

const problem = (status: number, code: string): Problem => ({ status, code, title: code, detail: `${code} detail`, errors: [], extensions: {} });

@Component({
  imports: [RequestState],
  template: `<vv-request-state [problem]="problem()" what="the value model" />`,
})
class Host {
  readonly problem = signal<Problem | undefined>(undefined);
}

describe('RequestState', () => {
  const render = (p: Problem) => {
    const fixture = TestBed.createComponent(Host);
    fixture.componentInstance.problem.set(p);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  };

  it('offers "Try again" where trying again may help: a network failure, a 5xx, a 429', () => {
    for (const p of [problem(0, 'VV_NETWORK'), problem(503, 'VV_UNAVAILABLE'), problem(429, 'VV_RATE_LIMITED')]) {
      expect(render(p).querySelector('button')?.textContent).toContain('Try again');
    }
  });

  it('offers no pointless "Try again" for something that is not there (issue 19, bug 8)', () => {
    const el = render(problem(404, 'VV_NOT_FOUND'));
    expect(el.querySelector('[role="alert"]')!.textContent).toContain('VV_NOT_FOUND detail');
    expect(el.querySelector('button')).toBeNull();
    expect(render(problem(403, 'VV_FORBIDDEN')).querySelector('button')).toBeNull();
  });
});
