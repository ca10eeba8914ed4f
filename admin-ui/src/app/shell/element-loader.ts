import { DOCUMENT, Injectable, inject } from '@angular/core';

/** Loads third-party custom-element bundles once per URL and waits for their tags to be defined. */
@Injectable({ providedIn: 'root' })
export class ElementLoader {
  private readonly document = inject(DOCUMENT);
  private readonly scripts = new Map<string, Promise<void>>();

  /**
   * Resolves once `tag` is defined, loading `url` first if needed. Elements must be created only after this
   * (docs/stack.md "Front end (admin-ui)"): a property set on an element before its class upgrades it shadows the class's setter.
   */
  async define(tag: string, url: string | undefined, timeoutMs = 10_000): Promise<void> {
    const registry = this.document.defaultView?.customElements;
    if (!registry) throw new Error('This browser does not support custom elements.');
    if (registry.get(tag)) return;
    if (url) await this.load(url);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The plugin bundle did not define <${tag}> within ${timeoutMs / 1000} s.`)), timeoutMs);
    });
    try {
      await Promise.race([registry.whenDefined(tag), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private load(url: string): Promise<void> {
    let loading = this.scripts.get(url);
    if (!loading) {
      loading = new Promise<void>((resolve, reject) => {
        const script = this.document.createElement('script');
        script.type = 'module';
        script.src = url;
        script.onload = () => resolve();
        script.onerror = () => {
          this.scripts.delete(url);
          script.remove();
          reject(new Error(`Could not load the plugin bundle ${url}.`));
        };
        this.document.head.appendChild(script);
      });
      this.scripts.set(url, loading);
    }
    return loading;
  }
}
