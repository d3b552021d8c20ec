import { useState } from 'preact/hooks';
import { api, describeError, query, upload } from '../api.js';
import { useApi, Loading, Unavailable, Progress, canEdit, formatNumber, formatTime } from '../components.jsx';

function UploadForm({ onDone }) {
  const [file, setFile] = useState(null);
  const [name, setName] = useState('');
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setStatus('');
    setProgress(0);
    try {
      const result = await upload(`/api/v1/ti/packages${query({ name: name.trim() || file.name })}`, file, setProgress);
      setStatus(`Imported ${result && result.name ? result.name : file.name}.`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  return (
    <form class="panel inline-form" onSubmit={submit} aria-labelledby="ti-upload">
      <h2 id="ti-upload">Upload a package</h2>
      <p class="muted">STIX 2.1 bundles, MISP events, plain indicator lists, Zeek intel files or ICS signature rules.</p>
      <label for="ti-file">Package file</label>
      <input id="ti-file" type="file" required onChange={(e) => setFile(e.currentTarget.files[0] || null)} />
      <label for="ti-name">Name (optional)</label>
      <input id="ti-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit" class="primary" disabled={!file || progress !== null}>
        Upload
      </button>
      {progress !== null && <Progress value={progress} label="Upload" />}
      {status && <p role="status">{status}</p>}
      {error && (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      )}
    </form>
  );
}

export function ThreatIntel({ me }) {
  const { data, error, reload } = useApi('/api/v1/ti/packages');
  const [actionError, setActionError] = useState(null);
  const editable = canEdit(me);
  const act = async (path, body, method = 'POST') => {
    setActionError(null);
    try {
      await api(path, { method, body });
      reload();
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <>
      <h1>Threat intelligence</h1>
      {error && <Unavailable error={error} what="Threat intelligence" />}
      {!error && editable && <UploadForm onDone={reload} />}
      {actionError && (
        <p class="error" role="alert">
          {describeError(actionError)}
        </p>
      )}
      {!error && !data && <Loading />}
      {data && (
        <section class="panel" aria-labelledby="ti-list">
          <h2 id="ti-list">Packages</h2>
          {data.items.length === 0 && <p class="muted">No packages imported.</p>}
          <div class="table-scroll">
            <table class="ti">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Version</th>
                  <th scope="col">Built</th>
                  <th scope="col">Imported</th>
                  <th scope="col">Source</th>
                  <th scope="col" class="num">Indicators</th>
                  <th scope="col" class="num">Rules</th>
                  <th scope="col" class="num">Definitions</th>
                  <th scope="col" class="num">Rejected</th>
                  <th scope="col">Enabled</th>
                  {editable && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {data.items.map((p) => (
                  <tr key={p.id} data-package={p.name}>
                    <td>{p.name}</td>
                    <td>{p.kind}</td>
                    <td>{p.version}</td>
                    <td>{formatTime(p.buildDate)}</td>
                    <td>{formatTime(p.importedAt)}</td>
                    <td class="wrap">{p.source}</td>
                    <td class="num">{formatNumber(p.indicators)}</td>
                    <td class="num">{formatNumber(p.rules)}</td>
                    <td class="num">{formatNumber(p.definitions)}</td>
                    <td class="num">
                      {(p.rejected || []).length === 0 ? (
                        '0'
                      ) : (
                        <details>
                          <summary>{formatNumber(p.rejected.length)}</summary>
                          <ul class="rejected">
                            {p.rejected.map((r, i) => (
                              <li key={i}>
                                <code>{r.entry}</code>: {r.reason}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                    <td>{p.enabled ? 'yes' : 'no'}</td>
                    {editable && (
                      <td class="actions">
                        {p.enabled ? (
                          <button type="button" onClick={() => act(`/api/v1/ti/packages/${p.id}/disable`)}>
                            Disable
                          </button>
                        ) : (
                          <button type="button" onClick={() => act(`/api/v1/ti/packages/${p.id}/enable`)}>
                            Enable
                          </button>
                        )}
                        <button type="button" onClick={() => act('/api/v1/ti/rollback', { name: p.name })}>
                          Roll back
                        </button>
                        <button
                          type="button"
                          class="danger"
                          onClick={() => window.confirm(`Delete package ${p.name} ${p.version}?`) && act(`/api/v1/ti/packages/${p.id}`, undefined, 'DELETE')}
                        >
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
