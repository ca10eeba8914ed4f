import { inject } from '@angular/core';
import type { Routes } from '@angular/router';
import { requireRole } from '../session/session.guard';
import { SessionService } from '../session/session.service';

export const adminRoutes: Routes = [
  {
    path: '',
    pathMatch: 'full',
    redirectTo: () => {
      const session = inject(SessionService);
      return session.platformAdmin() ? '/admin/tenants' : `/admin/tenants/${session.tenant()?.id ?? ''}`;
    },
  },
  {
    path: 'tenants',
    title: 'Tenants · ValueVerse',
    canActivate: [requireRole('platform-admin')],
    loadComponent: () => import('./tenants/tenants.page').then((m) => m.TenantsPage),
  },
  {
    path: 'tenants/:tenantId',
    title: 'Tenant · ValueVerse',
    loadComponent: () => import('./tenants/tenant.page').then((m) => m.TenantPage),
  },
  {
    path: 'tenants/:tenantId/members',
    title: 'Members · ValueVerse',
    loadComponent: () => import('./members/members.page').then((m) => m.MembersPage),
  },
  {
    path: 'tenants/:tenantId/api-keys',
    title: 'API keys · ValueVerse',
    loadComponent: () => import('./api-keys/api-keys.page').then((m) => m.ApiKeysPage),
  },
  {
    path: 'tenants/:tenantId/limits',
    title: 'Quotas and rate limits · ValueVerse',
    loadComponent: () => import('./limits/limits.page').then((m) => m.LimitsPage),
  },
  {
    path: 'tenants/:tenantId/branding',
    title: 'Branding · ValueVerse',
    loadComponent: () => import('./branding/branding.page').then((m) => m.BrandingPage),
  },
  {
    path: 'jobs',
    title: 'Failed jobs · ValueVerse',
    canActivate: [requireRole('platform-admin')],
    loadComponent: () => import('./jobs/failed-jobs.page').then((m) => m.FailedJobsPage),
  },
  {
    path: 'tenants/:tenantId/plugins/:pluginId',
    loadChildren: () => import('./plugins/plugin-config.routes').then((m) => m.pluginConfigRoutes),
  },
  {
    path: 'marketplace',
    title: 'Marketplace · ValueVerse',
    canActivate: [requireRole('platform-admin')],
    loadComponent: () => import('./marketplace/marketplace.page').then((m) => m.MarketplacePage),
  },
  { path: 'health', title: 'Plugin health · ValueVerse', loadComponent: () => import('./health/health.page').then((m) => m.HealthPage) },
  {
    path: 'tenants/:tenantId/data',
    title: 'Data and privacy · ValueVerse',
    loadComponent: () => import('./data/data.page').then((m) => m.DataPage),
  },
  { path: 'audit', title: 'Audit log · ValueVerse', loadComponent: () => import('./audit/audit.page').then((m) => m.AuditPage) },
  // The notifications plugin's administration (issue 18): the session's tenant, as the plugin's API acts on it.
  { path: 'notifications', pathMatch: 'full', redirectTo: 'notifications/channels' },
  {
    path: 'notifications/channels',
    title: 'Notification channels · ValueVerse',
    loadComponent: () => import('../notifications/admin/channels.page').then((m) => m.NotificationChannelsPage),
  },
  {
    path: 'notifications/workflows',
    title: 'Notification workflows · ValueVerse',
    loadComponent: () => import('../notifications/admin/workflows.page').then((m) => m.NotificationWorkflowsPage),
  },
  {
    path: 'notifications/templates',
    title: 'Notification templates · ValueVerse',
    loadComponent: () => import('../notifications/admin/templates.page').then((m) => m.NotificationTemplatesPage),
  },
  {
    path: 'notifications/deliveries',
    title: 'Notification delivery log · ValueVerse',
    loadComponent: () => import('../notifications/admin/deliveries.page').then((m) => m.NotificationDeliveriesPage),
  },
];
