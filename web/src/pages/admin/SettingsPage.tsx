// Settings and tiers: the installation's limits, edited as one versioned
// document. The save sends the ETag it read (If-Match); when someone else
// saved in between, the API answers 412 and the page says so and offers a
// reload rather than overwriting their change.
import { type FormEvent, useEffect, useState } from 'react';
import type { Settings, TierLimits } from '../../api/adminTypes.js';
import { ApiError, send } from '../../api/client.js';
import { useResource } from '../../api/useResource.js';
import { Alert, ErrorAlert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { PlusIcon } from '../../components/Icons.js';
import { TextField } from '../../components/TextField.js';
import { AdminLayout } from './AdminLayout.js';

const tierFields: Array<{ key: keyof TierLimits; label: string; numeric: boolean }> = [
  { key: 'maxRunning', label: 'Running at once', numeric: true },
  { key: 'maxTotal', label: 'Environments in all', numeric: true },
  { key: 'maxCpu', label: 'CPU per environment', numeric: false },
  { key: 'maxMemory', label: 'Memory per environment', numeric: false },
  { key: 'idleTimeoutMinutes', label: 'Idle stop (minutes)', numeric: true },
  { key: 'maxLifetimeHours', label: 'Longest run (hours)', numeric: true },
  { key: 'volumeSizeGi', label: 'Volume (GiB)', numeric: true },
  // Optional: empty means the installation's cull warning.
  { key: 'cullWarningMinutes', label: 'Cull warning (minutes)', numeric: true },
];

/** A tier's limits with one field set from its input; an empty optional field is left out. */
function withLimit(limits: TierLimits, key: keyof TierLimits, value: string, numeric: boolean) {
  const next: Record<string, unknown> = { ...limits };
  if (key === 'cullWarningMinutes' && value.trim() === '') delete next[key];
  else next[key] = numeric ? Number(value) : value;
  return next as unknown as TierLimits;
}

type Draft = Omit<Settings, 'tiers'> & { tiers: Array<{ name: string; limits: TierLimits }> };

const toDraft = (s: Settings): Draft => ({
  ...s,
  tiers: Object.entries(s.tiers).map(([name, limits]) => ({ name, limits: { ...limits } })),
});

export function SettingsPage() {
  const resource = useResource<Settings>('/api/v1/admin/settings');
  const [draft, setDraft] = useState<Draft>();
  const [etag, setEtag] = useState<string>();
  // The version the draft started from: fields the form does not show go back as they were.
  const [base, setBase] = useState<Settings>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [newTier, setNewTier] = useState('');

  useEffect(() => {
    if (resource.data) {
      setDraft(toDraft(resource.data));
      setBase(resource.data);
      setEtag(resource.etag);
    }
  }, [resource.data, resource.etag]);

  const apiError = error instanceof ApiError ? error : undefined;
  const stale = apiError?.status === 412;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const body: Settings = {
        ...base,
        maxRunningGlobal: draft.maxRunningGlobal,
        ...(draft.customImages ? { customImages: draft.customImages } : {}),
        cullWarningMinutes: draft.cullWarningMinutes,
        dataRetentionDays: draft.dataRetentionDays,
        tiers: Object.fromEntries(draft.tiers.map((t) => [t.name, t.limits])),
      };
      const res = await send('/api/v1/admin/settings', {
        method: 'PUT',
        body,
        headers: etag ? { 'if-match': etag } : {},
      });
      const next = (await res.json()) as Settings;
      setEtag(res.headers.get('etag') ?? undefined);
      setDraft(toDraft(next));
      setBase(next);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const setNumber =
    (key: 'maxRunningGlobal' | 'cullWarningMinutes' | 'dataRetentionDays') => (value: string) =>
      setDraft((d) => d && { ...d, [key]: Number(value) });
  const setTier = (index: number, key: keyof TierLimits, value: string, numeric: boolean) =>
    setDraft(
      (d) =>
        d && {
          ...d,
          tiers: d.tiers.map((t, i) =>
            i === index ? { ...t, limits: withLimit(t.limits, key, value, numeric) } : t,
          ),
        },
    );
  const fieldError = (field: string) => apiError?.fieldMessage(field);

  return (
    <AdminLayout
      title="Settings and tiers"
      description="Limits for the whole installation and for each tier. Changes apply to the next launch or start."
    >
      {resource.error !== undefined && <ErrorAlert error={resource.error} />}
      {stale && (
        <div className="stack">
          <Alert tone="error" title="Someone else saved the settings since you opened them">
            Your changes are not saved. Reload to see theirs, then make your change again.
          </Alert>
          <div>
            <Button
              size="small"
              onClick={() => {
                setError(undefined);
                resource.reload();
              }}
            >
              Reload the settings
            </Button>
          </div>
        </div>
      )}
      {error !== undefined && !stale && <ErrorAlert error={error} />}
      {apiError && apiError.fieldErrors.length > 0 && (
        <Alert tone="error" title="Some values need a look">
          <ul>
            {apiError.fieldErrors.map((e) => (
              <li key={`${e.field}-${e.message}`}>
                <code>{e.field}</code>: {e.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {saved && <Alert tone="success" title="Settings saved." />}
      {!draft ? (
        resource.error === undefined && (
          <p className="muted" role="status">
            Loading the settings…
          </p>
        )
      ) : (
        <form className="stack" style={{ gap: '1.5rem' }} onSubmit={submit} noValidate>
          <section className="card card-section stack" aria-labelledby="global-title">
            <h2 id="global-title">Installation</h2>
            <div className="form-grid">
              <TextField
                label="Running environments, all users"
                type="number"
                min={0}
                value={String(draft.maxRunningGlobal)}
                onChange={(e) => setNumber('maxRunningGlobal')(e.target.value)}
                error={fieldError('maxRunningGlobal')}
              />
              <TextField
                label="Cull warning (minutes before)"
                type="number"
                min={0}
                value={String(draft.cullWarningMinutes)}
                onChange={(e) => setNumber('cullWarningMinutes')(e.target.value)}
                error={fieldError('cullWarningMinutes')}
              />
              <TextField
                label="Data kept after deletion (days)"
                type="number"
                min={0}
                value={String(draft.dataRetentionDays)}
                onChange={(e) => setNumber('dataRetentionDays')(e.target.value)}
                error={fieldError('dataRetentionDays')}
              />
            </div>
          </section>

          <CustomImagesSection
            value={draft.customImages ?? { tiers: [], allowedRegistries: [] }}
            tiers={draft.tiers.map((t) => t.name)}
            error={fieldError('customImages.allowedRegistries') ?? fieldError('customImages.tiers')}
            onChange={(customImages) => setDraft((d) => d && { ...d, customImages })}
          />

          <section className="card" aria-labelledby="tiers-title">
            <div className="card-section card-title">
              <div>
                <h2 id="tiers-title">Tiers</h2>
                <p className="muted">
                  Each user has one tier; templates name the tiers that may use them.
                </p>
              </div>
            </div>
            <div className="table-wrap">
              <table className="responsive-table tier-table" aria-labelledby="tiers-title">
                <thead>
                  <tr>
                    <th scope="col">Tier</th>
                    {tierFields.map((f) => (
                      <th key={f.key} scope="col">
                        {f.label}
                      </th>
                    ))}
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {draft.tiers.map((tier, index) => (
                    <tr key={tier.name}>
                      <td className="td-primary" data-label="Tier">
                        {tier.name}
                      </td>
                      {tierFields.map((f) => (
                        <td key={f.key} data-label={f.label}>
                          <input
                            aria-label={`${f.label} for ${tier.name}`}
                            type={f.numeric ? 'number' : 'text'}
                            min={f.numeric ? 0 : undefined}
                            value={String(tier.limits[f.key] ?? '')}
                            placeholder={
                              f.key === 'cullWarningMinutes'
                                ? String(draft.cullWarningMinutes)
                                : undefined
                            }
                            aria-invalid={
                              fieldError(`tiers.${tier.name}.${f.key}`) ? true : undefined
                            }
                            onChange={(e) => setTier(index, f.key, e.target.value, f.numeric)}
                          />
                        </td>
                      ))}
                      <td className="td-actions">
                        <Button
                          size="small"
                          variant="quiet-danger"
                          disabled={draft.tiers.length === 1}
                          onClick={() =>
                            setDraft(
                              (d) => d && { ...d, tiers: d.tiers.filter((_, i) => i !== index) },
                            )
                          }
                          aria-label={`Remove the ${tier.name} tier`}
                        >
                          Remove
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="card-section row">
              <label htmlFor="new-tier" className="visually-hidden">
                New tier name
              </label>
              <input
                id="new-tier"
                placeholder="new-tier-name"
                value={newTier}
                onChange={(e) => setNewTier(e.target.value)}
                style={{ maxWidth: '14rem' }}
              />
              <Button
                size="small"
                disabled={!newTier.trim() || draft.tiers.some((t) => t.name === newTier.trim())}
                onClick={() => {
                  const name = newTier.trim().toLowerCase();
                  const base = draft.tiers[0]?.limits;
                  if (!base) return;
                  setDraft(
                    (d) => d && { ...d, tiers: [...d.tiers, { name, limits: { ...base } }] },
                  );
                  setNewTier('');
                }}
              >
                <PlusIcon size={16} /> Add tier
              </Button>
            </div>
          </section>

          <div className="row">
            <Button type="submit" variant="primary" busy={busy}>
              Save settings
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setError(undefined);
                setSaved(false);
                resource.reload();
              }}
            >
              Discard changes
            </Button>
          </div>
        </form>
      )}
    </AdminLayout>
  );
}

const linesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Custom images: off until tiers are named and registries or repositories listed. */
function CustomImagesSection({
  value,
  tiers,
  error,
  onChange,
}: {
  value: { tiers: string[]; allowedRegistries: string[] };
  tiers: string[];
  error: string | undefined;
  onChange: (value: { tiers: string[]; allowedRegistries: string[] }) => void;
}) {
  // The text as typed (blank lines included); the list is what its lines say. A list
  // from elsewhere (a reload) replaces the text; the list typed here leaves it alone.
  const [text, setText] = useState(value.allowedRegistries.join('\n'));
  useEffect(
    () =>
      setText((prev) =>
        linesOf(prev).join('\n') === value.allowedRegistries.join('\n')
          ? prev
          : value.allowedRegistries.join('\n'),
      ),
    [value.allowedRegistries],
  );
  return (
    <section className="card card-section stack" aria-labelledby="custom-images-title">
      <div>
        <h2 id="custom-images-title">Custom images</h2>
        <p className="muted">
          People in these tiers may launch an image of their own on top of a template, only from
          these registries or repositories (whole path segments: <code>ghcr.io/mylab</code> does not
          allow <code>ghcr.io/mylab-evil</code>).
        </p>
      </div>
      <fieldset className="field">
        <legend>Tiers allowed</legend>
        <div className="check-row">
          {tiers.map((tier) => (
            <label key={tier} className="check">
              <input
                type="checkbox"
                checked={value.tiers.includes(tier)}
                onChange={(e) =>
                  onChange({
                    ...value,
                    tiers: e.target.checked
                      ? [...value.tiers, tier]
                      : value.tiers.filter((t) => t !== tier),
                  })
                }
              />
              <span>{tier}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="custom-registries">Allowed registries or repositories, one per line</label>
        <textarea
          id="custom-registries"
          rows={3}
          spellCheck={false}
          value={text}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'custom-registries-error' : undefined}
          onChange={(e) => {
            setText(e.target.value);
            onChange({
              ...value,
              allowedRegistries: linesOf(e.target.value),
            });
          }}
        />
        {error && (
          <span id="custom-registries-error" className="field-error">
            {error}
          </span>
        )}
      </div>
    </section>
  );
}
