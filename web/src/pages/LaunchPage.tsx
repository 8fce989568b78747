// Launch: pick a template from the catalog, name the environment, choose
// resources within the template's (and your tier's) limits, and go — then
// watch it come up on its own page.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiError, request } from '../api/client.js';
import type { Collection, Environment, Limits, Template } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { Button } from '../components/Button.js';
import { RocketIcon } from '../components/Icons.js';
import { TemplateIcon } from '../components/TemplateIcon.js';
import { TextField } from '../components/TextField.js';
import { launchBlockedReason } from '../limits.js';
import {
  cpuChoices,
  cpuMillis,
  formatCpu,
  formatMemory,
  memoryBytes,
  memoryChoices,
} from '../quantity.js';
import { Link, navigate } from '../router.js';

/** The smaller of two quantities. */
const smaller = (a: string, b: string | undefined, size: (q: string) => number) =>
  b !== undefined && size(b) < size(a) ? b : a;

/** A template's resources within the tier's: what the form may offer. */
function sizesFor(t: Template, limits: Limits | undefined) {
  const maxCpu = smaller(t.maxResources.cpu, limits?.limits.maxCpu, cpuMillis);
  const maxMemory = smaller(t.maxResources.memory, limits?.limits.maxMemory, memoryBytes);
  return {
    maxCpu,
    maxMemory,
    defaultCpu: smaller(t.defaultResources.cpu, maxCpu, cpuMillis),
    defaultMemory: smaller(t.defaultResources.memory, maxMemory, memoryBytes),
  };
}

export function LaunchPage() {
  const [templates, setTemplates] = useState<Template[]>();
  const [limits, setLimits] = useState<Limits>();
  const [loadError, setLoadError] = useState<unknown>();
  const [templateId, setTemplateId] = useState<string>();
  const [name, setName] = useState('');
  const [cpu, setCpu] = useState('');
  const [memory, setMemory] = useState('');
  const [image, setImage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState(false);
  const cpuId = useId();
  const memoryId = useId();

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([
      request<Collection<Template>>('/api/v1/templates', { signal: controller.signal }),
      // Without the limits the form still works; the API refuses what is over them.
      request<Limits>('/api/v1/me/limits', { signal: controller.signal }).catch(() => undefined),
    ])
      .then(([page, mine]) => {
        setTemplates(page.items);
        setLimits(mine);
        const first = page.items[0];
        if (first) {
          const sizes = sizesFor(first, mine);
          setTemplateId(first.id);
          setCpu(sizes.defaultCpu);
          setMemory(sizes.defaultMemory);
        }
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoadError(err);
      });
    return () => controller.abort();
  }, []);

  const template = templates?.find((t) => t.id === templateId);

  function choose(t: Template) {
    const sizes = sizesFor(t, limits);
    setTemplateId(t.id);
    setCpu(sizes.defaultCpu);
    setMemory(sizes.defaultMemory);
  }

  const blockedReason = launchBlockedReason(limits);
  const sizes = template && sizesFor(template, limits);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!template || !name.trim() || blockedReason) return;
    setBusy(true);
    setError(undefined);
    try {
      const env = await request<Environment>('/api/v1/environments', {
        method: 'POST',
        body: {
          name: name.trim(),
          templateId: template.id,
          resources: { cpu, memory },
          ...(image.trim() ? { image: image.trim() } : {}),
        },
        // One launch per click, even if the request is retried.
        headers: { 'idempotency-key': crypto.randomUUID() },
      });
      navigate(`/environments/${env.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const apiError = error instanceof ApiError ? error : undefined;

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link href="/environments">Environments</Link> /
          </p>
          <h1>Launch an environment</h1>
          <p>It starts in about a minute. You can stop it any time; your files stay.</p>
        </div>
      </div>

      {limits && <TierLimitsPanel limits={limits} />}

      {loadError !== undefined ? (
        <ErrorAlert error={loadError} />
      ) : !templates ? (
        <p className="muted" role="status">
          Loading the catalog…
        </p>
      ) : templates.length === 0 ? (
        <div className="card empty-state">
          <h2>No template is available to you yet</h2>
          <p>
            An administrator adds templates to the catalog and chooses which tiers may use them.
          </p>
        </div>
      ) : (
        <form className="stack launch-form" onSubmit={submit} noValidate>
          {error !== undefined && !apiError?.fieldErrors.length && <ErrorAlert error={error} />}
          <fieldset className="card card-section">
            <legend className="legend-title">1. Template</legend>
            <div className="template-grid">
              {templates.map((t) => (
                <label key={t.id} className="template-card">
                  <input
                    type="radio"
                    name="template"
                    value={t.id}
                    checked={t.id === templateId}
                    onChange={() => choose(t)}
                  />
                  <TemplateIcon template={t} fallback={t.id} />
                  <span className="template-card-text">
                    <strong>{t.name}</strong>
                    <span>{t.description}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>

          {template && (
            <section className="card card-section stack" aria-labelledby="launch-details">
              <h2 id="launch-details">2. Name and size</h2>
              <TextField
                label="Name"
                hint="Anything that helps you recognise it, e.g. “Thesis analysis”."
                value={name}
                maxLength={63}
                onChange={(e) => setName(e.target.value)}
                error={
                  apiError?.fieldMessage('name') ??
                  (submitted && !name.trim() ? 'Give your environment a name.' : undefined)
                }
              />
              <div className="resource-grid">
                <div className="field">
                  <label htmlFor={cpuId}>CPU</label>
                  <select id={cpuId} value={cpu} onChange={(e) => setCpu(e.target.value)}>
                    {cpuChoices(sizes?.defaultCpu ?? cpu, sizes?.maxCpu ?? cpu).map((q) => (
                      <option key={q} value={q}>
                        {formatCpu(q)}
                      </option>
                    ))}
                  </select>
                  {apiError?.fieldMessage('resources.cpu') && (
                    <span className="field-error">{apiError.fieldMessage('resources.cpu')}</span>
                  )}
                </div>
                <div className="field">
                  <label htmlFor={memoryId}>Memory</label>
                  <select id={memoryId} value={memory} onChange={(e) => setMemory(e.target.value)}>
                    {memoryChoices(sizes?.defaultMemory ?? memory, sizes?.maxMemory ?? memory).map(
                      (q) => (
                        <option key={q} value={q}>
                          {formatMemory(q)}
                        </option>
                      ),
                    )}
                  </select>
                  {apiError?.fieldMessage('resources.memory') && (
                    <span className="field-error">{apiError.fieldMessage('resources.memory')}</span>
                  )}
                </div>
              </div>
              {limits?.customImages && (
                <TextField
                  label="Your own image (optional)"
                  hint={`Runs in place of ${template.name}’s image, with its port and workspace. Allowed from: ${limits.customImages.allowedRegistries.join(', ')}.`}
                  value={image}
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(e) => setImage(e.target.value)}
                  error={apiError?.fieldMessage('image')}
                />
              )}
              <p className="field-hint">
                {template.name} allows up to {formatCpu(template.maxResources.cpu)} and{' '}
                {formatMemory(template.maxResources.memory)}
                {limits
                  ? `; your ${limits.tier} tier up to ${formatCpu(limits.limits.maxCpu)} and ${formatMemory(limits.limits.maxMemory)}.`
                  : '; your tier may allow less.'}{' '}
                Your files live on a{' '}
                {Math.min(template.volumeSizeGi, limits?.limits.volumeSizeGi ?? Infinity)} GiB
                workspace volume.
              </p>
              {blockedReason && (
                <p id="launch-blocked" className="disabled-reason warning-note">
                  {blockedReason}
                </p>
              )}
              <div className="row">
                <Button
                  type="submit"
                  variant="primary"
                  busy={busy}
                  disabled={blockedReason !== undefined}
                  aria-describedby={blockedReason ? 'launch-blocked' : undefined}
                >
                  <RocketIcon size={16} /> {busy ? 'Launching…' : 'Launch'}
                </Button>
                <Link className="btn btn-ghost" href="/environments">
                  Cancel
                </Link>
              </div>
            </section>
          )}
        </form>
      )}
    </>
  );
}

/** The tier's limits and what is used of them, so nothing on the form comes as a surprise. */
function TierLimitsPanel({ limits }: { limits: Limits }) {
  const { limits: l, usage } = limits;
  return (
    <section className="card card-section tier-limits" aria-labelledby="limits-title">
      <h2 id="limits-title">Your {limits.tier} tier</h2>
      <ul className="limits-line" aria-label="Your limits">
        <li className="chip">
          {usage.running} of {l.maxRunning} running
        </li>
        <li className="chip">
          {usage.total} of {l.maxTotal} environments
        </li>
        <li className="chip">
          up to {formatCpu(l.maxCpu)} · {formatMemory(l.maxMemory)} each
        </li>
        <li className="chip">stops after {l.idleTimeoutMinutes} min unused</li>
        <li className="chip">runs at most {l.maxLifetimeHours} h</li>
      </ul>
    </section>
  );
}
