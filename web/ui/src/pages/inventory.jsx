import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from '../api.js';
import { useApi, ErrorMessage, SortHeader, formatNumber, formatTime, PURDUE_LEVELS } from '../components.jsx';
import { Link, navigate } from '../router.jsx';

// Every column the table can show; `sort` names the server's sort key.
const COLUMNS = [
  { id: 'name', label: 'Name', sort: 'name', cell: (d) => <Link href={`/devices/${d.id}`}>{d.displayName || `device ${d.id}`}</Link> },
  { id: 'ip', label: 'IP addresses', sort: 'ip', cell: (d) => d.ipAddresses.join(', ') },
  { id: 'mac', label: 'MAC address', sort: 'mac', cell: (d) => d.macAddresses.join(', ') },
  { id: 'vendor', label: 'Vendor', sort: 'vendor', cell: (d) => vendorOf(d) },
  { id: 'type', label: 'Type', sort: 'type', cell: (d) => d.effectiveType },
  { id: 'model', label: 'Model', sort: 'model', cell: (d) => d.model },
  { id: 'firmware', label: 'Firmware', sort: 'firmware', cell: (d) => d.firmware },
  { id: 'purdueLevel', label: 'Purdue', sort: 'purdueLevel', cell: (d) => d.effectivePurdueLevel ?? '' },
  { id: 'protocols', label: 'Protocols', cell: (d) => [...new Set(d.protocols.map((p) => p.protocol))].join(', ') },
  { id: 'vlans', label: 'VLANs', cell: (d) => d.vlans.join(', ') },
  { id: 'authorized', label: 'Authorized', cell: (d) => authorizedText(d) },
  { id: 'flags', label: 'Flags', cell: (d) => [d.programmingDevice && 'programming device', d.scanner && 'scanner'].filter(Boolean).join(', ') },
  { id: 'tags', label: 'Tags', cell: (d) => (d.annotation.tags || []).join(', ') },
  { id: 'firstSeen', label: 'First seen', sort: 'firstSeen', cell: (d) => formatTime(d.firstSeen) },
  { id: 'lastSeen', label: 'Last seen', sort: 'lastSeen', cell: (d) => formatTime(d.lastSeen) },
  { id: 'packets', label: 'Packets sent', sort: 'packets', cell: (d) => formatNumber(d.packetsSent), num: true },
];
const DEFAULT_COLUMNS = ['name', 'ip', 'mac', 'vendor', 'type', 'model', 'firmware', 'purdueLevel', 'protocols', 'lastSeen'];
const COLUMNS_KEY = 'otsensor.inventory.columns';
const FILTER_KEYS = ['q', 'type', 'vendor', 'protocol', 'purdueLevel', 'authorized', 'programmingDevice', 'scanner', 'sort', 'order', 'offset', 'limit'];
const PAGE_SIZES = [50, 100, 250, 500];

// The vendor a protocol reported beats the one guessed from the MAC address (OUI).
export function vendorFact(d) {
  const facts = d.facts.filter((f) => f.field === 'vendor');
  return facts.find((f) => f.protocol !== 'oui') || facts[0] || null;
}

export function vendorOf(d) {
  const fact = vendorFact(d);
  return fact ? fact.value : d.vendor;
}

function authorizedText(d) {
  const value = d.annotation.authorized;
  return value === true ? 'yes' : value === false ? 'no' : '';
}

function loadColumns() {
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY));
    if (Array.isArray(saved) && saved.length) return saved.filter((c) => COLUMNS.some((k) => k.id === c));
  } catch {
    // Unreadable preference: use the defaults.
  }
  return DEFAULT_COLUMNS;
}

function ColumnChooser({ shown, setShown }) {
  const toggle = (id) => {
    const next = shown.includes(id) ? shown.filter((c) => c !== id) : COLUMNS.map((c) => c.id).filter((c) => c === id || shown.includes(c));
    if (next.length === 0) return;
    setShown(next);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
  };
  return (
    <details class="chooser">
      <summary>Columns</summary>
      <fieldset>
        <legend>Shown columns</legend>
        {COLUMNS.map((c) => (
          <label key={c.id} class="check">
            <input type="checkbox" checked={shown.includes(c.id)} onChange={() => toggle(c.id)} /> {c.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

export function Inventory({ search }) {
  const params = useMemo(() => {
    const p = Object.fromEntries(new URLSearchParams(search));
    const out = {};
    for (const k of FILTER_KEYS) if (p[k] !== undefined) out[k] = p[k];
    return out;
  }, [search]);
  const limit = Number(params.limit) || 100;
  const offset = Number(params.offset) || 0;
  const [columns, setColumns] = useState(loadColumns);
  const [text, setText] = useState(params.q || '');
  const facets = useApi('/api/v1/overview');
  const list = useApi(`/api/v1/devices${query({ ...params, limit })}`);

  // The URL holds the filters so that back/forward and links keep them.
  const update = (changes, { resetOffset = true } = {}) => {
    const next = { ...params, ...changes };
    if (resetOffset) delete next.offset;
    navigate(`/devices${query(next)}`, { replace: true });
  };

  useEffect(() => setText(params.q || ''), [params.q]);
  useEffect(() => {
    if (text === (params.q || '')) return undefined;
    const timer = setTimeout(() => update({ q: text }), 250);
    return () => clearTimeout(timer);
  }, [text]);

  const onSort = (column) => {
    const order = params.sort === column && params.order !== 'desc' ? 'desc' : 'asc';
    update({ sort: column, order });
  };
  const shown = COLUMNS.filter((c) => columns.includes(c.id));
  const data = list.data;
  const total = data ? data.total : 0;
  const f = facets.data;
  const select = (key, label, options) => (
    <div class="field">
      <label for={`inv-${key}`}>{label}</label>
      <select id={`inv-${key}`} value={params[key] || ''} onChange={(e) => update({ [key]: e.currentTarget.value })}>
        <option value="">Any</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  const names = (items) => (items || []).map((i) => [i.name, `${i.name} (${i.count})`]);
  const { offset: _o, limit: _l, sort: _s, order: _r, ...exportFilters } = params;

  return (
    <>
      <h1>Device inventory</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()} aria-label="Filter devices">
        <div class="field grow">
          <label for="inv-q">Search</label>
          <input
            id="inv-q"
            type="search"
            placeholder="name, IP, MAC, vendor, model, firmware…"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        {select('type', 'Type', names(f && f.byType))}
        {select('vendor', 'Vendor', names(f && f.byVendor))}
        {select('protocol', 'Protocol', names(f && f.byProtocol))}
        {select('purdueLevel', 'Purdue level', [['-1', 'unknown'], ...PURDUE_LEVELS.map((l) => [String(l), `Level ${l}`])])}
        {select('authorized', 'Authorized', [['true', 'yes'], ['false', 'no']])}
        {select('programmingDevice', 'Programming device', [['true', 'yes'], ['false', 'no']])}
        {select('scanner', 'Scanner', [['true', 'yes'], ['false', 'no']])}
        <ColumnChooser shown={columns} setShown={setColumns} />
        <a class="button" href={`/api/v1/devices.csv${query(exportFilters)}`} download>
          Export CSV
        </a>
      </form>
      <ErrorMessage error={list.error} />
      <p class="muted" role="status" aria-live="polite" data-testid="inventory-count">
        {data ? `${formatNumber(total)} devices` : 'Loading…'}
        {data && total > 0 && ` · showing ${formatNumber(offset + 1)}–${formatNumber(Math.min(total, offset + data.items.length))}`}
      </p>
      <div class="table-scroll tall">
        <table class="devices" aria-busy={list.loading ? 'true' : 'false'}>
          <thead>
            <tr>
              {shown.map((c) =>
                c.sort ? (
                  <SortHeader key={c.id} label={c.label} column={c.sort} sort={params.sort} order={params.order} onSort={onSort} />
                ) : (
                  <th key={c.id} scope="col">
                    {c.label}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {data &&
              data.items.map((d) => (
                <tr key={d.id}>
                  {shown.map((c) => (
                    <td key={c.id} class={c.num ? 'num' : undefined}>
                      {c.cell(d)}
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={offset === 0} onClick={() => update({ offset: Math.max(0, offset - limit) }, { resetOffset: false })}>
          Previous
        </button>
        <span>
          Page {formatNumber(Math.floor(offset / limit) + 1)} of {formatNumber(Math.max(1, Math.ceil(total / limit)))}
        </span>
        <button type="button" disabled={offset + limit >= total} onClick={() => update({ offset: offset + limit }, { resetOffset: false })}>
          Next
        </button>
        <label for="inv-limit">Rows per page</label>
        <select id="inv-limit" value={String(limit)} onChange={(e) => update({ limit: e.currentTarget.value })}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </nav>
    </>
  );
}
