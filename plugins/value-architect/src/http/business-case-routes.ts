import {
  VvError,
  respond,
  type AuditLog,
  type JsonSchema,
  type PublicPluginRequest,
  type RouteDefinition,
  type TenantBrandingService,
  type TenantContext,
} from '@valueverse/plugin-sdk';
import type { CalculationService } from '@valueverse/plugin-calculation/api';
import { buildBusinessCase, defaultPersona, personas, type BusinessCase, type Persona, type RiskRange } from '../business-case/business-case';
import { renderBusinessCaseHtml } from '../business-case/business-case-html';
import { renderBusinessCasePdf } from '../business-case/business-case-pdf';
import type { ShareLinks } from '../business-case/share-links';
import { businessCaseResponses } from './business-case-schemas';
import type { ValueModelStore } from '../models/value-model-store';
import type { ValueModelVersion } from '../value-models-api';

const BASE = '/value-models';
/** Where share links open: a prefix of its own, so no path of it can be read as a model's (`/value-models/:id/…`). */
const SHARED = '/business-cases';
/** The report's simulation: the same trials and seed as the console's report page, so the ranges agree. */
const TRIALS = 20_000;
const SEED = 20_240_601;
const MAX_SHARE_DAYS = 90;

const persona: JsonSchema = { enum: [...personas] };
const customer: JsonSchema = { type: 'string', maxLength: 200 };
const idParams: JsonSchema = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } };
const caseQuery: JsonSchema = { type: 'object', additionalProperties: false, properties: { persona, customer } };
const linkParams: JsonSchema = { type: 'object', properties: { id: { type: 'string', maxLength: 100 }, linkId: { type: 'string', maxLength: 100 } } };
const createLinkBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['expiresInDays'],
  properties: { expiresInDays: { type: 'integer', minimum: 1, maximum: MAX_SHARE_DAYS }, persona, customer },
};
const publicParams: JsonSchema = { type: 'object', required: ['tenantId'], properties: { tenantId: { type: 'string', maxLength: 200 } } };
const publicQuery: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 10, maxLength: 500 }, persona },
};

// Share views are documents for people outside the tenant: never cached, never indexed, and the token in the URL is
// not sent on as a referrer.
const privateHeaders = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' };

const fileName = (report: BusinessCase) => `${report.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'business-case'}-${report.persona}.pdf`;

export interface BusinessCaseRouteDeps {
  readonly store: ValueModelStore;
  readonly calc: CalculationService;
  readonly links: ShareLinks;
  readonly audit: AuditLog;
  /** Where the tenant's logo is read: only these documents (report, PDF, share view) read it. */
  readonly branding: TenantBrandingService;
  readonly now?: () => Date;
}

/**
 * The customer-ready business case of a saved model: as JSON (the console renders it), as a branded PDF, and
 * through signed, expiring, revocable share links that open a read-only view without an account.
 */
export function createBusinessCaseRoutes(deps: BusinessCaseRouteDeps): RouteDefinition[] {
  const { store, calc, links, audit, branding } = deps;
  const now = deps.now ?? (() => new Date());

  const compose = async (tenant: TenantContext, version: ValueModelVersion, lens: Persona, who: string | null, signal: AbortSignal): Promise<BusinessCase> => {
    const budget = { signal, tenantId: tenant.id };
    const evaluation = await calc.evaluateModel({ model: version.model }, budget);
    let risk: RiskRange | null = null;
    const headline = await calc.headline({ model: version.model }, budget);
    if (headline) {
      const simulation = await calc.simulate({ model: version.model, trials: TRIALS, seed: SEED }, budget);
      risk = {
        p10: simulation.percentiles.p10,
        p50: simulation.percentiles.p50,
        p90: simulation.percentiles.p90,
        probabilityPositive: headline.probabilityPositive,
        trials: TRIALS,
        seed: SEED,
      };
    }
    const sensitivity = lens === 'cfo' ? null : await calc.sensitivity({ model: version.model, metric: 'npv' }, budget).catch(() => null);
    const logo = (await branding.logo(tenant.id)) ?? null;
    return buildBusinessCase({ version, evaluation, risk, sensitivity, persona: lens, tenant, logo, customer: who, now: now() });
  };

  const versionOf = async (tenantId: string, id: string, version?: number) => {
    const found = await store.getVersion(tenantId, id, version);
    if (!found) throw new VvError('VV_NOT_FOUND', { params: { reason: `Value model ${id} not found` } });
    return found;
  };

  const shared = async (request: PublicPluginRequest<unknown, { token: string; persona?: Persona }>) => {
    const link = await links.open(request.tenant.id, request.query.token, now());
    const version = await store.getVersion(request.tenant.id, link.modelId, link.version);
    if (!version) throw new VvError('VV_SHARE_LINK_INVALID', {});
    return { link, report: await compose(request.tenant, version, request.query.persona ?? link.persona, link.customer, request.signal) };
  };

  const sharedPage: RouteDefinition<unknown, { token: string; persona?: Persona }> = {
    method: 'GET',
    access: 'public',
    path: `${SHARED}/:tenantId`,
    summary: 'The read-only business case a share link opens (no sign-in; signed, expiring token), as an HTML page',
    schema: { params: publicParams, query: publicQuery },
    async handler(request) {
      const { report } = await shared(request);
      const base = `/api/v1${SHARED}/${encodeURIComponent(request.tenant.id)}`;
      const token = encodeURIComponent(request.query.token);
      const html = renderBusinessCaseHtml(report, { lens: (p) => `${base}?token=${token}&persona=${p}`, pdf: `${base}/pdf?token=${token}&persona=${report.persona}` });
      return respond(200, html, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ...privateHeaders,
      });
    },
  };

  const sharedPdf: RouteDefinition<unknown, { token: string; persona?: Persona }> = {
    method: 'GET',
    access: 'public',
    path: `${SHARED}/:tenantId/pdf`,
    summary: 'The business case a share link opens, as a PDF (no sign-in; signed, expiring token)',
    schema: { params: publicParams, query: publicQuery },
    async handler(request) {
      const { report } = await shared(request);
      return respond(200, await renderBusinessCasePdf(report), {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${fileName(report)}"`,
        ...privateHeaders,
      });
    },
  };

  const businessCase: RouteDefinition<unknown, { persona?: Persona; customer?: string }> = {
    method: 'GET',
    path: `${BASE}/:id/business-case`,
    summary: "A model's business case through one lens (?persona=cfo|executive|technical, default from the caller's role; ?customer=)",
    schema: { params: idParams, query: caseQuery, responses: { 200: businessCaseResponses.businessCase } },
    async handler(request) {
      const version = await versionOf(request.tenant.id, request.params['id']!);
      return compose(request.tenant, version, request.query.persona ?? defaultPersona(request.user.role), request.query.customer ?? null, request.signal);
    },
  };

  const businessCasePdf: RouteDefinition<unknown, { persona?: Persona; customer?: string }> = {
    method: 'GET',
    path: `${BASE}/:id/business-case/pdf`,
    summary: "A model's business case as a branded PDF (tenant logo and colours), through one lens",
    schema: { params: idParams, query: caseQuery },
    async handler(request) {
      const version = await versionOf(request.tenant.id, request.params['id']!);
      const report = await compose(request.tenant, version, request.query.persona ?? defaultPersona(request.user.role), request.query.customer ?? null, request.signal);
      return respond(200, await renderBusinessCasePdf(report), {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${fileName(report)}"`,
        'cache-control': 'no-store',
      });
    },
  };

  const listLinks: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id/share-links`,
    summary: "A model's share links, newest first (never their tokens)",
    minRole: 'member',
    schema: { params: idParams, responses: { 200: businessCaseResponses.shareLinks } },
    async handler(request) {
      const version = await versionOf(request.tenant.id, request.params['id']!);
      return { items: await links.list(request.tenant.id, version.id) };
    },
  };

  const createLink: RouteDefinition<{ expiresInDays: number; persona?: Persona; customer?: string }> = {
    method: 'POST',
    path: `${BASE}/:id/share-links`,
    summary: 'Create a signed share link to the latest version’s business case, expiring after 1 to 90 days; its URL is in this answer only',
    minRole: 'member',
    schema: { params: idParams, body: createLinkBody, responses: { 201: businessCaseResponses.createdShareLink } },
    async handler(request) {
      const version = await versionOf(request.tenant.id, request.params['id']!);
      const expiresAt = new Date(now().getTime() + request.body.expiresInDays * 86_400_000);
      const { link, token } = await links.create(request.tenant.id, {
        modelId: version.id,
        version: version.version,
        persona: request.body.persona ?? defaultPersona(request.user.role),
        customer: request.body.customer?.trim() || null,
        expiresAt,
        createdBy: request.user.id,
      });
      await audit.record({
        action: 'value-model.share-link-created',
        tenantId: request.tenant.id,
        target: `${version.id}/${link.id}`,
        after: { version: link.version, persona: link.persona, expiresAt: link.expiresAt },
      });
      const url = `/api/v1${SHARED}/${encodeURIComponent(request.tenant.id)}?token=${encodeURIComponent(token)}`;
      return respond(201, { ...link, url }, { Location: url });
    },
  };

  const revokeLink: RouteDefinition = {
    method: 'DELETE',
    path: `${BASE}/:id/share-links/:linkId`,
    summary: 'Revoke a share link: it stops opening the business case at once',
    minRole: 'member',
    schema: { params: linkParams, responses: { 200: businessCaseResponses.shareLink } },
    async handler(request) {
      const revoked = await links.revoke(request.tenant.id, request.params['id']!, request.params['linkId']!);
      if (!revoked) throw new VvError('VV_NOT_FOUND', { params: { reason: `Share link ${request.params['linkId']} not found` } });
      await audit.record({ action: 'value-model.share-link-revoked', tenantId: request.tenant.id, target: `${revoked.modelId}/${revoked.id}` });
      return revoked;
    },
  };

  return [sharedPage, sharedPdf, businessCase, businessCasePdf, listLinks, createLink, revokeLink] as RouteDefinition[];
}
