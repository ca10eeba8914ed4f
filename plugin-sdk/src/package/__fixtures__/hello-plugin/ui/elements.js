/* global customElements, HTMLElement -- a browser asset: packed as it is, never run by the tests */
customElements.define('hello-fixture', class extends HTMLElement {});
