// Launch: pick a template from the catalog, name the environment, choose
// resources within the template's (and your tier's) limits, and go — then
// watch it come up on its own page.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiError, request } from '../api/client.js';
import type { Collection, Environment, Template } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { Button } from '../components/Button.js';
import { RocketIcon } from '../components/Icons.js';
import { TemplateIcon } from '../components/TemplateIcon.js';
import { TextField } from '../components/TextField.js';
import { cpuChoices, formatCpu, formatMemory, memoryChoices } from '../quantity.js';
import { Link, navigate } from '../router.js';

export function LaunchPage() {
  const [templates, setTemplates] = useState<Template[]>();
  const [loadError, setLoadError] = useState<unknown>();
  const [templateId, setTemplateId] = useState<string>();
  const [name, setName] = useState('');
  const [cpu, setCpu] = useState('');
  const [memory, setMemory] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState(false);
  const cpuId = useId();
  const memoryId = useId();

  useEffect(() => {
    const controller = new AbortController();
    request<Collection<Template>>('/api/v1/templates', { signal: controller.signal })
      .then((page) => {
        setTemplates(page.items);
        const first = page.items[0];
        if (first) {
          setTemplateId(first.id);
          setCpu(first.defaultResources.cpu);
          setMemory(first.defaultResources.memory);
        }
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoadError(err);
      });
    return () => controller.abort();
  }, []);

  const template = templates?.find((t) => t.id === templateId);

  function choose(t: Template) {
    setTemplateId(t.id);
    setCpu(t.defaultResources.cpu);
    setMemory(t.defaultResources.memory);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!template || !name.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const env = await request<Environment>('/api/v1/environments', {
        method: 'POST',
        body: { name: name.trim(), templateId: template.id, resources: { cpu, memory } },
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
                    {cpuChoices(template.defaultResources.cpu, template.maxResources.cpu).map(
                      (q) => (
                        <option key={q} value={q}>
                          {formatCpu(q)}
                        </option>
                      ),
                    )}
                  </select>
                  {apiError?.fieldMessage('resources.cpu') && (
                    <span className="field-error">{apiError.fieldMessage('resources.cpu')}</span>
                  )}
                </div>
                <div className="field">
                  <label htmlFor={memoryId}>Memory</label>
                  <select id={memoryId} value={memory} onChange={(e) => setMemory(e.target.value)}>
                    {memoryChoices(
                      template.defaultResources.memory,
                      template.maxResources.memory,
                    ).map((q) => (
                      <option key={q} value={q}>
                        {formatMemory(q)}
                      </option>
                    ))}
                  </select>
                  {apiError?.fieldMessage('resources.memory') && (
                    <span className="field-error">{apiError.fieldMessage('resources.memory')}</span>
                  )}
                </div>
              </div>
              <p className="field-hint">
                {template.name} allows up to {formatCpu(template.maxResources.cpu)} and{' '}
                {formatMemory(template.maxResources.memory)}; your tier may allow less. Your files
                live on a {template.volumeSizeGi} GiB workspace volume.
              </p>
              <div className="row">
                <Button type="submit" variant="primary" busy={busy}>
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
