import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { provideFormlyCore } from '@ngx-formly/core';
import { withFormlyMaterial } from '@ngx-formly/material';
import { formlyConfig } from './formly-config';
import { PluginConfigPage } from './plugin-config.page';

const schema = {
  type: 'object',
  properties: {
    threshold: { type: 'integer', title: 'Alert threshold', minimum: 1, maximum: 100 },
    webhookUrl: { type: 'string', title: 'Webhook URL', format: 'uri' },
    apiKey: { type: 'string', title: 'API key', minLength: 8, 'x-secret': true },
  },
  required: ['apiKey'],
};

const plugin = (config: Record<string, unknown>) => ({
  pluginId: 'insights',
  displayName: 'Insights',
  version: '1.0.0',
  state: 'running',
  enabled: true,
  config,
  configSchema: schema,
  requires: [],
  dependants: [],
});

describe('PluginConfigPage', () => {
  let fixture: ComponentFixture<PluginConfigPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const input = (label: string) => [...el().querySelectorAll('mat-form-field')].find((f) => f.textContent?.includes(label))!.querySelector('input')!;
  const type = (label: string, value: string) => {
    const i = input(label);
    i.value = value;
    i.dispatchEvent(new Event('input'));
    i.dispatchEvent(new Event('blur'));
  };
  const save = async () => {
    el().querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await fixture.whenStable();
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [PluginConfigPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), provideFormlyCore([...withFormlyMaterial(), formlyConfig])],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(PluginConfigPage);
    fixture.componentRef.setInput('tenantId', 'demo');
    fixture.componentRef.setInput('pluginId', 'insights');
    fixture.detectChanges();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ items: [plugin({ threshold: 10, apiKey: '••••' })] });
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  it('renders one labelled field per property; a stored secret is blank, optional and says it is stored', () => {
    expect(input('Alert threshold').value).toBe('10');
    expect(input('API key').type).toBe('password');
    expect(input('API key').value).toBe('');
    expect(el().textContent).toContain('A value is stored');
  });

  it('shows the schema’s validation message under the field and sends nothing', async () => {
    type('Alert threshold', '500');
    await save();
    expect(el().textContent).toContain('Must be at most 100.');
    http.expectNone((r) => r.method === 'PUT');
  });

  it('puts the kernel’s field problems on their fields, and leaves blank secrets out of the body', async () => {
    type('Webhook URL', 'not a url');
    await save();
    const put = http.expectOne((r) => r.method === 'PUT');
    expect(put.request.url).toBe('/api/v1/admin/tenants/demo/plugins/insights');
    expect(put.request.body).toEqual({ config: { threshold: 10, webhookUrl: 'not a url' } });
    put.flush(
      { code: 'VV_CONFIG_INVALID', title: 'Configuration invalid', detail: 'invalid', errors: [{ pointer: '/webhookUrl', message: 'must match format "uri"' }] },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    await fixture.whenStable();
    fixture.detectChanges();
    expect(el().querySelector('mat-error')?.textContent).toContain('must match format "uri"');
  });
});
