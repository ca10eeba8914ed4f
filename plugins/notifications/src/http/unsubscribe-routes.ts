import { VvError, respond, type AuditLog, type PublicRouteDefinition } from '@valueverse/plugin-sdk';
import type { PreferenceStore } from '../preferences/preference-store';
import type { UnsubscribeTokens } from '../preferences/unsubscribe-token';

const params = { type: 'object', required: ['tenantId'], properties: { tenantId: { type: 'string', maxLength: 200 } } } as const;
const query = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 10, maxLength: 2000 } } } as const;

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
  '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1b1b1f}button{font:inherit;padding:.5rem 1rem}</style>' +
  `</head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The unsubscribe link of every non-critical email, usable without signing in: the signed token says who, which
 * category and which channel. `GET` shows a confirmation page (link scanners that fetch URLs must not unsubscribe
 * anyone); `POST` unsubscribes — the page's button, and RFC 8058 one-click from mail clients (`List-Unsubscribe-Post`).
 */
export function createUnsubscribeRoutes(tokens: UnsubscribeTokens, preferences: PreferenceStore, audit: AuditLog): PublicRouteDefinition[] {
  const claimOf = async (tenantId: string, token: string) => {
    const claim = await tokens.verify(tenantId, token);
    if (!claim) throw new VvError('VV_NOTIFICATIONS_UNSUBSCRIBE_INVALID', {});
    return claim;
  };
  const confirm: PublicRouteDefinition<unknown, { token: string }> = {
    method: 'GET',
    access: 'public',
    path: '/notifications/unsubscribe/:tenantId',
    summary: 'The page behind an email’s unsubscribe link: asks to confirm (no sign-in; signed token)',
    schema: { params, query },
    handler: async (request) => {
      const claim = await claimOf(request.tenant.id, request.query.token);
      const action = `?token=${encodeURIComponent(request.query.token)}`;
      return respond(
        200,
        page(
          'Unsubscribe',
          `<p>Stop <strong>${escapeHtml(claim.category)}</strong> emails to ${escapeHtml(claim.recipient.replace(/^(user|email):/, ''))}?</p>` +
            `<form method="post" action="${escapeHtml(action)}"><button type="submit">Unsubscribe</button></form>`,
        ),
        { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      );
    },
  };
  const unsubscribe: PublicRouteDefinition<unknown, { token: string }> = {
    method: 'POST',
    access: 'public',
    path: '/notifications/unsubscribe/:tenantId',
    summary: 'Unsubscribe (the confirmation page’s button, or RFC 8058 one-click from a mail client)',
    // Mail clients post `List-Unsubscribe=One-Click` form-encoded; the token in the query is all that counts.
    rawBody: true,
    schema: { params, query },
    handler: async (request) => {
      const claim = await claimOf(request.tenant.id, request.query.token);
      await preferences.optOut(request.tenant.id, claim.recipient, claim.category, claim.channel);
      await audit.record({ action: 'notification.unsubscribed', actor: claim.recipient, target: `${claim.category}/${claim.channel}` });
      return respond(200, page('Unsubscribed', `<p>You will no longer get <strong>${escapeHtml(claim.category)}</strong> emails.</p>`), {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
    },
  };
  return [confirm, unsubscribe];
}
