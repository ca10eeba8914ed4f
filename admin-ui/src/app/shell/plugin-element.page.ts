import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, signal, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute } from '@angular/router';
import { map } from 'rxjs';
import { ApiClient } from '../api/api-client';
import { SessionService } from '../session/session.service';
import { createElementApi } from './element-api';
import { ElementLoader } from './element-loader';
import type { NavEntry } from './plugin-nav';

/** The tenant as a plugin page sees it. */
export interface ElementTenant {
  readonly id: string;
  readonly name: string;
  readonly role: string;
}

type PluginElement = HTMLElement & { tenant?: ElementTenant; api?: unknown };

/**
 * A third-party plugin page: loads the plugin's custom-element bundle, waits for the tag, then creates the element
 * and hands it the tenant and an API client as properties.
 */
@Component({
  selector: 'vv-plugin-element-page',
  template: `
    <h1 class="vv-visually-hidden">{{ entry()?.label }}</h1>
    @switch (status()) {
      @case ('loading') {
        <p role="status">Loading {{ entry()?.label }}…</p>
      }
      @case ('error') {
        <div class="vv-card" role="alert">
          <h2>{{ entry()?.label }} could not be shown</h2>
          <p>{{ message() }}</p>
        </div>
      }
      @case ('none') {
        <div class="vv-card">
          <h2>{{ entry()?.label }}</h2>
          <p>The plugin “{{ entry()?.pluginId }}” adds this entry but ships no page for this console.</p>
        </div>
      }
    }
    <div #host class="element-host" [attr.data-plugin]="entry()?.pluginId"></div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PluginElementPage {
  private readonly loader = inject(ElementLoader);
  private readonly session = inject(SessionService);
  private readonly api = createElementApi(inject(ApiClient));
  private readonly host = viewChild.required<ElementRef<HTMLElement>>('host');
  private element: PluginElement | undefined;

  protected readonly entry = toSignal(inject(ActivatedRoute).data.pipe(map((d) => d['entry'] as NavEntry | undefined)));
  protected readonly status = signal<'loading' | 'ready' | 'error' | 'none'>('loading');
  protected readonly message = signal('');
  private readonly tenant = computed<ElementTenant | undefined>(() => {
    const t = this.session.tenant();
    return t ? { id: t.id, name: t.name, role: t.role } : undefined;
  });

  constructor() {
    effect(() => {
      const entry = this.entry();
      const host = this.host().nativeElement;
      void this.mount(entry, host);
    });
    // A tenant switch re-renders the same element with the new tenant.
    effect(() => {
      const tenant = this.tenant();
      if (this.element) this.element.tenant = tenant;
    });
  }

  private async mount(entry: NavEntry | undefined, host: HTMLElement): Promise<void> {
    host.replaceChildren();
    this.element = undefined;
    if (!entry?.element) {
      this.status.set('none');
      return;
    }
    this.status.set('loading');
    try {
      await this.loader.define(entry.element, entry.elementsUrl);
      const element = document.createElement(entry.element) as PluginElement;
      element.tenant = this.tenant();
      element.api = this.api;
      host.replaceChildren(element);
      this.element = element;
      this.status.set('ready');
    } catch (error) {
      this.message.set((error as Error).message);
      this.status.set('error');
    }
  }
}
