import { personaLabels, personas, type BusinessCase, type Persona } from './business-case';
import { textOn } from './business-case-pdf';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Darkens a `#rrggbb` colour until text in it reads on white (WCAG AA, 4.5:1), for headings in the brand colour. */
function readableOnWhite(hex: string): string {
  let [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const contrast = () => {
    const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const l = 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    return 1.05 / (l + 0.05);
  };
  while (contrast() < 4.5) [r, g, b] = [r!, g!, b!].map((c) => Math.floor(c * 0.85));
  return `#${[r, g, b].map((c) => c!.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The read-only business case a share link opens, rendered on the server: no script, no app chrome, the tenant's
 * colours and logo, a switch between the three lenses, and the PDF. Colours are `#rrggbb` (validated when set) and
 * every text is escaped.
 */
export function renderBusinessCaseHtml(report: BusinessCase, links: { readonly lens: (persona: Persona) => string; readonly pdf: string }): string {
  const { primaryColor, accentColor, logo } = report.branding;
  const heading = readableOnWhite(primaryColor);
  const accent = readableOnWhite(accentColor);
  const section = (s: BusinessCase['sections'][number]) =>
    `<section><h2>${escapeHtml(s.heading)}</h2>${(s.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${
      s.table && s.table.rows.length > 0
        ? `<div class="table" role="region" tabindex="0" aria-label="${escapeHtml(s.table.caption)}"><table><caption>${escapeHtml(s.table.caption)}</caption><thead><tr>${s.table.columns
            .map((c, i) => `<th scope="col"${s.table!.numeric?.[i] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`)
            .join('')}</tr></thead><tbody>${s.table.rows
            .map((row) => `<tr>${row.map((cell, i) => `<td${s.table!.numeric?.[i] ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table></div>`
        : ''
    }</section>`;
  const lenses = personas
    .map((p) =>
      p === report.persona
        ? `<li><a aria-current="page" href="${escapeHtml(links.lens(p))}">${personaLabels[p]}</a></li>`
        : `<li><a href="${escapeHtml(links.lens(p))}">${personaLabels[p]}</a></li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(report.title)} — business case</title>
<style>
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1f;background:#fff;line-height:1.5}
header{background:${primaryColor};color:${textOn(primaryColor)};padding:1.5rem 1rem}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}header .wrap{display:flex;gap:1rem;align-items:center;padding:0}
header img{max-height:56px;max-width:120px;background:#fff;border-radius:6px;padding:4px}
h1{margin:0;font-size:1.6rem;overflow-wrap:anywhere}header p{margin:.25rem 0 0}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:1rem 0}
nav a{display:inline-block;padding:.35rem .9rem;border:1px solid ${accent};border-radius:999px;color:${accent};text-decoration:none}
nav a[aria-current]{background:${accent};color:#fff}
.headline{font-size:1.2rem;font-weight:600}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;margin:1rem 0;padding:0;list-style:none}
.figures li{border-left:4px solid ${accentColor};padding:.25rem .75rem}.figures span{display:block;color:#555;font-size:.85rem}.figures strong{font-size:1.15rem}
h2{color:${heading};font-size:1.2rem;margin:1.5rem 0 .5rem}
.table{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%;font-size:.9rem}caption{text-align:left;color:#555;font-size:.85rem;padding-bottom:.25rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}.num{text-align:right;white-space:nowrap}
.actions a{color:${accent}}footer{color:#555;font-size:.85rem;margin:2rem 0}
@media print{nav,.actions{display:none}header{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
</style></head><body>
<header><div class="wrap">${logo ? `<img src="data:${logo.mediaType};base64,${logo.data}" alt="${escapeHtml(report.preparedBy)} logo">` : ''}<div>
<h1>${escapeHtml(report.title)}</h1>
<p>Business case · ${escapeHtml(report.personaLabel)}</p>
<p>${report.customer ? `Prepared for ${escapeHtml(report.customer)} by ${escapeHtml(report.preparedBy)}` : `Prepared by ${escapeHtml(report.preparedBy)}`} · <time datetime="${report.date}">${report.date}</time></p>
</div></div></header>
<main class="wrap">
<nav aria-label="Lens"><ul>${lenses}</ul></nav>
<p class="headline">${escapeHtml(report.headline)}</p>
<ul class="figures" aria-label="Key figures">${report.figures.map((f) => `<li><span>${escapeHtml(f.label)}</span><strong>${escapeHtml(f.value)}</strong></li>`).join('')}</ul>
<p class="actions"><a href="${escapeHtml(links.pdf)}" download>Download as PDF</a></p>
${report.sections.map(section).join('\n')}
<footer>Read-only view shared by ${escapeHtml(report.preparedBy)}. Model version ${report.version}; amounts in ${escapeHtml(report.currency)}.</footer>
</main></body></html>`;
}
