import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute, Router } from '@angular/router';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { chooseInstall, type InstallDecision, type InstallDialogData, type VersionChoice } from './install-dialog';
import { MarketplaceApi, type CatalogItem, type InstallRecord, type InstallView, type PackageDetails, type TrustedKey } from './marketplace-api';
import { TrustedKeys } from './trusted-keys';

/** Largest package file the kernel accepts (PACKAGE-SPEC "Limits"); larger ones are refused before uploading. */
const MAX_PACKAGE_BYTES = 20 * 1024 * 1024;

/**
 * Platform admins: the configured registry's catalog searched by `?q=` (kept in the URL), a plugin's details
 * (versions, permissions, signer and whether it is trusted, readme), install with the permissions approved, upgrade or
 * roll back, uninstall (forced when tenants use it), every instance's state, a package file uploaded instead of the
 * registry, and the trusted publisher keys.
 */
@Component({
  selector: 'vv-marketplace-page',
  imports: [ReactiveFormsModule, DatePipe, MatButtonModule, MatFormFieldModule, MatInputModule, RequestState, TrustedKeys],
  templateUrl: './marketplace.page.html',
  styleUrl: './marketplace.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MarketplacePage {
  private readonly api = inject(MarketplaceApi);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected readonly searchForm = this.fb.group({ q: ['', Validators.maxLength(200)] });
  protected readonly query = signal('');
  protected readonly catalog = signal<readonly CatalogItem[]>([]);
  protected readonly catalogLoading = signal(false);
  protected readonly catalogLoaded = signal(false);
  protected readonly catalogProblem = signal<Problem | undefined>(undefined);
  private catalogGeneration = 0;

  protected readonly installs = signal<readonly InstallView[]>([]);
  protected readonly installsLoading = signal(false);
  protected readonly installsLoaded = signal(false);
  protected readonly installsProblem = signal<Problem | undefined>(undefined);

  protected readonly trustedKeyIds = signal<ReadonlySet<string>>(new Set());

  protected readonly selectedId = signal<string | undefined>(undefined);
  protected readonly details = signal<PackageDetails | undefined>(undefined);
  protected readonly detailsLoading = signal(false);
  protected readonly detailsProblem = signal<Problem | undefined>(undefined);
  protected readonly selectedInstall = computed(() => this.installs().find((i) => i.pluginId === this.selectedId()));

  /** The plugin an action is running for, to disable its buttons. */
  protected readonly busyId = signal<string | undefined>(undefined);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected readonly file = signal<File | undefined>(undefined);
  protected readonly uploading = signal(false);

  constructor() {
    this.route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const q = params.get('q') ?? '';
      this.searchForm.setValue({ q });
      this.query.set(q);
      void this.loadCatalog();
    });
    void this.loadInstalls();
  }

  protected find(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { q: this.searchForm.getRawValue().q.trim() || null } });
  }

  protected clearSearch(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: {} });
  }

  protected async loadCatalog(): Promise<void> {
    const generation = ++this.catalogGeneration;
    this.catalogLoading.set(true);
    this.catalogProblem.set(undefined);
    try {
      const { items } = await this.api.catalog(this.query());
      if (generation !== this.catalogGeneration) return;
      this.catalog.set(items);
      this.catalogLoaded.set(true);
    } catch (error) {
      if (generation !== this.catalogGeneration) return;
      this.catalogProblem.set(toProblem(error));
      this.catalog.set([]);
      this.catalogLoaded.set(false);
    } finally {
      if (generation === this.catalogGeneration) this.catalogLoading.set(false);
    }
  }

  protected async loadInstalls(): Promise<void> {
    this.installsLoading.set(true);
    this.installsProblem.set(undefined);
    try {
      const { items } = await this.api.installs();
      this.installs.set(items);
      this.installsLoaded.set(true);
    } catch (error) {
      this.installsProblem.set(toProblem(error));
    } finally {
      this.installsLoading.set(false);
    }
  }

  protected keysChanged(keys: readonly TrustedKey[]): void {
    this.trustedKeyIds.set(new Set(keys.map((k) => k.keyId)));
  }

  protected isTrusted(keyId: string | null | undefined): boolean {
    return !!keyId && this.trustedKeyIds().has(keyId);
  }

  protected publisherOf(item: CatalogItem): string {
    return item.publisher?.name ?? '—';
  }

  /** Shows a plugin's details from the registry, and moves focus to them. */
  protected async showDetails(pluginId: string): Promise<void> {
    this.selectedId.set(pluginId);
    this.details.set(undefined);
    this.detailsProblem.set(undefined);
    this.detailsLoading.set(true);
    const details = await this.fetchDetails(pluginId);
    if (this.selectedId() !== pluginId) return;
    this.detailsLoading.set(false);
    if (details instanceof Error) this.detailsProblem.set(toProblem(details));
    else this.details.set(details);
    setTimeout(() => this.host.nativeElement.querySelector<HTMLElement>('#details-title')?.focus());
  }

  protected closeDetails(): void {
    this.selectedId.set(undefined);
    this.details.set(undefined);
    this.detailsProblem.set(undefined);
  }

  protected async install(item: Pick<CatalogItem, 'id' | 'displayName' | 'latestVersion'>): Promise<void> {
    const details = await this.detailsFor(item.id);
    const versions = details ? this.choices(details) : [{ version: item.latestVersion }];
    const version = versions.some((v) => v.version === item.latestVersion) ? item.latestVersion : (versions[0]?.version ?? item.latestVersion);
    const data: InstallDialogData = {
      title: `Install ${item.displayName}`,
      pluginId: item.id,
      pluginName: item.displayName,
      versions,
      version,
      confirmLabel: 'Install',
      explanation: 'It starts on every instance of this deployment; tenant admins then enable it for their tenant.',
    };
    await this.run(item.id, data, (decision) => this.api.install({ pluginId: item.id, version: decision.version, approvePermissions: decision.approvePermissions }), 'installed');
  }

  /** Upgrade or roll back: any published version, the previous one marked (a roll-back also reverts newer migrations). */
  protected async changeVersion(install: InstallView, rollBack = false): Promise<void> {
    const details = await this.detailsFor(install.pluginId);
    let versions: VersionChoice[] = details ? this.choices(details).filter((v) => v.version !== install.version) : [];
    if (install.previousVersion && !versions.some((v) => v.version === install.previousVersion)) versions.push({ version: install.previousVersion });
    versions = versions.map((v) => (v.version === install.previousVersion ? { ...v, note: 'previous' } : v));
    if (versions.length === 0) {
      this.error.set(`No other version of ${install.pluginId} is known: the registry lists none and there is no previous version.`);
      return;
    }
    const name = details?.displayName ?? install.pluginId;
    const data: InstallDialogData = {
      title: rollBack ? `Roll back ${name}` : `Change the version of ${name}`,
      pluginId: install.pluginId,
      pluginName: name,
      versions,
      version: rollBack && install.previousVersion ? install.previousVersion : versions[0]!.version,
      confirmLabel: rollBack ? 'Roll back' : 'Switch version',
      explanation: `Now ${install.version}. The chosen version starts beside it and requests switch when it is ready. A roll-back to the previous version (${install.previousVersion ?? 'none'}) runs the down migrations of newer ones; other downgrades are refused when the data is newer.`,
    };
    await this.run(
      install.pluginId,
      data,
      (decision) => this.api.changeVersion(install.pluginId, { version: decision.version, approvePermissions: decision.approvePermissions }),
      rollBack ? 'rolled back' : 'switched',
    );
  }

  /** Installs again an uninstalled plugin whose data is still kept. */
  protected async reinstall(install: InstallView): Promise<void> {
    await this.install({ id: install.pluginId, displayName: install.pluginId, latestVersion: install.version });
  }

  protected async uninstall(install: InstallView): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Uninstall ${install.pluginId}?`,
      message: `It stops on every instance. Its data is kept for the retention period${install.purgeAfter ? '' : ' (30 days by default)'}, and a re-install within it finds the data again.`,
      confirmLabel: 'Uninstall',
      danger: true,
    });
    if (!ok) return;
    this.begin(install.pluginId);
    try {
      await this.api.uninstall(install.pluginId);
      this.message.set(`${install.pluginId} is uninstalled.`);
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status !== 409) {
        this.error.set(describeProblem(problem));
        return;
      }
      await this.forceUninstall(install, problem);
    } finally {
      this.busyId.set(undefined);
      void this.refresh();
    }
  }

  /** Tenants have it enabled: say which, and what forcing does, before doing it. */
  private async forceUninstall(install: InstallView, problem: Problem): Promise<void> {
    const tenants = Array.isArray(problem.extensions['tenants']) ? (problem.extensions['tenants'] as unknown[]).map(String) : [];
    const ok = await confirm(this.dialog, {
      title: `${install.pluginId} is in use`,
      message: `${tenants.length === 1 ? 'This tenant has' : 'These tenants have'} it enabled. Uninstalling anyway disables it for ${tenants.length === 1 ? 'it' : 'them'}: their users lose its pages and API at once. Each change is audited, and the data is kept for the retention period.`,
      items: tenants,
      confirmLabel: 'Disable for all and uninstall',
      danger: true,
    });
    if (!ok) {
      this.error.set(`${install.pluginId} was not uninstalled: ${describeProblem(problem)}`);
      return;
    }
    try {
      const result = await this.api.uninstall(install.pluginId, true);
      this.message.set(`${install.pluginId} is uninstalled; disabled for ${result.disabledFor.length} tenant${result.disabledFor.length === 1 ? '' : 's'}.`);
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    }
  }

  protected pickFile(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.file.set(input.files?.[0] ?? undefined);
    this.error.set(undefined);
  }

  /** Installs from a package file: when it asks for permissions to approve, the server names them and the admin is asked. */
  protected async upload(): Promise<void> {
    const file = this.file();
    this.message.set(undefined);
    this.error.set(undefined);
    if (!file) {
      this.error.set('Choose a package file (.vvpkg) first.');
      return;
    }
    if (file.size > MAX_PACKAGE_BYTES) {
      this.error.set(`${file.name} is larger than 20 MB, the largest package the server accepts.`);
      return;
    }
    this.uploading.set(true);
    let approve: string[] = [];
    try {
      for (;;) {
        try {
          const record = await this.api.upload(file, approve);
          this.message.set(`${record.pluginId} ${record.version} is installed from ${file.name}${record.trust === 'unsigned' ? ' (unsigned)' : ''}.`);
          this.file.set(undefined);
          this.host.nativeElement.querySelector<HTMLInputElement>('#package-file')!.value = '';
          return;
        } catch (error) {
          const decision = await this.approvalAfterRefusal(toProblem(error), file.name, approve);
          if (!decision) return;
          approve = decision.approvePermissions;
        }
      }
    } finally {
      this.uploading.set(false);
      void this.refresh();
    }
  }

  /**
   * Opens the approval dialog, sends what the admin decided, and when the server still wants permissions approved
   * (VV_PERMISSION_NOT_APPROVED names them) asks again with exactly those.
   */
  private async run(pluginId: string, data: InstallDialogData, send: (decision: InstallDecision) => Promise<InstallRecord>, done: string): Promise<void> {
    this.message.set(undefined);
    this.error.set(undefined);
    let decision = await chooseInstall(this.dialog, data);
    if (!decision) return;
    this.begin(pluginId);
    try {
      for (;;) {
        try {
          const record = await send(decision);
          this.message.set(`${record.pluginId} ${record.version} is ${done}${record.trust === 'unsigned' ? ' (unsigned)' : ''}.`);
          return;
        } catch (error) {
          const next = await this.approvalAfterRefusal(toProblem(error), data.pluginName, decision.approvePermissions, decision.version);
          if (!next) return;
          decision = next;
        }
      }
    } finally {
      this.busyId.set(undefined);
      void this.refresh();
    }
  }

  /** A refusal for unapproved permissions asks for them (once per set); any other problem is shown. */
  private async approvalAfterRefusal(problem: Problem, name: string, approvedAlready: readonly string[], version?: string): Promise<InstallDecision | undefined> {
    const wanted = Array.isArray(problem.extensions['permissions']) ? (problem.extensions['permissions'] as unknown[]).map(String) : [];
    const pluginId = typeof problem.extensions['plugin'] === 'string' ? problem.extensions['plugin'] : (this.busyId() ?? name);
    if (problem.code !== 'VV_PERMISSION_NOT_APPROVED' || wanted.length === 0 || wanted.every((p) => approvedAlready.includes(p))) {
      this.error.set(describeProblem(problem));
      return undefined;
    }
    const decision = await chooseInstall(this.dialog, {
      title: `Approve permissions for ${name}`,
      pluginId,
      pluginName: name,
      versions: [{ version: version ?? '', permissions: wanted }],
      version: version ?? '',
      confirmLabel: 'Approve and install',
      explanation: describeProblem(problem),
    });
    if (!decision) {
      this.error.set(`Not installed: ${describeProblem(problem)}`);
      return undefined;
    }
    return { version: decision.version, approvePermissions: [...new Set([...approvedAlready, ...wanted])] };
  }

  private begin(pluginId: string): void {
    this.busyId.set(pluginId);
    this.message.set(undefined);
    this.error.set(undefined);
  }

  /** After a change: installs, catalog, and the details shown (download counts, installed version). */
  private async refresh(): Promise<void> {
    const shown = this.details()?.id;
    await Promise.all([
      this.loadInstalls(),
      this.loadCatalog(),
      shown
        ? this.fetchDetails(shown).then((d) => {
            if (!(d instanceof Error) && this.selectedId() === shown) this.details.set(d);
          })
        : undefined,
    ]);
  }

  /** The registry's versions of a package, newest first, yanked ones left out, with signer trust. */
  private choices(details: PackageDetails): VersionChoice[] {
    return details.versions
      .filter((v) => !v.yanked)
      .map((v) => ({ version: v.version, permissions: v.permissions, signerKeyId: v.signer.keyId, trusted: this.isTrusted(v.signer.keyId), kernel: v.kernel }));
  }

  /** Details for a dialog: those shown when they are of this plugin, else fetched; undefined when the registry has none. */
  private async detailsFor(pluginId: string): Promise<PackageDetails | undefined> {
    const shown = this.details();
    if (shown?.id === pluginId) return shown;
    const details = await this.fetchDetails(pluginId);
    return details instanceof Error ? undefined : details;
  }

  private async fetchDetails(pluginId: string): Promise<PackageDetails | Error> {
    try {
      return await this.api.details(pluginId);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}
