import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { query } from '../api.js';
import { useApi, ErrorMessage, Loading, formatNumber } from '../components.jsx';
import { navigate } from '../router.jsx';

// Above this many devices every group starts collapsed so the first view stays readable.
const COLLAPSE_ABOVE = 300;
const CELL = 70;
const GROUP_GAP = 120;

const TYPE_COLORS = {
  PLC: '#c62828',
  RTU: '#ad1457',
  HMI: '#6a1b9a',
  'Engineering workstation': '#283593',
  Historian: '#00695c',
  IED: '#ef6c00',
  Switch: '#455a64',
  Router: '#37474f',
  Server: '#1565c0',
  Workstation: '#2e7d32',
};

function groupsOf(nodes) {
  const groups = new Map();
  for (const n of nodes) {
    if (!groups.has(n.group)) groups.set(n.group, []);
    groups.get(n.group).push(n);
  }
  return new Map([...groups.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })));
}

// Preset positions: each group is a grid of its devices; groups are packed on shelves.
// Computed directly so a few thousand nodes lay out instantly (force layouts take seconds).
function buildElements(data, groups, collapsed) {
  const elements = [];
  const visibleOf = new Map();
  const boxes = [];
  for (const [key, members] of groups) {
    const groupId = `g:${key}`;
    if (collapsed.has(key)) {
      boxes.push({ key, w: CELL * 2, h: CELL * 1.5, members: null });
      for (const m of members) visibleOf.set(m.id, groupId);
    } else {
      const cols = Math.max(1, Math.ceil(Math.sqrt(members.length * 1.6)));
      const rows = Math.ceil(members.length / cols);
      boxes.push({ key, w: cols * CELL, h: rows * CELL, members, cols });
      for (const m of members) visibleOf.set(m.id, `d:${m.id}`);
    }
  }
  const totalArea = boxes.reduce((s, b) => s + (b.w + GROUP_GAP) * (b.h + GROUP_GAP), 0);
  const shelfWidth = Math.max(900, Math.sqrt(totalArea) * 1.4);
  let x = 0;
  let y = 0;
  let shelfHeight = 0;
  for (const box of boxes) {
    if (x > 0 && x + box.w > shelfWidth) {
      x = 0;
      y += shelfHeight + GROUP_GAP;
      shelfHeight = 0;
    }
    const groupId = `g:${box.key}`;
    if (!box.members) {
      const count = groups.get(box.key).length;
      elements.push({
        group: 'nodes',
        data: { id: groupId, label: `${box.key}\n${count} devices`, kind: 'collapsed', key: box.key, size: Math.min(90, 30 + Math.sqrt(count) * 4) },
        position: { x: x + box.w / 2, y: y + box.h / 2 },
      });
    } else {
      elements.push({ group: 'nodes', data: { id: groupId, label: box.key, kind: 'group', key: box.key } });
      box.members.forEach((m, i) => {
        elements.push({
          group: 'nodes',
          data: { id: `d:${m.id}`, parent: groupId, label: m.name, kind: 'device', deviceId: m.id, color: TYPE_COLORS[m.type] || '#607d8b' },
          position: { x: x + (i % box.cols) * CELL + CELL / 2, y: y + Math.floor(i / box.cols) * CELL + CELL / 2 },
        });
      });
    }
    x += box.w + GROUP_GAP;
    shelfHeight = Math.max(shelfHeight, box.h);
  }
  const edges = new Map();
  for (const e of data.edges) {
    const a = visibleOf.get(e.source);
    const b = visibleOf.get(e.target);
    if (!a || !b || a === b) continue;
    const id = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (!edges.has(id)) edges.set(id, { id, source: a, target: b, protocols: new Set(), count: 0 });
    const edge = edges.get(id);
    e.protocols.forEach((p) => edge.protocols.add(p));
    edge.count += 1;
  }
  for (const e of edges.values()) {
    const protocols = [...e.protocols].join(', ');
    elements.push({ group: 'edges', data: { id: `e:${e.id}`, source: e.source, target: e.target, label: protocols, width: Math.min(8, 1 + Math.log2(e.count)) } });
  }
  return elements;
}

// Cytoscape injects a <style> element unless one with this id exists; the strict CSP would
// refuse it, so a placeholder stands in and style.css carries the rule it would add.
function preventCytoscapeStyleInjection() {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = id;
  placeholder.name = 'cytoscape-container-style-in-style-css';
  document.head.appendChild(placeholder);
}

const STYLE = [
  {
    selector: 'node[kind = "device"]',
    style: {
      'background-color': 'data(color)',
      label: 'data(label)',
      'font-size': 9,
      'text-valign': 'bottom',
      'text-margin-y': 3,
      width: 18,
      height: 18,
      'min-zoomed-font-size': 7,
      'text-max-width': 64,
      'text-wrap': 'ellipsis',
    },
  },
  {
    selector: 'node[kind = "group"]',
    style: {
      'background-color': '#eef2f7',
      'border-color': '#90a4ae',
      'border-width': 1,
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 14,
      'font-weight': 'bold',
      padding: 16,
      shape: 'round-rectangle',
    },
  },
  {
    selector: 'node[kind = "collapsed"]',
    style: {
      'background-color': '#b0bec5',
      'border-color': '#546e7a',
      'border-width': 2,
      shape: 'round-rectangle',
      width: 'data(size)',
      height: 'data(size)',
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'font-size': 11,
    },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': '#90a4ae',
      'curve-style': 'haystack',
      opacity: 0.7,
    },
  },
  { selector: 'node:selected', style: { 'border-color': '#0d47a1', 'border-width': 3 } },
];

// The keyboard and screen-reader way through the map (the canvas is a picture to them): a tree of
// the groups and their visible devices, following the WAI-ARIA tree pattern with one tab stop.
function MapTree({ groups, collapsed, onToggle, onActive }) {
  const items = useMemo(() => {
    const out = [];
    for (const [key, members] of groups) {
      out.push({ id: `g:${key}`, kind: 'group', key, members });
      if (!collapsed.has(key)) {
        members.forEach((device, i) => out.push({ id: `d:${device.id}`, kind: 'device', key, device, position: i + 1, size: members.length }));
      }
    }
    return out;
  }, [groups, collapsed]);
  const [activeId, setActiveId] = useState(null);
  const elements = useRef(new Map());
  const index = Math.max(0, items.findIndex((item) => item.id === activeId));
  const active = items[index];

  const moveTo = (i) => {
    const item = items[Math.min(items.length - 1, Math.max(0, i))];
    if (!item) return;
    setActiveId(item.id);
    const element = elements.current.get(item.id);
    if (element) element.focus();
  };
  const onKeyDown = (event) => {
    if (!active) return;
    const expanded = active.kind === 'group' && !collapsed.has(active.key);
    const groupIndex = () => items.findIndex((item) => item.id === `g:${active.key}`);
    switch (event.key) {
      case 'ArrowDown':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
        moveTo(index - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(items.length - 1);
        break;
      case 'ArrowRight':
        if (active.kind !== 'group') return;
        if (expanded) moveTo(index + 1);
        else onToggle(active.key);
        break;
      case 'ArrowLeft':
        if (active.kind === 'device') moveTo(groupIndex());
        else if (expanded) onToggle(active.key);
        else return;
        break;
      case 'Enter':
      case ' ':
        if (active.kind === 'device') navigate(`/devices/${active.device.id}`);
        else onToggle(active.key);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <section class="panel map-tree" aria-labelledby="map-tree-title">
      <h2 id="map-tree-title">Devices by group</h2>
      <p class="muted" id="map-tree-help">
        Up and down arrows move through the list; right and left arrows (or Enter) expand and collapse a group; Enter opens a device.
      </p>
      <ul role="tree" aria-labelledby="map-tree-title" aria-describedby="map-tree-help" onKeyDown={onKeyDown}>
        {items.map((item, i) => {
          const isGroup = item.kind === 'group';
          return (
            <li
              key={item.id}
              ref={(element) => (element ? elements.current.set(item.id, element) : elements.current.delete(item.id))}
              role="treeitem"
              tabindex={i === index ? 0 : -1}
              aria-level={isGroup ? 1 : 2}
              aria-expanded={isGroup ? !collapsed.has(item.key) : undefined}
              aria-posinset={isGroup ? undefined : item.position}
              aria-setsize={isGroup ? undefined : item.size}
              data-node={item.id}
              class={isGroup ? 'group' : 'device'}
              onClick={() => {
                setActiveId(item.id);
                if (isGroup) onToggle(item.key);
                else navigate(`/devices/${item.device.id}`);
              }}
              onFocus={() => {
                setActiveId(item.id);
                onActive(item);
              }}
            >
              {isGroup ? (
                <>
                  <span aria-hidden="true">{collapsed.has(item.key) ? '▸' : '▾'}</span> {item.key} ({formatNumber(item.members.length)} devices)
                </>
              ) : (
                <>
                  {item.device.name} <span class="muted">{item.device.type}</span>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function selectInGraph(cy, item) {
  let node = cy.getElementById(item.id);
  if (node.empty()) node = cy.getElementById(`g:${item.key}`);
  cy.elements(':selected').unselect();
  node.select();
}

export function DeviceMap({ search }) {
  const params = useMemo(() => Object.fromEntries(new URLSearchParams(search)), [search]);
  const group = params.group || 'subnet';
  const protocol = params.protocol || '';
  const { data, error } = useApi(`/api/v1/map${query({ group, protocol })}`);
  const overview = useApi('/api/v1/overview');
  const [collapsed, setCollapsed] = useState(null);
  const container = useRef(null);
  const cyRef = useRef(null);
  const focusedItem = useRef(null);
  const groups = useMemo(() => (data ? groupsOf(data.nodes) : new Map()), [data]);

  useEffect(() => {
    if (data) setCollapsed(new Set(data.nodes.length > COLLAPSE_ABOVE ? groups.keys() : []));
  }, [data]);

  const toggle = (key) => {
    const next = new Set(collapsed);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };

  useEffect(() => {
    if (!data || !collapsed || !container.current) return undefined;
    let cy = null;
    let cancelled = false;
    // The graph library is loaded only when the map is opened, keeping other pages light.
    import('cytoscape').then(({ default: cytoscape }) => {
      if (cancelled || !container.current) return;
      preventCytoscapeStyleInjection();
      const big = data.nodes.length > 1000;
      cy = cytoscape({
        container: container.current,
        elements: buildElements(data, groups, collapsed),
        style: STYLE,
        layout: { name: 'preset' },
        textureOnViewport: big,
        hideEdgesOnViewport: big,
        pixelRatio: 1,
        wheelSensitivity: 0.3,
        minZoom: 0.02,
        maxZoom: 4,
      });
      cy.fit(undefined, 30);
      if (focusedItem.current) selectInGraph(cy, focusedItem.current);
      cy.on('tap', 'node', (event) => {
        const node = event.target.data();
        if (node.kind === 'device') navigate(`/devices/${node.deviceId}`);
        else toggle(node.key);
      });
      cy.on('mouseover', 'edge', (event) => event.target.style('label', event.target.data('label')));
      cy.on('mouseout', 'edge', (event) => event.target.removeStyle('label'));
      cyRef.current = cy;
      // Tests and the browser console reach the graph through the container element.
      container.current.cyInstance = cy;
    });
    return () => {
      cancelled = true;
      if (cy) cy.destroy();
      cyRef.current = null;
    };
  }, [data, collapsed]);

  // The graph follows the keyboard: the focused item's node (or its collapsed group) is selected,
  // also in a graph rebuilt after the item got the focus (expanding a group rebuilds it).
  const showInGraph = (item) => {
    focusedItem.current = item;
    if (cyRef.current) selectInGraph(cyRef.current, item);
  };

  const update = (changes) => navigate(`/map${query({ group, protocol, ...changes })}`, { replace: true });
  const protocols = (overview.data && overview.data.byProtocol) || [];

  return (
    <>
      <h1>Device map</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Map options">
        <div class="field">
          <label for="map-group">Group by</label>
          <select id="map-group" value={group} onChange={(e) => update({ group: e.currentTarget.value })}>
            <option value="subnet">Subnet</option>
            <option value="vlan">VLAN</option>
            <option value="purdue">Purdue level</option>
          </select>
        </div>
        <div class="field">
          <label for="map-protocol">Protocol</label>
          <select id="map-protocol" value={protocol} onChange={(e) => update({ protocol: e.currentTarget.value })}>
            <option value="">All protocols</option>
            {protocols.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => setCollapsed(new Set(groups.keys()))}>
          Collapse all
        </button>
        <button type="button" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <button type="button" onClick={() => cyRef.current && cyRef.current.fit(undefined, 30)}>
          Fit
        </button>
      </form>
      <ErrorMessage error={error} />
      {!data && !error && <Loading />}
      {data && (
        <p class="muted" role="status">
          {formatNumber(data.nodes.length)} devices, {formatNumber(data.edges.length)} links, {groups.size} groups. Click a device to open it, a group to
          collapse or expand it; scroll to zoom. From the keyboard, use the list of devices by group below the map.
        </p>
      )}
      <div class="map-layout">
        <div id="map-canvas" class="map-canvas" ref={container} role="img" aria-label="Graph of devices and their connections" />
        {data && collapsed && (
          <aside class="panel map-groups" aria-label="Groups">
            <h2>Groups</h2>
            <ul>
              {[...groups.entries()].map(([key, members]) => (
                <li key={key}>
                  <button type="button" aria-pressed={!collapsed.has(key)} onClick={() => toggle(key)}>
                    {collapsed.has(key) ? '▸' : '▾'} {key} ({members.length})
                  </button>
                </li>
              ))}
            </ul>
          </aside>
        )}
      </div>
      {data && collapsed && <MapTree groups={groups} collapsed={collapsed} onToggle={toggle} onActive={showInGraph} />}
    </>
  );
}
