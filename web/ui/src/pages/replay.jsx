import { useEffect, useState } from 'preact/hooks';
import { api, describeError, query, upload } from '../api.js';
import { useApi, ErrorMessage, Loading, Progress, canEdit, formatBytes, formatTime } from '../components.jsx';
import { Link } from '../router.jsx';

const POLL_MS = 500;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function Replay({ me }) {
  const jobs = useApi('/api/v1/replays');
  const [file, setFile] = useState(null);
  const [uploadProgress, setUploadProgress] = useState(null);
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const editable = canEdit(me);

  // Follows a job until it ends, so its progress bar moves.
  useEffect(() => {
    if (!job || job.state === 'completed' || job.state === 'failed') return undefined;
    let cancelled = false;
    (async () => {
      await sleep(POLL_MS);
      try {
        const fresh = await api(`/api/v1/replays/${job.id}`);
        if (!cancelled) setJob(fresh);
      } catch (err) {
        if (!cancelled) setError(err);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [job]);

  useEffect(() => {
    if (job && (job.state === 'completed' || job.state === 'failed')) jobs.reload();
  }, [job && job.state]);

  const submit = async (e) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setJob(null);
    setBusy(true);
    setUploadProgress(0);
    try {
      const started = await upload(`/api/v1/replays${query({ name: file.name })}`, file, setUploadProgress);
      setUploadProgress(1);
      setJob(started);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Pcap replay</h1>
      {editable ? (
        <form class="panel inline-form" onSubmit={submit} aria-labelledby="rp-upload">
          <h2 id="rp-upload">Replay a capture</h2>
          <p class="muted">The capture is uploaded to the sensor and replayed into its inventory (pcap or pcapng).</p>
          <label for="rp-file">Capture file</label>
          <input id="rp-file" type="file" accept=".pcap,.pcapng,.cap" required onChange={(e) => setFile(e.currentTarget.files[0] || null)} />
          <button type="submit" class="primary" disabled={!file || busy}>
            Upload and replay
          </button>
          {uploadProgress !== null && <Progress value={uploadProgress} label="Upload" />}
          {job && (
            <div class="job" data-testid="replay-job" data-state={job.state}>
              <Progress value={job.progress || 0} label={`Replay of ${job.name} (${job.state})`} />
              {job.state === 'completed' && (
                <p role="status">
                  Replay finished. <Link href="/devices">See the devices in the inventory</Link>.
                </p>
              )}
              {job.state === 'failed' && (
                <p class="error" role="alert">
                  Replay failed: {job.message}
                </p>
              )}
            </div>
          )}
          {error && (
            <p class="error" role="alert">
              {describeError(error)}
            </p>
          )}
        </form>
      ) : (
        <p class="notice">Your role (read-only) cannot start replays.</p>
      )}
      <section class="panel" aria-labelledby="rp-jobs">
        <h2 id="rp-jobs">Replays</h2>
        <ErrorMessage error={jobs.error} />
        {!jobs.data && !jobs.error && <Loading />}
        {jobs.data && jobs.data.items.length === 0 && <p class="muted">No replays yet.</p>}
        {jobs.data && jobs.data.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Capture</th>
                <th scope="col">Size</th>
                <th scope="col">By</th>
                <th scope="col">Queued</th>
                <th scope="col">Ended</th>
                <th scope="col">State</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.items.map((j) => (
                <tr key={j.id}>
                  <td>{j.id}</td>
                  <td>{j.name}</td>
                  <td>{formatBytes(j.size)}</td>
                  <td>{j.user}</td>
                  <td>{formatTime(j.queuedAt)}</td>
                  <td>{formatTime(j.endedAt)}</td>
                  <td>{j.state === 'running' ? `running ${Math.round((j.progress || 0) * 100)}%` : j.state}</td>
                  <td class="wrap">{j.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
