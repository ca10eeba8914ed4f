import PDFDocument from 'pdfkit';
import type { Customer } from '../customers/customer-store';
import { minorUnitDigits } from '../pricing/decimal-money';
import type { Invoice } from './invoice-model';

/** Minor units as the currency is written (`USD 1,234.56`), without passing through a binary fraction. */
export function formatMinor(cents: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = cents < 0 ? '-' : '';
  const text = String(Math.abs(cents)).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${currency} ${whole}${digits > 0 ? `.${text.slice(-digits)}` : ''}`;
}

/**
 * The invoice as a PDF (pdfkit, its bundled Helvetica: nothing is fetched). Dated by the invoice, not the clock,
 * so the same invoice always gives the same document.
 */
export function renderInvoicePdf(invoice: Invoice, customer: Customer, seller: { name: string }): Promise<Buffer> {
  const at = new Date(invoice.finalizedAt ?? invoice.createdAt);
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.number ?? 'draft'}`, Author: seller.name, CreationDate: at, ModDate: at } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (cents: number) => formatMinor(cents, invoice.currency);
  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .text(invoice.status === 'draft' ? 'Draft invoice' : `Invoice ${invoice.number}`);
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  doc.text(`From: ${seller.name}`);
  doc.text(`To: ${customer.name}${customer.email ? ` <${customer.email}>` : ''} (${customer.externalId})`);
  doc.text(`Period: ${invoice.periodStart} to ${invoice.periodEnd} (${invoice.timeZone})`);
  doc.text(`Status: ${invoice.status}`);
  if (invoice.finalizedAt) doc.text(`Issued: ${invoice.finalizedAt.slice(0, 10)}`);
  doc.moveDown();
  const row = (left: string, quantity: string, amount: string, bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(left, 50, y, { width: 290 });
    const after = doc.y;
    doc.text(quantity, 350, y, { width: 80, align: 'right' });
    doc.text(amount, 440, y, { width: 105, align: 'right' });
    doc.y = Math.max(after, doc.y);
    doc.x = 50;
  };
  row('Description', 'Quantity', 'Amount', true);
  for (const line of invoice.lines) {
    row(line.description, line.quantity, money(line.amountCents));
    for (const tier of line.tiers ?? [])
      row(`    tier up to ${tier.upTo ?? '∞'}: ${tier.units} × ${tier.unitAmount}${tier.flatAmount !== '0' ? ` + ${tier.flatAmount}` : ''}`, '', money(tier.amountCents));
  }
  doc.moveDown();
  row('Subtotal', '', money(invoice.subtotalCents), true);
  row(`Tax (${invoice.taxRate})`, '', money(invoice.taxCents));
  if (invoice.creditsCents > 0) row('Credit applied', '', money(-invoice.creditsCents));
  row('Total', '', money(invoice.totalCents), true);
  for (const note of invoice.creditNotes) row(`Credit note ${note.number}: ${note.reason}`, '', money(-note.amountCents));
  if (invoice.paidCents > 0) row('Paid', '', money(-invoice.paidCents));
  row('Amount due', '', money(invoice.amountDueCents), true);
  doc.end();
  return done;
}
