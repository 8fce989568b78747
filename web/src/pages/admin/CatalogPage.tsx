// The catalog: every template, enabled or not. Add one, edit it, enable or
// disable it (existing environments keep running), delete it — refused with
// the API's reason while environments still use it, with "disable instead"
// right there.
import { type FormEvent, useEffect, useState } from 'react';
import type { AdminTemplate, Settings } from '../../api/adminTypes.js';
import { ApiError, request, send } from '../../api/client.js';
import type { Collection } from '../../api/types.js';
import { useResource } from '../../api/useResource.js';
import { Alert, ErrorAlert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { PlusIcon } from '../../components/Icons.js';
import { TextField } from '../../components/TextField.js';
import { formatCpu, formatMemory } from '../../quantity.js';
import { AdminLayout } from './AdminLayout.js';

type Editing = { mode: 'create' } | { mode: 'edit'; template: AdminTemplate; etag?: string };

export function CatalogPage() {
  const list = useResource<Collection<AdminTemplate>>('/api/v1/admin/templates');
  const settings = useResource<Settings>('/api/v1/admin/settings');
  const [editing, setEditing] = useState<Editing>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<{ error: unknown; template?: AdminTemplate }>();
  const [busy, setBusy] = useState<string>();
  const [deleting, setDeleting] = useState<AdminTemplate>();
  const tiers = settings.data ? Object.keys(settings.data.tiers) : [];
  // Templates as the last action answered them (null: deleted), until the reloaded list arrives.
  const [patched, setPatched] = useState<Record<string, AdminTemplate | null>>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new list is the signal to drop the patches
  useEffect(() => setPatched({}), [list.data]);
  const templates = list.data?.items
    .map((t) => (t.id in patched ? patched[t.id] : t))
    .filter((t): t is AdminTemplate => t != null);

  async function act(template: AdminTemplate, action: 'enable' | 'disable' | 'delete' | 'edit') {
    setBusy(`${action}:${template.id}`);
    setError(undefined);
    setNotice(undefined);
    const path = `/api/v1/admin/templates/${encodeURIComponent(template.id)}`;
    try {
      if (action === 'edit') {
        // Read it fresh, with its version when the API gives one, so the save cannot undo another's.
        const res = await send(path);
        const fresh = (await res.json()) as AdminTemplate;
        setEditing({ mode: 'edit', template: fresh, etag: res.headers.get('etag') ?? undefined });
        return;
      }
      if (action === 'delete') {
        await request(path, { method: 'DELETE' });
        setPatched((prev) => ({ ...prev, [template.id]: null }));
        setNotice(`Deleted “${template.name}”.`);
      } else {
        const saved = await request<AdminTemplate>(`${path}/${action}`, { method: 'POST' });
        setPatched((prev) => ({ ...prev, [template.id]: saved }));
        setNotice(
          action === 'enable'
            ? `Enabled “${template.name}”: its tiers can launch it.`
            : `Disabled “${template.name}”: nobody can launch it; running environments keep running.`,
        );
      }
      list.reload();
    } catch (err) {
      setError({ error: err, template });
    } finally {
      setBusy(undefined);
      setDeleting(undefined);
    }
  }

  const inUse =
    error?.error instanceof ApiError && error.error.status === 409 && error.template?.enabled;

  return (
    <AdminLayout
      title="Catalog"
      description="The templates people launch environments from, and which tiers may use each."
      actions={
        !editing && (
          <Button variant="primary" onClick={() => setEditing({ mode: 'create' })}>
            <PlusIcon /> Add template
          </Button>
        )
      }
    >
      {editing && (
        <TemplateForm
          key={editing.mode === 'edit' ? editing.template.id : 'new'}
          editing={editing}
          tiers={tiers}
          onCancel={() => setEditing(undefined)}
          onSaved={(t) => {
            setEditing(undefined);
            setPatched((prev) => ({ ...prev, [t.id]: t }));
            setNotice(
              editing.mode === 'create'
                ? `Added “${t.name}” to the catalog.`
                : `Saved “${t.name}”.`,
            );
            list.reload();
          }}
        />
      )}
      {notice && <Alert tone="success" title={notice} />}
      {error && (
        <div className="stack">
          <ErrorAlert error={error.error} />
          {inUse && error.template && (
            <div>
              <Button
                size="small"
                busy={busy === `disable:${error.template.id}`}
                onClick={() => error.template && act(error.template, 'disable')}
              >
                Disable “{error.template.name}” instead
              </Button>
            </div>
          )}
        </div>
      )}
      {list.error !== undefined && <ErrorAlert error={list.error} />}
      <section className="card" aria-labelledby="catalog-title">
        <div className="card-section" style={{ paddingBottom: '0.75rem' }}>
          <h2 id="catalog-title">Templates</h2>
        </div>
        {!templates ? (
          <p className="muted card-section" role="status">
            Loading the catalog…
          </p>
        ) : templates.length === 0 ? (
          <p className="muted card-section">The catalog is empty: add a first template.</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive-table" aria-labelledby="catalog-title">
              <thead>
                <tr>
                  <th scope="col">Template</th>
                  <th scope="col">Image</th>
                  <th scope="col">Resources</th>
                  <th scope="col">Tiers</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {templates.map((t) => (
                  <tr key={t.id}>
                    <td className="td-primary" data-label="Template">
                      {t.name}
                      <span className="step-message mono">{t.id}</span>
                    </td>
                    <td data-label="Image">
                      <code className="break">{t.image}</code>
                    </td>
                    <td data-label="Resources">
                      <span>
                        {formatCpu(t.defaultResources.cpu)} ·{' '}
                        {formatMemory(t.defaultResources.memory)}
                        <span className="step-message">
                          up to {formatCpu(t.maxResources.cpu)} ·{' '}
                          {formatMemory(t.maxResources.memory)}
                        </span>
                      </span>
                    </td>
                    <td data-label="Tiers">
                      <span className="scope-list">
                        {t.tiers.map((tier) => (
                          <span key={tier} className="chip">
                            {tier}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td data-label="State">
                      <span className={`badge ${t.enabled ? 'badge-running' : ''}`}>
                        {t.enabled ? 'Enabled' : 'Disabled'}
                      </span>
                    </td>
                    <td className="td-actions">
                      <span className="row row-end">
                        <Button
                          size="small"
                          busy={busy === `edit:${t.id}`}
                          onClick={() => act(t, 'edit')}
                          aria-label={`Edit ${t.name}`}
                        >
                          Edit
                        </Button>
                        <Button
                          size="small"
                          busy={busy === `${t.enabled ? 'disable' : 'enable'}:${t.id}`}
                          onClick={() => act(t, t.enabled ? 'disable' : 'enable')}
                          aria-label={`${t.enabled ? 'Disable' : 'Enable'} ${t.name}`}
                        >
                          {t.enabled ? 'Disable' : 'Enable'}
                        </Button>
                        <Button
                          size="small"
                          variant="quiet-danger"
                          onClick={() => setDeleting(t)}
                          aria-label={`Delete ${t.name}`}
                        >
                          Delete
                        </Button>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete “${deleting?.name ?? ''}”?`}
        confirmLabel="Delete template"
        busy={busy === `delete:${deleting?.id}`}
        onConfirm={() => deleting && act(deleting, 'delete')}
        onCancel={() => setDeleting(undefined)}
      >
        <p>
          It leaves the catalog for good. While environments still use it, it cannot be deleted:
          disable it instead, so no new ones start.
        </p>
      </ConfirmDialog>
    </AdminLayout>
  );
}

interface FormState {
  id: string;
  name: string;
  description: string;
  icon: string;
  image: string;
  port: string;
  workspacePath: string;
  readinessPath: string;
  readOnlyRootFilesystem: boolean;
  defaultCpu: string;
  defaultMemory: string;
  maxCpu: string;
  maxMemory: string;
  volumeSizeGi: string;
  tiers: string[];
  enabled: boolean;
  idleTimeoutMinutes: string;
  maxLifetimeHours: string;
}

function toForm(t: AdminTemplate | undefined, tiers: string[]): FormState {
  return {
    id: t?.id ?? '',
    name: t?.name ?? '',
    description: t?.description ?? '',
    icon: t?.icon ?? '',
    image: t?.image ?? '',
    port: String(t?.port ?? 8888),
    workspacePath: t?.workspacePath ?? '/home/jovyan',
    readinessPath: t?.readinessPath ?? '',
    readOnlyRootFilesystem: t?.readOnlyRootFilesystem ?? true,
    defaultCpu: t?.defaultResources.cpu ?? '500m',
    defaultMemory: t?.defaultResources.memory ?? '1Gi',
    maxCpu: t?.maxResources.cpu ?? '2',
    maxMemory: t?.maxResources.memory ?? '4Gi',
    volumeSizeGi: String(t?.volumeSizeGi ?? 5),
    tiers: t?.tiers ?? tiers.slice(0, 1),
    enabled: t?.enabled ?? true,
    idleTimeoutMinutes: t?.idleTimeoutMinutes ? String(t.idleTimeoutMinutes) : '',
    maxLifetimeHours: t?.maxLifetimeHours ? String(t.maxLifetimeHours) : '',
  };
}

function TemplateForm({
  editing,
  tiers,
  onCancel,
  onSaved,
}: {
  editing: Editing;
  tiers: string[];
  onCancel: () => void;
  onSaved: (t: AdminTemplate) => void;
}) {
  const original = editing.mode === 'edit' ? editing.template : undefined;
  const [form, setForm] = useState(() => toForm(original, tiers));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const apiError = error instanceof ApiError ? error : undefined;
  const fieldError = (field: string) => apiError?.fieldMessage(field);
  const stale = apiError?.status === 412;
  const tierChoices = [...new Set([...tiers, ...form.tiers])];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    // Fields the form does not show (command, args, env, pull secret) are kept as they were.
    const body: AdminTemplate = {
      ...original,
      id: form.id.trim(),
      name: form.name.trim(),
      description: form.description,
      image: form.image.trim(),
      port: Number(form.port),
      workspacePath: form.workspacePath.trim(),
      readOnlyRootFilesystem: form.readOnlyRootFilesystem,
      defaultResources: { cpu: form.defaultCpu.trim(), memory: form.defaultMemory.trim() },
      maxResources: { cpu: form.maxCpu.trim(), memory: form.maxMemory.trim() },
      volumeSizeGi: Number(form.volumeSizeGi),
      tiers: form.tiers,
      enabled: form.enabled,
    };
    if (form.icon.trim()) body.icon = form.icon.trim();
    else delete body.icon;
    if (form.readinessPath.trim()) body.readinessPath = form.readinessPath.trim();
    else delete body.readinessPath;
    // Optional: empty means the tier's alone.
    if (form.idleTimeoutMinutes.trim()) body.idleTimeoutMinutes = Number(form.idleTimeoutMinutes);
    else delete body.idleTimeoutMinutes;
    if (form.maxLifetimeHours.trim()) body.maxLifetimeHours = Number(form.maxLifetimeHours);
    else delete body.maxLifetimeHours;
    try {
      const saved =
        editing.mode === 'create'
          ? await request<AdminTemplate>('/api/v1/admin/templates', { method: 'POST', body })
          : await request<AdminTemplate>(
              `/api/v1/admin/templates/${encodeURIComponent(editing.template.id)}`,
              {
                method: 'PUT',
                body,
                headers: editing.etag ? { 'if-match': editing.etag } : {},
              },
            );
      onSaved(saved);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const title = editing.mode === 'create' ? 'New template' : `Edit “${original?.name}”`;
  return (
    <section className="card card-section" aria-labelledby="template-form-title">
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id="template-form-title">{title}</h2>
        {stale ? (
          <Alert tone="error" title="Someone else saved this template since you opened it">
            Cancel and edit it again to start from their version; your changes here are not saved.
          </Alert>
        ) : (
          error !== undefined && !apiError?.fieldErrors.length && <ErrorAlert error={error} />
        )}
        {apiError && apiError.fieldErrors.length > 0 && (
          <Alert tone="error" title="Some fields need a look">
            <ul>
              {apiError.fieldErrors.map((e) => (
                <li key={`${e.field}-${e.message}`}>
                  <code>{e.field}</code>: {e.message}
                </li>
              ))}
            </ul>
          </Alert>
        )}
        <div className="form-grid">
          <TextField
            label="Id"
            hint="A short lowercase slug, e.g. “rstudio”. It cannot change later."
            value={form.id}
            disabled={editing.mode === 'edit'}
            maxLength={40}
            onChange={(e) => set('id', e.target.value)}
            error={fieldError('id')}
          />
          <TextField
            label="Display name"
            value={form.name}
            maxLength={80}
            onChange={(e) => set('name', e.target.value)}
            error={fieldError('name')}
          />
          <div className="field span-all">
            <label htmlFor="template-description">Description</label>
            <textarea
              id="template-description"
              rows={2}
              maxLength={1000}
              value={form.description}
              onChange={(e) => set('description', e.target.value)}
            />
          </div>
          <TextField
            label="Image"
            hint="registry/repository:tag — the registry is always spelled out."
            value={form.image}
            spellCheck={false}
            onChange={(e) => set('image', e.target.value)}
            error={fieldError('image')}
          />
          <TextField
            label="Port"
            type="number"
            min={1}
            max={65535}
            value={form.port}
            onChange={(e) => set('port', e.target.value)}
            error={fieldError('port')}
          />
          <TextField
            label="Workspace path"
            hint="Where the volume is mounted; also HOME."
            value={form.workspacePath}
            onChange={(e) => set('workspacePath', e.target.value)}
            error={fieldError('workspacePath')}
          />
          <TextField
            label="Readiness path (optional)"
            hint="An HTTP path answering 200 when ready; a TCP check otherwise."
            value={form.readinessPath}
            onChange={(e) => set('readinessPath', e.target.value)}
            error={fieldError('readinessPath')}
          />
          <TextField
            label="Icon URL (optional)"
            hint="An https:// image."
            value={form.icon}
            onChange={(e) => set('icon', e.target.value)}
            error={fieldError('icon')}
          />
          <TextField
            label="Volume size (GiB)"
            type="number"
            min={1}
            value={form.volumeSizeGi}
            onChange={(e) => set('volumeSizeGi', e.target.value)}
            error={fieldError('volumeSizeGi')}
          />
          <TextField
            label="Default CPU"
            hint="e.g. 500m or 1"
            value={form.defaultCpu}
            onChange={(e) => set('defaultCpu', e.target.value)}
            error={fieldError('defaultResources.cpu')}
          />
          <TextField
            label="Default memory"
            hint="e.g. 1Gi"
            value={form.defaultMemory}
            onChange={(e) => set('defaultMemory', e.target.value)}
            error={fieldError('defaultResources.memory')}
          />
          <TextField
            label="Maximum CPU"
            value={form.maxCpu}
            onChange={(e) => set('maxCpu', e.target.value)}
            error={fieldError('maxResources.cpu')}
          />
          <TextField
            label="Maximum memory"
            value={form.maxMemory}
            onChange={(e) => set('maxMemory', e.target.value)}
            error={fieldError('maxResources.memory')}
          />
          <TextField
            label="Idle stop (minutes, optional)"
            hint="Stricter than the tier’s, for costly images; empty: the tier’s."
            type="number"
            min={1}
            value={form.idleTimeoutMinutes}
            onChange={(e) => set('idleTimeoutMinutes', e.target.value)}
            error={fieldError('idleTimeoutMinutes')}
          />
          <TextField
            label="Longest run (hours, optional)"
            hint="Empty: the tier’s."
            type="number"
            min={1}
            value={form.maxLifetimeHours}
            onChange={(e) => set('maxLifetimeHours', e.target.value)}
            error={fieldError('maxLifetimeHours')}
          />
          <fieldset className="field span-all">
            <legend>Tiers that may launch it</legend>
            <div className="check-row">
              {tierChoices.map((tier) => (
                <label key={tier} className="check">
                  <input
                    type="checkbox"
                    checked={form.tiers.includes(tier)}
                    onChange={(e) =>
                      set(
                        'tiers',
                        e.target.checked
                          ? [...form.tiers, tier]
                          : form.tiers.filter((t) => t !== tier),
                      )
                    }
                  />
                  <span>{tier}</span>
                </label>
              ))}
            </div>
            {fieldError('tiers') && <span className="field-error">{fieldError('tiers')}</span>}
          </fieldset>
          <fieldset className="field span-all">
            <legend>Options</legend>
            <div className="check-row">
              <label className="check">
                <input
                  type="checkbox"
                  checked={form.enabled}
                  onChange={(e) => set('enabled', e.target.checked)}
                />
                <span>Enabled (people can launch it)</span>
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={form.readOnlyRootFilesystem}
                  onChange={(e) => set('readOnlyRootFilesystem', e.target.checked)}
                />
                <span>Read-only root filesystem</span>
              </label>
            </div>
          </fieldset>
        </div>
        <div className="row">
          <Button type="submit" variant="primary" busy={busy}>
            {editing.mode === 'create' ? 'Add to catalog' : 'Save template'}
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}
