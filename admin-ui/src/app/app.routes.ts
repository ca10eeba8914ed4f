import type { Routes } from '@angular/router';
import { requireRole, requireSession } from './session/session.guard';
import { Shell } from './shell/shell';

/**
 * Static routes. Plugin pages this console does not ship are added at run time by `WorkspacePlugins` (router
 * resetConfig), inside the shell's children and before its `**`.
 */
export const routes: Routes = [
  {
    path: 'sign-in',
    title: 'Sign in · ValueVerse',
    loadComponent: () => import('./session/sign-in.page').then((m) => m.SignInPage),
  },
  // Where people (and other products) expect a sign-in page to be.
  { path: 'login', redirectTo: 'sign-in' },
  {
    path: '',
    component: Shell,
    canActivate: [requireSession],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'workspace' },
      {
        path: 'workspace',
        title: 'Dashboard · ValueVerse',
        loadComponent: () => import('./workspace/dashboard/dashboard.page').then((m) => m.DashboardPage),
      },
      { path: 'dashboard', redirectTo: 'workspace' },
      {
        path: 'select-tenant',
        title: 'Choose a tenant · ValueVerse',
        loadComponent: () => import('./session/select-tenant.page').then((m) => m.SelectTenantPage),
      },
      {
        path: 'workspace/what-if',
        title: 'What-if · ValueVerse',
        loadComponent: () => import('./workspace/what-if/what-if.page').then((m) => m.WhatIfPage),
      },
      {
        path: 'workspace/value-canvas',
        title: 'Value canvas · ValueVerse',
        loadComponent: () => import('./workspace/value-graph/value-canvas.page').then((m) => m.ValueCanvasPage),
      },
      {
        path: 'workspace/living-graph',
        title: 'Living value graph · ValueVerse',
        loadComponent: () => import('./workspace/value-graph/living-graph.page').then((m) => m.LivingGraphPage),
      },
      {
        path: 'workspace/value-report',
        title: 'Value report · ValueVerse',
        loadComponent: () => import('./workspace/value-report/value-report.page').then((m) => m.ValueReportPage),
      },
      {
        path: 'workspace/value-models',
        title: 'Value models · ValueVerse',
        loadComponent: () => import('./workspace/value-models/value-models.page').then((m) => m.ValueModelsPage),
      },
      {
        // `new` and a saved model's id share one route: the first save moves the URL to the model's link without
        // recreating the page (the router reuses a component when only the parameters change). No route title: the
        // page sets it (the model's name), and a route title would overwrite that on the first save's navigation.
        path: 'workspace/value-models/:id',
        loadComponent: () => import('./workspace/value-models/value-model-wizard.page').then((m) => m.ValueModelWizardPage),
      },
      {
        path: 'workspace/commitments',
        title: 'Commitments · ValueVerse',
        loadComponent: () => import('./workspace/commitments/commitments.page').then((m) => m.CommitmentsPage),
      },
      {
        path: 'workspace/realization',
        title: 'Realization · ValueVerse',
        loadComponent: () => import('./workspace/realization/realization.page').then((m) => m.RealizationPage),
      },
      {
        path: 'workspace/amplify',
        title: 'Amplify · ValueVerse',
        loadComponent: () => import('./workspace/amplify/amplify.page').then((m) => m.AmplifyPage),
      },
      {
        path: 'workspace/billing',
        title: 'Billing · ValueVerse',
        loadComponent: () => import('./workspace/billing/billing.page').then((m) => m.BillingPage),
      },
      {
        path: 'workspace/billing-admin',
        title: 'Billing admin · ValueVerse',
        loadComponent: () => import('./workspace/billing/billing-admin.page').then((m) => m.BillingAdminPage),
      },
      {
        path: 'account/security',
        title: 'Account security · ValueVerse',
        loadComponent: () => import('./account/account-security.page').then((m) => m.AccountSecurityPage),
      },
      {
        path: 'admin',
        canActivate: [requireRole('tenant-admin')],
        loadChildren: () => import('./admin/admin.routes').then((m) => m.adminRoutes),
      },
      { path: '**', title: 'Not found · ValueVerse', loadComponent: () => import('./shell/not-found.page').then((m) => m.NotFoundPage) },
    ],
  },
];
