import PDFDocument from 'pdfkit';
import type { BusinessCase } from './business-case';

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

/**
 * The business case as a branded PDF (pdfkit, the library billing renders invoices with; its bundled Helvetica, so
 * nothing is fetched): a band in the tenant's primary colour with its logo, who it is prepared for and when, the
 * persona's key figures in the accent colour, then each section's text and tables.
 */
export function renderBusinessCasePdf(report: BusinessCase): Promise<Buffer> {
  const at = new Date(`${report.date}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `${report.title} — business case`, Author: report.preparedBy, Subject: report.personaLabel, CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const { primaryColor, accentColor, logo } = report.branding;
  const left = 50;
  const width = doc.page.width - 100;

  // Header band.
  doc.rect(0, 0, doc.page.width, 110).fill(primaryColor);
  let textLeft = left;
  if (logo) {
    try {
      doc.image(Buffer.from(logo.data, 'base64'), left, 25, { fit: [60, 60] });
      textLeft = left + 75;
    } catch {
      // An image pdfkit cannot read is left out rather than failing the document.
    }
  }
  doc
    .fillColor(textOn(primaryColor))
    .font('Helvetica-Bold')
    .fontSize(20)
    .text(report.title, textLeft, 30, { width: width - (textLeft - left) });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`Business case · ${report.personaLabel}`, textLeft, doc.y + 2)
    .text(`${report.customer ? `Prepared for ${report.customer} by ${report.preparedBy}` : `Prepared by ${report.preparedBy}`} · ${report.date}`);
  doc.fillColor('#1b1b1f');
  doc.x = left;
  doc.y = 130;

  doc.font('Helvetica-Bold').fontSize(13).text(report.headline, left, doc.y, { width });
  doc.moveDown();

  // Key figures: tiles with an accent rule.
  const columns = Math.min(report.figures.length, 3);
  const tileWidth = (width - (columns - 1) * 10) / columns;
  for (let i = 0; i < report.figures.length; i += columns) {
    const y = doc.y;
    let bottom = y;
    report.figures.slice(i, i + columns).forEach((figure, j) => {
      const x = left + j * (tileWidth + 10);
      doc.rect(x, y, 3, 36).fill(accentColor);
      doc
        .fillColor('#555555')
        .font('Helvetica')
        .fontSize(9)
        .text(figure.label, x + 8, y, { width: tileWidth - 8 });
      doc
        .fillColor('#1b1b1f')
        .font('Helvetica-Bold')
        .fontSize(12)
        .text(figure.value, x + 8, doc.y + 2, { width: tileWidth - 8 });
      bottom = Math.max(bottom, doc.y);
    });
    doc.x = left;
    doc.y = bottom + 10;
  }

  for (const section of report.sections) {
    if (doc.y > doc.page.height - 150) doc.addPage();
    doc
      .moveDown(0.5)
      .fillColor(primaryColor === '#ffffff' ? '#1b1b1f' : primaryColor)
      .font('Helvetica-Bold')
      .fontSize(13)
      .text(section.heading, left, doc.y, { width });
    doc.fillColor('#1b1b1f').font('Helvetica').fontSize(10);
    for (const paragraph of section.paragraphs ?? []) doc.moveDown(0.3).text(paragraph, left, doc.y, { width });
    const table = section.table;
    if (table && table.rows.length > 0) {
      doc.moveDown(0.5);
      const colWidth = width / table.columns.length;
      const row = (cells: readonly string[], bold: boolean) => {
        if (doc.y > doc.page.height - 80) doc.addPage();
        const y = doc.y;
        let bottom = y;
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
        cells.forEach((cell, c) => {
          doc.text(cell, left + c * colWidth, y, { width: colWidth - 6, align: table.numeric?.[c] ? 'right' : 'left' });
          bottom = Math.max(bottom, doc.y);
        });
        doc.x = left;
        doc.y = bottom + 3;
      };
      row(table.columns, true);
      doc
        .moveTo(left, doc.y)
        .lineTo(left + width, doc.y)
        .strokeColor(accentColor)
        .stroke();
      doc.y += 3;
      for (const cells of table.rows) row(cells, false);
    }
  }
  doc
    .moveDown()
    .fillColor('#555555')
    .font('Helvetica')
    .fontSize(8)
    .text(`Model ${report.modelId}, version ${report.version}. Amounts in ${report.currency}.`, left, doc.y, { width });
  doc.end();
  return done;
}
