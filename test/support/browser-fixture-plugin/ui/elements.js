/* global HTMLElement, customElements, document */
// A third-party page as a plugin author would ship it: a custom element that receives `tenant` and `api`
// as properties from the ValueVerse shell, and renders with plain DOM (no framework).
class FixtureInsights extends HTMLElement {
  #tenant;
  #api;
  #summary = 'Loading…';

  set tenant(value) {
    this.#tenant = value;
    this.#render();
  }

  get tenant() {
    return this.#tenant;
  }

  set api(value) {
    this.#api = value;
    this.#load();
  }

  connectedCallback() {
    this.#render();
  }

  async #load() {
    try {
      const body = await this.#api.get('/api/v1/insights/summary');
      this.#summary = body.message;
    } catch (error) {
      this.#summary = `Could not load: ${error.message}`;
    }
    this.#render();
  }

  #render() {
    const heading = document.createElement('h2');
    heading.textContent = 'Insights for ';
    const name = document.createElement('span');
    name.dataset.testid = 'insights-tenant';
    name.textContent = this.#tenant ? this.#tenant.name : '…';
    heading.append(name);
    const summary = document.createElement('p');
    summary.dataset.testid = 'insights-summary';
    summary.textContent = this.#summary;
    this.replaceChildren(heading, summary);
  }
}

customElements.define('vv-fixture-insights', FixtureInsights);
