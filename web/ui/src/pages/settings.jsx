import { useEffect, useState } from 'preact/hooks';
import { api, describeError, query } from '../api.js';
import { useApi, ErrorMessage, Loading, Unavailable, canEdit, isAdmin, formatNumber, formatTime } from '../components.jsx';

function useAction(onDone) {
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const run = async (fn, message) => {
    setError(null);
    setStatus('');
    try {
      await fn();
      setStatus(message);
      if (onDone) onDone();
    } catch (err) {
      setError(err);
    }
  };
  const view = (
    <>
      {status && <p role="status">{status}</p>}
      {error && (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      )}
    </>
  );
  return [run, view];
}

// The API takes ca and pin for tls only, and only when given.
function syslogTarget({ host, port, transport, format, ca, pin }) {
  const target = { host, port: Number(port), transport, format };
  if (transport === 'tls' && ca) target.ca = ca;
  if (transport === 'tls' && pin) target.pin = pin;
  return target;
}

function SyslogTargets({ me }) {
  const { data, error, reload } = useApi('/api/v1/settings/export');
  const [targets, setTargets] = useState([]);
  const [run, feedback] = useAction(reload);
  useEffect(() => {
    if (data) setTargets(data.syslog || []);
  }, [data]);
  const editable = isAdmin(me);
  const change = (i, key, value) => setTargets(targets.map((t, j) => (j === i ? { ...t, [key]: value } : t)));
  const save = (e) => {
    e.preventDefault();
    run(
      () => api('/api/v1/settings/export', { method: 'PUT', body: { syslog: targets.map(syslogTarget) } }),
      'Syslog targets saved.',
    );
  };
  return (
    <section class="panel wide" aria-labelledby="set-syslog">
      <h2 id="set-syslog">Alert forwarding (syslog, CEF or JSON)</h2>
      {error && <Unavailable error={error} what="Alert forwarding" />}
      {!error && !data && <Loading />}
      {data && (
        <form onSubmit={save}>
          {targets.length === 0 && <p class="muted">No syslog targets: alerts stay on this sensor.</p>}
          <table>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Port</th>
                <th scope="col">Transport</th>
                <th scope="col">Format</th>
                <th scope="col">TLS: CA file or certificate SHA-256</th>
                {editable && <th scope="col">Remove</th>}
              </tr>
            </thead>
            <tbody>
              {targets.map((t, i) => (
                <tr key={i}>
                  <td>
                    <input aria-label={`Host of target ${i + 1}`} value={t.host} disabled={!editable} required onInput={(e) => change(i, 'host', e.currentTarget.value)} />
                  </td>
                  <td>
                    <input
                      aria-label={`Port of target ${i + 1}`}
                      type="number"
                      min="1"
                      max="65535"
                      value={t.port}
                      disabled={!editable}
                      required
                      onInput={(e) => change(i, 'port', e.currentTarget.value)}
                    />
                  </td>
                  <td>
                    <select aria-label={`Transport of target ${i + 1}`} value={t.transport} disabled={!editable} onChange={(e) => change(i, 'transport', e.currentTarget.value)}>
                      <option value="udp">UDP</option>
                      <option value="tcp">TCP</option>
                      <option value="tls">TLS</option>
                    </select>
                  </td>
                  <td>
                    <select aria-label={`Format of target ${i + 1}`} value={t.format} disabled={!editable} onChange={(e) => change(i, 'format', e.currentTarget.value)}>
                      <option value="cef">CEF</option>
                      <option value="json">JSON</option>
                    </select>
                  </td>
                  <td>
                    {t.transport === 'tls' && (
                      <>
                        <input aria-label={`CA file of target ${i + 1}`} placeholder="/etc/ssl/siem-ca.pem" value={t.ca || ''} disabled={!editable} onInput={(e) => change(i, 'ca', e.currentTarget.value)} />
                        <input aria-label={`Certificate SHA-256 of target ${i + 1}`} placeholder="SHA-256 pin" value={t.pin || ''} disabled={!editable} onInput={(e) => change(i, 'pin', e.currentTarget.value)} />
                      </>
                    )}
                  </td>
                  {editable && (
                    <td>
                      <button type="button" onClick={() => setTargets(targets.filter((_, j) => j !== i))}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {editable && (
            <div class="actions">
              <button type="button" onClick={() => setTargets([...targets, { host: '', port: 514, transport: 'udp', format: 'cef' }])}>
                Add target
              </button>
              <button type="submit" class="primary">
                Save targets
              </button>
            </div>
          )}
          {feedback}
        </form>
      )}
    </section>
  );
}

function Baseline({ me }) {
  const { data, error, reload } = useApi('/api/v1/baseline');
  const [minutes, setMinutes] = useState('60');
  const [run, feedback] = useAction(reload);
  const control = (action) =>
    run(
      () => api('/api/v1/baseline', { method: 'POST', body: action === 'learn' ? { action, minutes: Number(minutes) } : { action } }),
      `Baseline: ${action} done.`,
    );
  return (
    <section class="panel" aria-labelledby="set-baseline">
      <h2 id="set-baseline">Baseline learning</h2>
      {error && <Unavailable error={error} what="Baseline control" />}
      {!error && !data && <Loading />}
      {data && (
        <>
          <p data-testid="baseline-mode">
            {data.learning ? `Learning until ${formatTime(data.until)} (started ${formatTime(data.startedAt)}).` : 'Operational: new activity raises policy alerts.'}
          </p>
          {data.counts && (
            <table class="kv">
              <tbody>
                {Object.entries(data.counts).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td class="num">{formatNumber(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {canEdit(me) && (
            <div class="actions">
              <label for="bl-minutes">Learn for (minutes)</label>
              <input id="bl-minutes" type="number" min="1" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
              <button type="button" onClick={() => control('learn')}>
                Start learning
              </button>
              <button type="button" disabled={!data.learning} onClick={() => control('stop')}>
                Stop learning
              </button>
              <button type="button" class="danger" onClick={() => window.confirm('Forget the whole baseline?') && control('reset')}>
                Reset baseline
              </button>
            </div>
          )}
          {feedback}
        </>
      )}
    </section>
  );
}

function Users({ me }) {
  const { data, error, reload } = useApi('/api/v1/users');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('read-only');
  const [run, feedback] = useAction(reload);
  const add = (e) => {
    e.preventDefault();
    run(async () => {
      await api('/api/v1/users', { method: 'POST', body: { name, password, role } });
      setName('');
      setPassword('');
    }, `User ${name} added.`);
  };
  return (
    <section class="panel" aria-labelledby="set-users">
      <h2 id="set-users">Users and roles</h2>
      <ErrorMessage error={error} />
      {data && (
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Remove</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role}
                    onChange={(e) => {
                      const next = e.currentTarget.value;
                      run(() => api(`/api/v1/users/${encodeURIComponent(u.name)}`, { method: 'PATCH', body: { role: next } }), `${u.name} is now ${next}.`);
                    }}
                  >
                    <option value="admin">admin</option>
                    <option value="analyst">analyst</option>
                    <option value="read-only">read-only</option>
                  </select>
                </td>
                <td>{formatTime(u.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    disabled={u.name === me.user}
                    onClick={() =>
                      window.confirm(`Remove user ${u.name}?`) &&
                      run(() => api(`/api/v1/users/${encodeURIComponent(u.name)}`, { method: 'DELETE' }), `${u.name} removed.`)
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={add}>
        <h3>Add a user</h3>
        <label for="nu-name">User name</label>
        <input id="nu-name" required pattern="[A-Za-z0-9._@\-]{1,64}" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="nu-password">Password</label>
        <input id="nu-password" type="password" autocomplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <label for="nu-role">Role</label>
        <select id="nu-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          <option value="admin">admin</option>
          <option value="analyst">analyst</option>
          <option value="read-only">read-only</option>
        </select>
        <button type="submit" class="primary">
          Add user
        </button>
      </form>
      {feedback}
    </section>
  );
}

function Tokens({ me }) {
  const admin = isAdmin(me);
  const list = useApi(admin ? '/api/v1/tokens' : null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState(null);
  const [run, feedback] = useAction(admin ? list.reload : null);
  const create = (e) => {
    e.preventDefault();
    run(async () => {
      const result = await api('/api/v1/tokens', { method: 'POST', body: { name } });
      setCreated(result.token);
      setName('');
    }, 'Token created.');
  };
  return (
    <section class="panel" aria-labelledby="set-tokens">
      <h2 id="set-tokens">API tokens</h2>
      <p class="muted">Scripts send a token as <code>Authorization: Bearer …</code> and act with the role of the user who made it.</p>
      <form class="inline-form" onSubmit={create}>
        <label for="tok-name">New token name</label>
        <input id="tok-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Create token</button>
      </form>
      {created && (
        <p class="notice" role="status">
          Copy this token now; it is not shown again: <code class="secret">{created}</code>
        </p>
      )}
      {feedback}
      {admin && <ErrorMessage error={list.error} />}
      {admin && list.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">User</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.user}</td>
                <td>{formatTime(t.createdAt)}</td>
                <td>{formatTime(t.lastUsed) || 'never'}</td>
                <td>
                  <button type="button" class="danger" onClick={() => run(() => api(`/api/v1/tokens/${t.id}`, { method: 'DELETE' }), `Token ${t.name} revoked.`)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Audit() {
  const [offset, setOffset] = useState(0);
  const limit = 50;
  const { data, error } = useApi(`/api/v1/audit${query({ offset, limit })}`);
  return (
    <section class="panel wide" aria-labelledby="set-audit">
      <h2 id="set-audit">Audit log</h2>
      <ErrorMessage error={error} />
      {!data && !error && <Loading />}
      {data && (
        <>
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">User</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Detail</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.at)}</td>
                    <td>{e.user}</td>
                    <td>{e.action}</td>
                    <td>{e.target}</td>
                    <td class="wrap">{e.detail}</td>
                    <td>{e.remote}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Audit pages">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
              Newer
            </button>
            <span>
              {formatNumber(offset + 1)}–{formatNumber(Math.min(data.total, offset + limit))} of {formatNumber(data.total)}
            </span>
            <button type="button" disabled={offset + limit >= data.total} onClick={() => setOffset(offset + limit)}>
              Older
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

export function Settings({ me }) {
  return (
    <>
      <h1>Settings</h1>
      <div class="grid">
        {isAdmin(me) && <SyslogTargets me={me} />}
        <Baseline me={me} />
        <Tokens me={me} />
        {isAdmin(me) && <Users me={me} />}
        {isAdmin(me) && <Audit />}
        {!isAdmin(me) && <p class="notice">Alert forwarding, users, roles and the audit log are shown to administrators only.</p>}
      </div>
    </>
  );
}
