// The host's log, live: new lines are fetched every second; level filter and search work on
// what is loaded (the host keeps the last 2000 lines).
import { useEffect, useRef, useState } from "react";
import { api, unwrap, Unreachable, type LogLine } from "../api/client";

const levels = ["error", "warning", "info", "debug"] as const;
const MAX_LINES = 2000;

export function Logs() {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState("");
  const [level, setLevel] = useState<(typeof levels)[number]>("info");
  const [search, setSearch] = useState("");
  const [follow, setFollow] = useState(true);
  const next = useRef(0);
  const box = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let stop = false;
    let timer = 0;
    async function poll() {
      try {
        const d = unwrap(await api.GET("/api/v1/logs", { params: { query: { after: next.current } } }));
        next.current = d.next;
        if (d.lines.length) setLines((old) => [...old, ...d.lines].slice(-MAX_LINES));
        setError("");
      } catch (e) {
        setError(e instanceof Unreachable ? e.message : (e as Error).message);
      }
      if (!stop) timer = window.setTimeout(poll, 1000);
    }
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, []);

  const maxLevel = levels.indexOf(level);
  const needle = search.trim().toLowerCase();
  const shown = lines.filter(
    (l) =>
      levels.indexOf(l.level) <= maxLevel &&
      (!needle || l.text.toLowerCase().includes(needle) || l.topic.toLowerCase().includes(needle)),
  );
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length, follow]);

  return (
    <>
      <h1>Logs</h1>
      <div className="actions">
        <div className="field">
          <label htmlFor="log-level">Show up to</label>
          <select id="log-level" value={level} onChange={(e) => setLevel(e.target.value as (typeof levels)[number])}>
            {levels.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-search">Search</label>
          <input id="log-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow new lines
        </label>
      </div>
      {error && (
        <p className="error banner" role="alert">
          {error}
        </p>
      )}
      <p className="muted" aria-live="polite">
        {shown.length} of {lines.length} lines
      </p>
      <ol className="logs" ref={box} tabIndex={0} aria-label="Host log" data-testid="log-lines">
        {shown.map((l) => (
          <li key={l.seq} className={`lv-${l.level}`}>
            {new Date(l.time_ms).toLocaleTimeString()} {l.level.padEnd(7)} {l.topic}: {l.text}
          </li>
        ))}
      </ol>
    </>
  );
}
