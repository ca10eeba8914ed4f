export { plugin, createNotificationsPlugin, type NotificationsOptions } from './plugin';
export { SIGNATURE_HEADER, signWebhook, verifyWebhook, DEFAULT_TOLERANCE_SECONDS } from './channels/webhook-signature';
export { INBOX_EVENT } from './delivery/notification-dispatcher';
