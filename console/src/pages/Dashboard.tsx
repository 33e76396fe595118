import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap, type Session } from "../api/client";
import { Chart } from "./Chart";

const HISTORY_S = 300; // the charts show the last five minutes

type Sample = {
  t: number; // Unix seconds
  framesSent: number;
  bitrate: number;
  fps: number | null;
  latency: number;
  encode: number;
  fec: number;
  recovered: number; // FEC-rebuilt shards so far
  repaired: number | null; // ... per second
};

// Samples per session, kept while the console is open (polling fills them every second).
const history = new Map<number, Sample[]>();

function record(sessions: Session[]) {
  const now = Date.now() / 1000;
  const live = new Set(sessions.map((s) => s.id));
  for (const id of history.keys()) if (!live.has(id)) history.delete(id);
  for (const s of sessions) {
    const st = s.stream;
    if (!st) continue;
    const h = history.get(s.id) ?? [];
    const prev = h[h.length - 1];
    const dt = prev ? now - prev.t : 0;
    h.push({
      t: now,
      framesSent: st.frames_sent,
      bitrate: st.bitrate_kbps / 1000,
      fps: prev && dt > 0.2 ? Math.max(0, (st.frames_sent - prev.framesSent) / dt) : null,
      latency: st.send_ms_mean,
      encode: st.encode_ms_mean,
      fec: st.fec_percent ?? 0,
      recovered: st.fec_shards_recovered,
      repaired: prev && dt > 0.2 ? Math.max(0, (st.fec_shards_recovered - prev.recovered) / dt) : null,
    });
    while (h.length && h[0].t < now - HISTORY_S) h.shift();
    history.set(s.id, h);
  }
}

function fmt(n: number | null | undefined, digits = 1) {
  return n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits);
}

function SessionCard({ s, clientName, appName, tick }: { s: Session; clientName: string; appName: string; tick: number }) {
  const h = history.get(s.id) ?? [];
  const last = h[h.length - 1];
  const st = s.stream;
  const times = useMemo(() => h.map((x) => x.t), [tick]); // eslint-disable-line react-hooks/exhaustive-deps
  const rate = useMemo(
    () => [
      { label: "Mbit/s", values: h.map((x) => x.bitrate), color: "#1f6feb" },
      { label: "fps", values: h.map((x) => x.fps), color: "#2da44e", scale: "fps" },
      { label: "repaired shards/s", values: h.map((x) => x.repaired), color: "#9a6700", scale: "fps" },
    ],
    [tick], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const lat = useMemo(
    () => [
      { label: "capture→sent ms", values: h.map((x) => x.latency), color: "#bf3989" },
      { label: "capture→encoded ms", values: h.map((x) => x.encode), color: "#8250df" },
      { label: "FEC %", values: h.map((x) => x.fec), color: "#bc4c00", scale: "pct" },
    ],
    [tick], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return (
    <section className="panel" aria-labelledby={`session-${s.id}`} data-testid="session">
      <h3 id={`session-${s.id}`}>
        Session {s.id}: {clientName} · {appName}
      </h3>
      <p className="muted">
        {s.width}×{s.height} at {s.fps} fps{s.hdr ? ", HDR" : ""} · {st ? st.state : "waiting for the client"} · since{" "}
        {new Date(s.started * 1000).toLocaleTimeString()}
      </p>
      {st && (
        <div className="figures">
          <div>
            <span className="v" data-testid="frames-sent">{st.frames_sent}</span>
            <span className="k">frames sent</span>
          </div>
          <div>
            <span className="v" data-testid="bitrate">{fmt(st.bitrate_kbps / 1000)}</span>
            <span className="k">Mbit/s</span>
          </div>
          <div>
            <span className="v">{fmt(last?.fps, 0)}</span>
            <span className="k">fps sent</span>
          </div>
          <div>
            <span className="v">{fmt(st.send_ms_mean)}</span>
            <span className="k">ms capture→sent</span>
          </div>
          <div>
            <span className="v">{st.fec_percent ?? "–"}</span>
            <span className="k">FEC %</span>
          </div>
          <div>
            <span className="v">{st.fec_shards_recovered}</span>
            <span className="k">shards repaired</span>
          </div>
          <div>
            <span className="v">{st.frames_without_fec}</span>
            <span className="k">frames without FEC</span>
          </div>
          <div>
            <span className="v">{st.idr_frames}</span>
            <span className="k">key frames</span>
          </div>
        </div>
      )}
      {h.length > 1 && (
        <div className="grid">
          <Chart title="Rate" times={times} series={rate} />
          <Chart title="Latency and FEC" times={times} series={lat} />
        </div>
      )}
    </section>
  );
}

export function Dashboard() {
  const status = useQuery({
    queryKey: ["status"],
    queryFn: async () => unwrap(await api.GET("/api/v1/status")),
    refetchInterval: 3000,
  });
  const sessions = useQuery({
    queryKey: ["sessions"],
    queryFn: async () => {
      const d = unwrap(await api.GET("/api/v1/sessions"));
      record(d.sessions);
      return d;
    },
    refetchInterval: 1000,
  });
  const clients = useQuery({ queryKey: ["clients"], queryFn: async () => unwrap(await api.GET("/api/v1/clients")) });
  const apps = useQuery({ queryKey: ["apps"], queryFn: async () => unwrap(await api.GET("/api/v1/apps")) });
  const s = status.data;
  const native = (s as { native?: { port: number; fingerprint: string } } | undefined)?.native;
  return (
    <>
      <h1>Dashboard</h1>
      {status.error && !s && <p className="error banner">{status.error.message}</p>}
      {s && (
        <div className="grid">
          <section className="panel" aria-labelledby="host-h">
            <h2 id="host-h">Host</h2>
            <dl className="facts">
              <dt>Name</dt>
              <dd data-testid="hostname">{s.hostname}</dd>
              <dt>Version</dt>
              <dd>{s.version}</dd>
              <dt>Up</dt>
              <dd>{Math.floor(s.uptime_s / 3600)} h {Math.floor((s.uptime_s % 3600) / 60)} min</dd>
              <dt>Capture</dt>
              <dd>{s.capture_backend}</dd>
              <dt>Running app</dt>
              <dd>{s.current_app ? apps.data?.apps.find((a) => a.id === s.current_app)?.name ?? s.current_app : "none"}</dd>
            </dl>
          </section>
          <section className="panel" aria-labelledby="codecs-h">
            <h2 id="codecs-h">Video codecs</h2>
            <ul className="muted" style={{ paddingLeft: "1.1rem", margin: 0 }}>
              {(s.codecs ?? s.encoders.map((e) => ({ codec: e, offered: true, detail: "" }))).map((c) => (
                <li key={c.codec}>
                  <strong>{c.codec.toUpperCase()}</strong>{" "}
                  <span className={c.offered ? "badge ok" : "badge"}>{c.offered ? "offered" : "not offered"}</span>
                  {c.detail && <> — {c.detail}</>}
                </li>
              ))}
            </ul>
          </section>
          <section className="panel" aria-labelledby="ports-h">
            <h2 id="ports-h">Ports</h2>
            <dl className="facts">
              <dt>HTTP</dt>
              <dd>{s.ports.http}</dd>
              <dt>HTTPS</dt>
              <dd>{s.ports.https}</dd>
              <dt>RTSP</dt>
              <dd>{s.ports.rtsp}</dd>
              <dt>Console</dt>
              <dd>{location.port || (location.protocol === "https:" ? 443 : 80)}</dd>
              {native && (
                <>
                  <dt>punktfunk/1</dt>
                  <dd>{native.port}</dd>
                </>
              )}
            </dl>
          </section>
        </div>
      )}
      <h2>Live sessions</h2>
      {sessions.data && sessions.data.sessions.length === 0 && <p className="muted">Nobody is streaming.</p>}
      {sessions.data?.sessions.map((x) => (
        <SessionCard
          key={x.id}
          s={x}
          tick={sessions.dataUpdatedAt}
          clientName={clients.data?.clients.find((c) => c.id === x.client_id)?.name ?? x.client_id}
          appName={apps.data?.apps.find((a) => a.id === x.app_id)?.name ?? `app ${x.app_id}`}
        />
      ))}
    </>
  );
}
