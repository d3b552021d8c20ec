import { useEffect, useState, useCallback } from 'preact/hooks';
import { api, describeError } from './api.js';

// Loads `path` (re-loading when it changes); `data` is null until loaded.
export function useApi(path, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api(path, { signal: controller.signal })
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ data: null, error, loading: false });
      });
    return () => controller.abort();
  }, [path, tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function ErrorMessage({ error }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

// For routes the sensor may not have yet: a 404 means "not available", anything else is an error.
export function Unavailable({ error, what }) {
  if (error && error.status === 404)
    return (
      <p class="notice" role="status">
        {what} {'is not available on this sensor yet (the API answered 404).'}
      </p>
    );
  return <ErrorMessage error={error} />;
}

export function Loading() {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}

export function Progress({ value, label }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div class="progress-row">
      <progress max="100" value={percent} aria-label={label}>
        {percent}%
      </progress>
      <span class="progress-text">
        {label}: {percent}%
      </span>
    </div>
  );
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatNumber(n) {
  return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US');
}

// Labels for identity facts as the inventory names them.
export const FACT_LABELS = {
  vendor: 'Vendor',
  productName: 'Model',
  firmwareVersion: 'Firmware',
  hardwareVersion: 'Hardware version',
  serialNumber: 'Serial number',
  hostname: 'Host name',
  os: 'Operating system',
  orderNumber: 'Order number',
  moduleName: 'Module name',
  plantId: 'Plant identification',
  stationName: 'Station name',
  module: 'Module',
};

export function factLabel(field) {
  return FACT_LABELS[field] || field;
}

export const PURDUE_LEVELS = [0, 1, 2, 3, 4, 5];

export function canEdit(me) {
  return me && (me.role === 'admin' || me.role === 'analyst');
}

export function isAdmin(me) {
  return me && me.role === 'admin';
}

// A column header that sorts; aria-sort tells assistive technology the current order.
export function SortHeader({ label, column, sort, order, onSort }) {
  const active = sort === column;
  const ariaSort = active ? (order === 'desc' ? 'descending' : 'ascending') : 'none';
  return (
    <th scope="col" aria-sort={ariaSort}>
      <button type="button" class="sort" onClick={() => onSort(column)}>
        {label}
        <span aria-hidden="true" class="sort-mark">
          {active ? (order === 'desc' ? ' ▼' : ' ▲') : ''}
        </span>
      </button>
    </th>
  );
}

export function Section({ title, children, id }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
