/** A Slack incoming-webhook body: `text` for notifications and clients without blocks, Block Kit for the rest. */
export function slackMessage(message: { subject: string; text: string; category: string; link?: string }): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: message.subject.slice(0, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(message.text).slice(0, 3000) } },
  ];
  if (message.link) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in ValueVerse' }, url: message.link }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `ValueVerse · ${escapeMrkdwn(message.category)}` }] });
  return { text: message.subject, blocks };
}

// Slack reads &, < and > as control characters in mrkdwn (links, mentions): escape them as its docs say.
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
