import { useEffect, useRef } from 'preact/hooks';
import { useApi, ErrorMessage, Loading, Unavailable, formatBytes, formatNumber, formatTime } from '../components.jsx';
import { Link } from '../router.jsx';
import { query } from '../api.js';

// A horizontal bar list: each bar links to the inventory filtered by that value.
function BarList({ title, id, items, filter }) {
  const max = Math.max(1, ...items.map((i) => i.count));
  const shown = items.slice(0, 12);
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {shown.length === 0 && <p class="muted">No devices yet.</p>}
      <table class="bars">
        <caption class="visually-hidden">{title}</caption>
        <tbody>
          {shown.map((item) => (
            <tr key={item.name}>
              <th scope="row">
                {filter ? <Link href={`/devices${query(filter(item.name))}`}>{item.name}</Link> : item.name}
              </th>
              <td class="bar-cell">
                <span class="bar" style={{ width: `${(100 * item.count) / max}%` }} />
              </td>
              <td class="num">{formatNumber(item.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length > shown.length && <p class="muted">and {items.length - shown.length} more</p>}
    </section>
  );
}

function AlertChart() {
  const { data, error } = useApi('/api/v1/alerts/summary?days=7');
  const canvas = useRef(null);
  useEffect(() => {
    if (!data || !canvas.current) return undefined;
    let chart = null;
    let cancelled = false;
    // Chart.js is loaded on demand so the inventory and login pages stay light.
    import('../chart.js').then(({ severityChart }) => {
      if (!cancelled && canvas.current) chart = severityChart(canvas.current, data.perDay || []);
    });
    return () => {
      cancelled = true;
      if (chart) chart.destroy();
    };
  }, [data]);
  return (
    <section class="panel wide" aria-labelledby="ov-alerts">
      <h2 id="ov-alerts">Alerts by severity, last 7 days</h2>
      {error && <Unavailable error={error} what="The alerts summary" />}
      {data && (
        <>
          <p>
            {Object.entries(data.bySeverity || {}).map(([severity, count]) => (
              <span key={severity} class={`badge sev-${severity}`}>
                {severity}: {formatNumber(count)}
              </span>
            ))}
          </p>
          <div class="chart-box">
            <canvas ref={canvas} role="img" aria-label="Alerts per day by severity" />
          </div>
        </>
      )}
    </section>
  );
}

function Health({ overview, stats, lastDevice }) {
  const runs = (stats && stats.runs) || overview.runs || [];
  const packets = runs.reduce((n, r) => n + (r.packets || 0), 0);
  const latest = runs[0];
  let rate = '';
  if (latest && latest.startedAt && latest.endedAt) {
    const seconds = (new Date(latest.endedAt) - new Date(latest.startedAt)) / 1000;
    if (seconds > 0) rate = `${formatNumber(Math.round(latest.packets / seconds))} packets/s`;
  }
  return (
    <section class="panel wide" aria-labelledby="ov-health">
      <h2 id="ov-health">Sensor health</h2>
      <dl class="cards">
        <div>
          <dt>Devices</dt>
          <dd>{formatNumber(overview.devices)}</dd>
        </div>
        <div>
          <dt>Connections</dt>
          <dd>{formatNumber(overview.connections)}</dd>
        </div>
        <div>
          <dt>Packets processed</dt>
          <dd>{formatNumber(packets)}</dd>
        </div>
        <div>
          <dt>Last run rate</dt>
          <dd>{rate || '—'}</dd>
        </div>
        <div>
          <dt>Last packet</dt>
          <dd>{lastDevice ? formatTime(lastDevice.lastSeen) : '—'}</dd>
        </div>
        <div>
          <dt>Database size</dt>
          <dd>{formatBytes(overview.databaseBytes)}</dd>
        </div>
      </dl>
      <h3>Capture runs and drops per interface</h3>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Mode</th>
              <th scope="col">Source</th>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Packets</th>
              <th scope="col" class="num">Dropped by sensor</th>
              <th scope="col" class="num">Dropped by interface</th>
              <th scope="col" class="num">Malformed</th>
            </tr>
          </thead>
          <tbody>
            {runs.slice(0, 10).map((r) => (
              <tr key={r.id}>
                <td>{r.id}</td>
                <td>{r.mode}</td>
                <td class="wrap">{r.source}</td>
                <td>{formatTime(r.startedAt)}</td>
                <td>{r.status}</td>
                <td class="num">{formatNumber(r.packets)}</td>
                <td class="num">{formatNumber(r.droppedBySensor)}</td>
                <td class="num">{formatNumber(r.droppedByInterface)}</td>
                <td class="num">{formatNumber(r.malformed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function Overview() {
  const overview = useApi('/api/v1/overview');
  const stats = useApi('/api/v1/stats');
  const last = useApi('/api/v1/devices?sort=lastSeen&order=desc&limit=1');
  if (overview.error) return <ErrorMessage error={overview.error} />;
  if (!overview.data) return <Loading />;
  const o = overview.data;
  return (
    <>
      <h1>Overview</h1>
      <div class="grid">
        <Health overview={o} stats={stats.data} lastDevice={last.data && last.data.items[0]} />
        <AlertChart />
        <BarList title="Devices by type" id="ov-type" items={o.byType} filter={(v) => ({ type: v })} />
        <BarList title="Devices by vendor" id="ov-vendor" items={o.byVendor} filter={(v) => ({ vendor: v })} />
        <BarList
          title="Devices by Purdue level"
          id="ov-purdue"
          items={o.byPurdueLevel}
          filter={(v) => ({ purdueLevel: v === 'unknown' ? -1 : v })}
        />
        <BarList title="Devices by protocol" id="ov-protocol" items={o.byProtocol} filter={(v) => ({ protocol: v })} />
      </div>
    </>
  );
}
