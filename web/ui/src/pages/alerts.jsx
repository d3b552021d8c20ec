import { useMemo, useState } from 'preact/hooks';
import { api, describeError, query } from '../api.js';
import { useApi, Loading, Unavailable, canEdit, formatNumber, formatTime } from '../components.jsx';
import { navigate } from '../router.jsx';

const ENGINES = [
  ['protocol_violation', 'Protocol violation'],
  ['policy_violation', 'Policy violation'],
  ['malware', 'Malware / TI'],
  ['anomaly', 'Anomaly'],
  ['operational', 'Operational'],
];
const ENGINE_NAMES = Object.fromEntries(ENGINES);
const SEVERITIES = ['Warning', 'Minor', 'Major', 'Critical'];
const STATES = ['new', 'acknowledged', 'muted', 'learned'];
const FILTER_KEYS = ['engine', 'severity', 'state', 'from', 'to', 'q', 'offset'];
const PAGE = 100;

export function AlertTable({ items, selected, onSelect }) {
  return (
    <div class="table-scroll">
      <table class="alerts">
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Title</th>
            <th scope="col">Engine</th>
            <th scope="col">Source</th>
            <th scope="col">Destination</th>
            <th scope="col">Protocol</th>
            <th scope="col" class="num">Count</th>
            <th scope="col">Last seen</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id} class={selected === a.id ? 'selected' : undefined} data-alert-id={a.id}>
              <td>
                <span class={`badge sev-${a.severity}`}>{a.severity}</span>
              </td>
              <td>
                {onSelect ? (
                  <button type="button" class="link" aria-expanded={selected === a.id} onClick={() => onSelect(a.id)}>
                    {a.title}
                  </button>
                ) : (
                  <a href={`/alerts?q=${encodeURIComponent(a.title)}`}>{a.title}</a>
                )}
              </td>
              <td>{ENGINE_NAMES[a.engine] || a.engine}</td>
              <td>{a.sourceIp || a.sourceMac}</td>
              <td>{a.destinationIp || a.destinationMac}</td>
              <td>{a.protocol}</td>
              <td class="num">{formatNumber(a.count)}</td>
              <td>{formatTime(a.lastSeen)}</td>
              <td class={`state-${a.state}`}>{a.state}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AlertDetail({ id, me, onChanged }) {
  const { data, error, reload } = useApi(`/api/v1/alerts/${id}`);
  const [comment, setComment] = useState('');
  const [actionError, setActionError] = useState(null);
  const [status, setStatus] = useState('');
  if (error) return <Unavailable error={error} what="This alert" />;
  if (!data) return <Loading />;
  const act = async (action) => {
    setActionError(null);
    try {
      await api(`/api/v1/alerts/${id}/${action}`, { method: 'POST' });
      setStatus(`Done: ${action}.`);
      reload();
      onChanged();
    } catch (err) {
      setActionError(err);
    }
  };
  const addComment = async (e) => {
    e.preventDefault();
    if (!comment.trim()) return;
    setActionError(null);
    try {
      await api(`/api/v1/alerts/${id}/comments`, { method: 'POST', body: { text: comment.trim() } });
      setComment('');
      setStatus('Comment added.');
      reload();
    } catch (err) {
      setActionError(err);
    }
  };
  const editable = canEdit(me);
  return (
    <section class="panel detail" aria-labelledby="alert-detail-title">
      <h2 id="alert-detail-title">
        <span class={`badge sev-${data.severity}`}>{data.severity}</span> {data.title}
      </h2>
      <p class="wrap">{data.message}</p>
      <table class="kv">
        <tbody>
          <tr>
            <th scope="row">Engine</th>
            <td>{ENGINE_NAMES[data.engine] || data.engine}</td>
          </tr>
          <tr>
            <th scope="row">Group</th>
            <td>{data.group}</td>
          </tr>
          <tr>
            <th scope="row">Source</th>
            <td>
              {data.sourceIp} {data.sourceMac}
            </td>
          </tr>
          <tr>
            <th scope="row">Destination</th>
            <td>
              {data.destinationIp} {data.destinationMac}
            </td>
          </tr>
          <tr>
            <th scope="row">Protocol</th>
            <td>{data.protocol}</td>
          </tr>
          <tr>
            <th scope="row">ATT&amp;CK for ICS</th>
            <td>{(data.attackTechniques || []).join(', ') || '—'}</td>
          </tr>
          <tr>
            <th scope="row">First / last seen</th>
            <td>
              {formatTime(data.firstSeen)} / {formatTime(data.lastSeen)} ({formatNumber(data.count)} times)
            </td>
          </tr>
          <tr>
            <th scope="row">State</th>
            <td data-testid="alert-state">{data.state}</td>
          </tr>
        </tbody>
      </table>
      <div class="actions">
        {data.hasPcap && (
          <a class="button" href={`/api/v2/alerts/pcap/${data.id}`} download={`alert-${data.id}.pcap`}>
            Download pcap
          </a>
        )}
        {editable && (
          <>
            <button type="button" disabled={data.state === 'acknowledged'} onClick={() => act('acknowledge')}>
              Acknowledge
            </button>
            {data.state === 'muted' ? (
              <button type="button" onClick={() => act('unmute')}>
                Unmute
              </button>
            ) : (
              <button type="button" onClick={() => act('mute')}>
                Mute
              </button>
            )}
            <button type="button" disabled={data.state === 'learned'} onClick={() => act('learn')}>
              Learn (add to baseline)
            </button>
          </>
        )}
        {status && <span role="status"> {status}</span>}
      </div>
      {actionError && (
        <p class="error" role="alert">
          {describeError(actionError)}
        </p>
      )}
      <h3>Comments</h3>
      {(data.comments || []).length === 0 && <p class="muted">No comments.</p>}
      <ul class="comments">
        {(data.comments || []).map((c, i) => (
          <li key={i}>
            <strong>{c.user}</strong> <time dateTime={c.at}>{formatTime(c.at)}</time>
            <p class="wrap">{c.text}</p>
          </li>
        ))}
      </ul>
      {editable && (
        <form onSubmit={addComment} class="inline-form">
          <label for="alert-comment">Add a comment</label>
          <textarea id="alert-comment" rows={2} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="submit">Comment</button>
        </form>
      )}
    </section>
  );
}

function toIso(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function Alerts({ me, search }) {
  const params = useMemo(() => {
    const p = Object.fromEntries(new URLSearchParams(search));
    const out = {};
    for (const k of FILTER_KEYS) if (p[k] !== undefined) out[k] = p[k];
    return out;
  }, [search]);
  const offset = Number(params.offset) || 0;
  const apiParams = { ...params, from: toIso(params.from), to: toIso(params.to), limit: PAGE };
  const { data, error, reload } = useApi(`/api/v1/alerts${query(apiParams)}`);
  const [selected, setSelected] = useState(null);
  const update = (changes) => {
    const next = { ...params, ...changes };
    if (!('offset' in changes)) delete next.offset;
    navigate(`/alerts${query(next)}`, { replace: true });
  };
  const select = (key, label, options) => (
    <div class="field">
      <label for={`al-${key}`}>{label}</label>
      <select id={`al-${key}`} value={params[key] || ''} onChange={(e) => update({ [key]: e.currentTarget.value })}>
        <option value="">Any</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <>
      <h1>Alerts</h1>
      <form class="filters" role="search" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <div class="field grow">
          <label for="al-q">Search</label>
          <input id="al-q" type="search" value={params.q || ''} onChange={(e) => update({ q: e.currentTarget.value })} />
        </div>
        {select('engine', 'Engine', ENGINES)}
        {select('severity', 'Severity', SEVERITIES.map((s) => [s, s]))}
        {select('state', 'State', STATES.map((s) => [s, s]))}
        <div class="field">
          <label for="al-from">From</label>
          <input id="al-from" type="datetime-local" value={params.from || ''} onChange={(e) => update({ from: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="al-to">To</label>
          <input id="al-to" type="datetime-local" value={params.to || ''} onChange={(e) => update({ to: e.currentTarget.value })} />
        </div>
      </form>
      {error && <Unavailable error={error} what="The alerts API" />}
      {!error && !data && <Loading />}
      {data && (
        <>
          <p class="muted" role="status">
            {formatNumber(data.total)} alerts
          </p>
          <div class="split">
            <AlertTable items={data.items} selected={selected} onSelect={(id) => setSelected(selected === id ? null : id)} />
            {selected !== null && <AlertDetail key={selected} id={selected} me={me} onChanged={reload} />}
          </div>
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={offset === 0} onClick={() => update({ offset: Math.max(0, offset - PAGE) })}>
              Previous
            </button>
            <button type="button" disabled={offset + PAGE >= data.total} onClick={() => update({ offset: offset + PAGE })}>
              Next
            </button>
          </nav>
        </>
      )}
    </>
  );
}
