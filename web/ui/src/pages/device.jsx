import { useEffect, useState } from 'preact/hooks';
import { api, describeError, query } from '../api.js';
import {
  useApi,
  ErrorMessage,
  Loading,
  Unavailable,
  Section,
  canEdit,
  factLabel,
  formatNumber,
  formatTime,
  PURDUE_LEVELS,
} from '../components.jsx';
import { Link } from '../router.jsx';
import { AlertTable } from './alerts.jsx';
import { vendorFact as bestVendorFact } from './inventory.jsx';

function EditForm({ device, onSaved }) {
  const a = device.annotation || {};
  const [name, setName] = useState(a.name || '');
  const [type, setType] = useState(a.type || '');
  const [purdue, setPurdue] = useState(a.purdueLevel === null || a.purdueLevel === undefined ? '' : String(a.purdueLevel));
  const [authorized, setAuthorized] = useState(a.authorized === true ? 'true' : a.authorized === false ? 'false' : '');
  const [notes, setNotes] = useState(a.notes || '');
  const [tags, setTags] = useState((a.tags || []).join(', '));
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setStatus(null);
    const body = {
      name: name.trim() || null,
      type: type.trim() || null,
      purdueLevel: purdue === '' ? null : Number(purdue),
      authorized: authorized === '' ? null : authorized === 'true',
      notes: notes.trim() || null,
      tags: tags.split(',').map((t) => t.trim()).filter(Boolean),
    };
    try {
      const fresh = await api(`/api/v1/devices/${device.id}`, { method: 'PATCH', body });
      setStatus('Saved.');
      onSaved(fresh);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form class="edit" onSubmit={submit} aria-labelledby="dev-edit">
      <h2 id="dev-edit">Edit</h2>
      <div class="form-grid">
        <label for="dev-name">Name</label>
        <input id="dev-name" value={name} maxLength={200} placeholder={device.displayName} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="dev-type">Type</label>
        <input id="dev-type" value={type} maxLength={100} placeholder={device.type || 'as detected'} onInput={(e) => setType(e.currentTarget.value)} />
        <label for="dev-purdue">Purdue level</label>
        <select id="dev-purdue" value={purdue} onChange={(e) => setPurdue(e.currentTarget.value)}>
          <option value="">As detected ({device.purdueLevel ?? 'unknown'})</option>
          {PURDUE_LEVELS.map((l) => (
            <option key={l} value={String(l)}>
              Level {l}
            </option>
          ))}
        </select>
        <label for="dev-authorized">Authorized</label>
        <select id="dev-authorized" value={authorized} onChange={(e) => setAuthorized(e.currentTarget.value)}>
          <option value="">Not set</option>
          <option value="true">Authorized</option>
          <option value="false">Not authorized</option>
        </select>
        <label for="dev-tags">Tags (comma separated)</label>
        <input id="dev-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
        <label for="dev-notes">Notes</label>
        <textarea id="dev-notes" rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </div>
      <button type="submit" class="primary">
        Save
      </button>
      {status && (
        <span class="ok" role="status">
          {' '}
          {status}
        </span>
      )}
      {error && (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      )}
    </form>
  );
}

// First seen, every identity fact's first appearance (a firmware change shows as a new
// value), and the last manual edit, newest first.
function timeline(d) {
  const events = [{ at: d.firstSeen, text: 'Device first seen', source: 'traffic' }];
  for (const f of d.facts) events.push({ at: f.firstSeen, text: `${factLabel(f.field)}: ${f.value}`, source: f.protocol });
  for (const p of d.protocols) events.push({ at: p.firstSeen, text: `Started speaking ${p.protocol} as ${p.role}`, source: p.protocol });
  if (d.annotation && d.annotation.updatedAt && d.annotation.updatedBy)
    events.push({ at: d.annotation.updatedAt, text: `Edited by ${d.annotation.updatedBy}`, source: 'console' });
  events.push({ at: d.lastSeen, text: 'Last seen', source: 'traffic' });
  return events.filter((e) => e.at).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

function DeviceAlerts({ device }) {
  const ip = device.ipAddresses[0];
  const { data, error } = useApi(ip ? `/api/v1/alerts${query({ q: ip, limit: 50 })}` : null);
  if (!ip) return <p class="muted">This device has no IP address to match alerts on.</p>;
  if (error) return <Unavailable error={error} what="The alerts API" />;
  if (!data) return <Loading />;
  if (data.items.length === 0) return <p class="muted">No alerts for this device.</p>;
  return <AlertTable items={data.items} />;
}

export function DevicePage({ id, me }) {
  const { data, error } = useApi(`/api/v1/devices/${id}`);
  const [device, setDevice] = useState(null);
  useEffect(() => setDevice(data), [data]);
  if (error) return <ErrorMessage error={error} />;
  if (!device) return <Loading />;
  const d = { ...device, connections: device.connections || (data && data.connections) || [], commands: device.commands || (data && data.commands) || [] };
  const a = d.annotation || {};
  const vendorFact = bestVendorFact(d);

  return (
    <>
      <p>
        <Link href="/devices">← Device inventory</Link>
      </p>
      <h1>
        {d.displayName} <span class="muted small">device {d.id}</span>
      </h1>
      <div class="grid">
        <Section title="Identity" id="dev-identity">
          <table class="kv">
            <tbody>
              <tr>
                <th scope="row">IP addresses</th>
                <td>{d.ipAddresses.join(', ') || '—'}</td>
              </tr>
              <tr>
                <th scope="row">MAC addresses</th>
                <td>{d.macAddresses.join(', ') || '—'}</td>
              </tr>
              <tr>
                <th scope="row">VLANs</th>
                <td>{d.vlans.join(', ') || '—'}</td>
              </tr>
              <tr>
                <th scope="row">Vendor</th>
                <td>
                  {vendorFact ? vendorFact.value : d.vendor || '—'}
                  <span class="prov">
                    {vendorFact ? ` from ${vendorFact.protocol === 'oui' ? 'the MAC address (OUI)' : vendorFact.protocol}` : d.vendor ? ' from the MAC address (OUI)' : ''}
                  </span>
                </td>
              </tr>
              <tr>
                <th scope="row">Model</th>
                <td>{d.model || '—'}</td>
              </tr>
              <tr>
                <th scope="row">Firmware</th>
                <td>{d.firmware || '—'}</td>
              </tr>
              <tr>
                <th scope="row">Type</th>
                <td>
                  {d.effectiveType || 'Unknown'}
                  {a.type && <span class="prov"> (set by {a.updatedBy}; detected: {d.type || 'unknown'})</span>}
                  {!a.type && d.typeReasons && d.typeReasons.length > 0 && <span class="prov"> because {d.typeReasons.join('; ')}</span>}
                </td>
              </tr>
              <tr>
                <th scope="row">Purdue level</th>
                <td>
                  {d.effectivePurdueLevel ?? 'unknown'}
                  {a.purdueLevel !== null && a.purdueLevel !== undefined && <span class="prov"> (set manually)</span>}
                </td>
              </tr>
              <tr>
                <th scope="row">Authorized</th>
                <td>{a.authorized === true ? 'yes' : a.authorized === false ? 'no' : 'not set'}</td>
              </tr>
              <tr>
                <th scope="row">Programming device</th>
                <td>{d.programmingDevice ? 'yes' : 'no'}</td>
              </tr>
              <tr>
                <th scope="row">Scanner</th>
                <td>{d.scanner ? 'yes' : 'no'}</td>
              </tr>
              <tr>
                <th scope="row">Router</th>
                <td>{d.isRouter ? 'yes' : 'no'}</td>
              </tr>
              <tr>
                <th scope="row">Tags</th>
                <td>{(a.tags || []).join(', ') || '—'}</td>
              </tr>
              <tr>
                <th scope="row">Notes</th>
                <td class="wrap">{a.notes || '—'}</td>
              </tr>
              <tr>
                <th scope="row">First / last seen</th>
                <td>
                  {formatTime(d.firstSeen)} / {formatTime(d.lastSeen)}
                </td>
              </tr>
              <tr>
                <th scope="row">Traffic</th>
                <td>
                  sent {formatNumber(d.packetsSent)} packets ({formatNumber(d.bytesSent)} bytes), received {formatNumber(d.packetsReceived)} packets (
                  {formatNumber(d.bytesReceived)} bytes)
                </td>
              </tr>
            </tbody>
          </table>
        </Section>
        {canEdit(me) ? (
          <section class="panel">
            <EditForm device={d} onSaved={(fresh) => setDevice({ ...fresh, connections: d.connections, commands: d.commands })} />
          </section>
        ) : null}
        <section class="panel wide" aria-labelledby="dev-facts">
          <h2 id="dev-facts">Identity facts and their provenance</h2>
          {d.facts.length === 0 ? (
            <p class="muted">No identity facts were reported by any protocol.</p>
          ) : (
            <table class="facts">
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Value</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Said by</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {d.facts.map((f, i) => (
                  <tr key={i} data-field={f.field}>
                    <th scope="row">{factLabel(f.field)}</th>
                    <td class="wrap">{f.value}</td>
                    <td>{f.protocol}</td>
                    <td>{f.event}</td>
                    <td>{formatTime(f.firstSeen)}</td>
                    <td>{formatTime(f.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <Section title="Protocols" id="dev-protocols">
          <table>
            <thead>
              <tr>
                <th scope="col">Protocol</th>
                <th scope="col">Role</th>
                <th scope="col" class="num">Flows</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {d.protocols.map((p, i) => (
                <tr key={i}>
                  <td>{p.protocol}</td>
                  <td>{p.role}</td>
                  <td class="num">{formatNumber(p.flows)}</td>
                  <td>{formatTime(p.firstSeen)}</td>
                  <td>{formatTime(p.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title="Timeline" id="dev-timeline">
          <ol class="timeline">
            {timeline(d).map((e, i) => (
              <li key={i}>
                <time dateTime={e.at}>{formatTime(e.at)}</time> {e.text} <span class="prov">({e.source})</span>
              </li>
            ))}
          </ol>
        </Section>
        <section class="panel wide" aria-labelledby="dev-commands">
          <h2 id="dev-commands">Commands</h2>
          {d.commands.length === 0 ? (
            <p class="muted">No application commands were seen.</p>
          ) : (
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Server</th>
                    <th scope="col">Protocol</th>
                    <th scope="col">Command</th>
                    <th scope="col">Write</th>
                    <th scope="col" class="num">Count</th>
                    <th scope="col" class="num">Errors</th>
                    <th scope="col">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {d.commands.map((c, i) => (
                    <tr key={i}>
                      <td>{c.client}</td>
                      <td>{c.server}</td>
                      <td>{c.protocol}</td>
                      <td>
                        {c.name} <span class="muted">({c.code})</span>
                      </td>
                      <td>{c.isWrite ? 'write' : ''}</td>
                      <td class="num">{formatNumber(c.count)}</td>
                      <td class="num">{formatNumber(c.errors)}</td>
                      <td>{formatTime(c.lastSeen)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="panel wide" aria-labelledby="dev-connections">
          <h2 id="dev-connections">Connections</h2>
          {d.connections.length === 0 ? (
            <p class="muted">No connections were seen.</p>
          ) : (
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Server</th>
                    <th scope="col">Transport</th>
                    <th scope="col" class="num">Port</th>
                    <th scope="col">Application</th>
                    <th scope="col" class="num">Packets</th>
                    <th scope="col" class="num">Bytes</th>
                    <th scope="col">First seen</th>
                    <th scope="col">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {d.connections.map((c, i) => (
                    <tr key={i}>
                      <td>{c.client}</td>
                      <td>{c.server}</td>
                      <td>{c.transport}</td>
                      <td class="num">{c.serverPort}</td>
                      <td>{c.application}</td>
                      <td class="num">{formatNumber(c.packets)}</td>
                      <td class="num">{formatNumber(c.bytes)}</td>
                      <td>{formatTime(c.firstSeen)}</td>
                      <td>{formatTime(c.lastSeen)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="panel wide" aria-labelledby="dev-alerts">
          <h2 id="dev-alerts">Alerts</h2>
          <DeviceAlerts device={d} />
        </section>
      </div>
    </>
  );
}
