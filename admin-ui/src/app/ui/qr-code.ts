import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import qrcode from 'qrcode-generator';

/** The dark modules of a QR code for `text` (error correction M) as one SVG path, in module units. */
export function qrPath(text: string): { size: number; path: string } {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const size = qr.getModuleCount();
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) if (qr.isDark(row, col)) path += `M${col} ${row}h1v1h-1z`;
  }
  return { size, path };
}

/**
 * A QR code drawn as inline SVG (no canvas, no data URL: the console's CSP stays strict), with a quiet zone of four
 * modules. `label` names it for screen readers; the same text should be offered in words beside it.
 */
@Component({
  selector: 'vv-qr-code',
  template: `
    <svg role="img" [attr.aria-label]="label()" [attr.viewBox]="viewBox()" [attr.width]="pixels()" [attr.height]="pixels()" shape-rendering="crispEdges">
      <rect [attr.x]="-4" [attr.y]="-4" width="100%" height="100%" fill="#fff" />
      <path [attr.d]="code().path" fill="#000" />
    </svg>
  `,
  styles: `
    :host {
      display: inline-block;
      line-height: 0;
    }
    svg {
      max-width: 100%;
      height: auto;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QrCode {
  readonly value = input.required<string>();
  readonly label = input.required<string>();
  readonly pixels = input(200);
  protected readonly code = computed(() => qrPath(this.value()));
  protected readonly viewBox = computed(() => `-4 -4 ${this.code().size + 8} ${this.code().size + 8}`);
}
