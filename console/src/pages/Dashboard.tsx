import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap, type Schemas, type Session } from "../api/client";
import { Chart } from "./Chart";

type HistorySample = Schemas["HistorySample"];

/** Per-second rates from the host's samples of cumulative counters. */
function series(samples: HistorySample[]) {
  const t: number[] = [], mbit: (number | null)[] = [], fps: (number | null)[] = [];
  const repaired: (number | null)[] = [], send: number[] = [], encode: number[] = [], fec: (number | null)[] = [];
  samples.forEach((x, i) => {
    const p = samples[i - 1];
    const dt = p ? (x.t_ms - p.t_ms) / 1000 : 0;
    t.push(x.t_ms / 1000);
    mbit.push(p && dt > 0 ? Math.max(0, ((x.bytes_sent - p.bytes_sent) * 8) / dt / 1e6) : null);
    fps.push(p && dt > 0 ? Math.max(0, (x.frames_sent - p.frames_sent) / dt) : null);
    repaired.push(p && dt > 0 ? Math.max(0, (x.fec_shards_recovered - p.fec_shards_recovered) / dt) : null);
    send.push(x.send_ms_mean);
    encode.push(x.encode_ms_mean);
    fec.push(x.fec_percent ?? null);
  });
  return { t, mbit, fps, repaired, send, encode, fec };
}

function fmt(n: number | null | undefined, digits = 1) {
  return n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits);
}

function SessionCard({ s, clientName, appName, samples }: { s: Session; clientName: string; appName: string; samples: HistorySample[] }) {
  const st = s.stream;
  const d = useMemo(() => series(samples), [samples]);
  const last = (v: (number | null)[]) => v[v.length - 1] ?? null;
  const rate = useMemo(
    () => [
      { label: "Mbit/s", values: d.mbit, color: "#1f6feb" },
      { label: "fps", values: d.fps, color: "#2da44e", scale: "fps" },
      { label: "repaired shards/s", values: d.repaired, color: "#9a6700", scale: "fps" },
    ],
    [d],
  );
  const lat = useMemo(
    () => [
      { label: "capture→sent ms", values: d.send, color: "#bf3989" },
      { label: "capture→encoded ms", values: d.encode, color: "#8250df" },
      { label: "FEC %", values: d.fec, color: "#bc4c00", scale: "pct" },
    ],
    [d],
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
            <span className="v" data-testid="bitrate">{fmt(last(d.mbit) ?? st.bitrate_kbps / 1000)}</span>
            <span className="k">Mbit/s</span>
          </div>
          <div>
            <span className="v">{fmt(last(d.fps), 0)}</span>
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
      {d.t.length > 1 && (
        <div className="grid">
          <Chart title="Rate" times={d.t} series={rate} />
          <Chart title="Latency and FEC" times={d.t} series={lat} />
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
    queryFn: async () => unwrap(await api.GET("/api/v1/sessions")),
    refetchInterval: 1000,
  });
  // The host keeps the last five minutes: the charts show them as soon as the page opens.
  const history = useQuery({
    queryKey: ["session-history"],
    queryFn: async () => unwrap(await api.GET("/api/v1/session-history")),
    refetchInterval: 2000,
    enabled: (sessions.data?.sessions.length ?? 0) > 0,
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
          samples={history.data?.sessions.find((h) => h.id === x.id)?.samples ?? []}
          clientName={clients.data?.clients.find((c) => c.id === x.client_id)?.name ?? x.client_id}
          appName={apps.data?.apps.find((a) => a.id === x.app_id)?.name ?? `app ${x.app_id}`}
        />
      ))}
    </>
  );
}
