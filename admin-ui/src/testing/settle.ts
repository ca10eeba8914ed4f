import type { ComponentFixture } from '@angular/core/testing';

/**
 * Lets a zoneless component catch up: a few macrotask turns, each followed by change detection, so that resolved
 * requests reach signals and signals reach the DOM. Not `whenStable()`: that waits for pending requests, which a test
 * flushes itself.
 */
export async function settle(fixture: ComponentFixture<unknown>, rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setTimeout(resolve));
    fixture.detectChanges();
  }
}
