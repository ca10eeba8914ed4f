import type { Routes } from '@angular/router';
import { provideFormlyCore } from '@ngx-formly/core';
import { withFormlyMaterial } from '@ngx-formly/material';
import { formlyConfig } from './formly-config';

export const pluginConfigRoutes: Routes = [
  {
    path: '',
    title: 'Plugin configuration · ValueVerse',
    // Formly only on this lazy page (docs/stack.md "Front end (admin-ui)"): provided at the root it would cost every page ~52 kB.
    providers: [provideFormlyCore([...withFormlyMaterial(), formlyConfig])],
    loadComponent: () => import('./plugin-config.page').then((m) => m.PluginConfigPage),
  },
];
