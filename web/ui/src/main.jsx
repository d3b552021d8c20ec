import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthorized, setCsrfToken, describeError } from './api.js';
import { Link, navigate, useLocation } from './router.jsx';
import { Login } from './pages/login.jsx';
import { Overview } from './pages/overview.jsx';
import { Inventory } from './pages/inventory.jsx';
import { DevicePage } from './pages/device.jsx';
import { DeviceMap } from './pages/map.jsx';
import { Alerts } from './pages/alerts.jsx';
import { ThreatIntel } from './pages/ti.jsx';
import { Replay } from './pages/replay.jsx';
import { Settings } from './pages/settings.jsx';
import './style.css';

const NAV = [
  ['/', 'Overview'],
  ['/devices', 'Devices'],
  ['/map', 'Map'],
  ['/alerts', 'Alerts'],
  ['/ti', 'Threat intelligence'],
  ['/replay', 'Pcap replay'],
  ['/settings', 'Settings'],
];

function route(path, search, me) {
  const device = path.match(/^\/devices\/(\d+)$/);
  if (device) return <DevicePage id={device[1]} me={me} />;
  switch (path) {
    case '/':
      return <Overview me={me} />;
    case '/devices':
      return <Inventory me={me} search={search} />;
    case '/map':
      return <DeviceMap me={me} search={search} />;
    case '/alerts':
      return <Alerts me={me} search={search} />;
    case '/ti':
      return <ThreatIntel me={me} />;
    case '/replay':
      return <Replay me={me} />;
    case '/settings':
      return <Settings me={me} />;
    default:
      return (
        <section class="panel">
          <h1>Page not found</h1>
          <p>
            There is no page at <code>{path}</code>. <Link href="/">Go to the overview</Link>.
          </p>
        </section>
      );
  }
}

function isActive(href, path) {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function App() {
  const { path, search } = useLocation();
  // undefined: still asking the server; null: not logged in.
  const [me, setMe] = useState(undefined);
  const [bootError, setBootError] = useState(null);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken('');
      setMe(null);
    });
    api('/api/v1/auth/me')
      .then((who) => {
        setCsrfToken(who.csrfToken);
        setMe(who);
      })
      .catch((error) => {
        if (error.status !== 401) setBootError(error);
        setMe(null);
      });
  }, []);

  useEffect(() => {
    const titles = Object.fromEntries(NAV);
    const base = path.startsWith('/devices/') ? 'Device' : titles[path] || 'otsensor';
    document.title = me ? `${base} · otsensor` : 'Log in · otsensor';
  }, [path, me]);

  if (me === undefined) return <p class="muted boot">Loading the console…</p>;
  if (me === null) {
    return (
      <Login
        error={bootError}
        onLogin={(who) => {
          setCsrfToken(who.csrfToken);
          setBootError(null);
          setMe(who);
          if (path === '/login') navigate('/', { replace: true });
        }}
      />
    );
  }

  const logout = async () => {
    try {
      await api('/api/v1/auth/logout', { method: 'POST' });
    } catch (error) {
      // The session may already be gone; the login page is the right place either way.
      if (error.status !== 401) console.warn(describeError(error));
    }
    setCsrfToken('');
    setMe(null);
  };

  return (
    <div class="layout">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">otsensor</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={isActive(href, path) ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {me.user} <span class="role">({me.role})</span>
          </span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route(path, search, me)}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app'));
