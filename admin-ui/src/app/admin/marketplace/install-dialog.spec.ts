import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { InstallDialog, type InstallDialogData } from './install-dialog';

const data: InstallDialogData = {
  title: 'Install Acme notes',
  pluginId: 'acme-notes',
  pluginName: 'Acme notes',
  version: '1.1.0',
  confirmLabel: 'Install',
  versions: [
    { version: '1.1.0', permissions: ['db', 'events.publish:acme-notes.*', 'events.publish:commitment.created'], signerKeyId: 'a1b2c3d4e5f60718', trusted: false },
    { version: '1.0.0', permissions: [], signerKeyId: 'a1b2c3d4e5f60718', trusted: true },
  ],
};

describe('InstallDialog', () => {
  let fixture: ComponentFixture<InstallDialog>;
  const close = jest.fn();
  const el = () => fixture.nativeElement as HTMLElement;
  const confirmButton = () => [...el().querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === 'Install')!;

  beforeEach(async () => {
    close.mockClear();
    TestBed.configureTestingModule({
      imports: [InstallDialog],
      providers: [
        { provide: MAT_DIALOG_DATA, useValue: data },
        { provide: MatDialogRef, useValue: { close } },
      ],
    });
    fixture = TestBed.createComponent(InstallDialog);
    await fixture.whenStable();
  });

  it('shows the permissions, marks those outside the namespace and an untrusted signer, and needs approval first', async () => {
    const items = [...el().querySelectorAll('.permissions li')].map((li) => li.textContent!.trim());
    expect(items).toEqual(['db', 'events.publish:acme-notes.*', 'events.publish:commitment.created outside its namespace']);
    expect(el().querySelector('.signer')!.textContent).toContain('not trusted');
    expect(el().querySelector('[role="note"]')!.textContent).toContain('refused until the key is added');
    expect(confirmButton().disabled).toBe(true);

    el().querySelector<HTMLInputElement>('mat-checkbox input')!.click();
    await fixture.whenStable();
    expect(confirmButton().disabled).toBe(false);
    confirmButton().click();
    expect(close).toHaveBeenCalledWith({ version: '1.1.0', approvePermissions: ['events.publish:commitment.created'] });
  });

  it('asks nothing to approve for a version without permissions, and approval does not carry over to another version', async () => {
    el().querySelector<HTMLInputElement>('mat-checkbox input')!.click();
    await fixture.whenStable();
    const select = el().querySelector<HTMLSelectElement>('select')!;
    select.value = '1.0.0';
    select.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    expect(el().textContent).toContain('None.');
    expect(el().querySelector('mat-checkbox')).toBeNull();
    expect(el().querySelector('.signer')!.textContent).toContain('trusted');
    confirmButton().click();
    expect(close).toHaveBeenCalledWith({ version: '1.0.0', approvePermissions: [] });

    select.value = '1.1.0';
    select.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    expect(confirmButton().disabled).toBe(true);
  });
});
