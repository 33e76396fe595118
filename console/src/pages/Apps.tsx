// The app catalog: add, edit, delete, reorder, box art, and the import of a Sunshine
// apps.json with a report of what was taken and what was skipped.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { api, ApiError, csrfHeader, unwrap, type App, type Schemas } from "../api/client";

type AppInput = Schemas["AppInput"];
type Prep = Schemas["Prep"];
const MAX_ART = 2 * 1024 * 1024;

function toLines(v: string[]) {
  return v.join("\n");
}
function fromLines(v: string) {
  return v
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}
// "do | undo" per line
function prepToText(p: Prep[]) {
  return p.map((x) => `${x.do ?? ""}${x.undo ? ` | ${x.undo}` : ""}`).join("\n");
}
function textToPrep(t: string): Prep[] {
  return fromLines(t).map((l) => {
    const [d, u] = l.split("|").map((s) => s.trim());
    return u ? { do: d, undo: u } : { do: d };
  });
}

function AppForm({ app, onDone }: { app?: App; onDone: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(app?.name ?? "");
  const [cmd, setCmd] = useState(app?.cmd ?? "");
  const [dir, setDir] = useState(app?.["working-dir"] ?? "");
  const [detached, setDetached] = useState(toLines(app?.detached ?? []));
  const [prep, setPrep] = useState(prepToText(app?.["prep-cmd"] ?? []));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const prefix = app ? `app-${app.id}` : "app-new";
  const save = useMutation({
    mutationFn: async () => {
      const body: AppInput = { name: name.trim(), detached: fromLines(detached), "prep-cmd": textToPrep(prep) };
      if (cmd.trim()) body.cmd = cmd.trim();
      if (dir.trim()) body["working-dir"] = dir.trim();
      if (app?.["image-path"]) body["image-path"] = app["image-path"];
      return app
        ? unwrap(await api.PUT("/api/v1/apps/{id}", { params: { path: { id: app.id } }, body }))
        : unwrap(await api.POST("/api/v1/apps", { body }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["apps"] });
      onDone();
    },
    onError: (e) => setErrors({ form: e.message }),
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = "Every app needs a name.";
    else if (name.length > 4096) e.name = "The name is too long.";
    if (textToPrep(prep).some((p) => !p.do)) e.prep = "Each line needs a command before the '|'.";
    setErrors(e);
    if (Object.keys(e).length === 0) save.mutate();
  }
  const field = (id: string, label: string, hint: string, el: JSX.Element) => (
    <div className="field">
      <label htmlFor={`${prefix}-${id}`}>{label}</label>
      {hint && (
        <p className="hint" id={`${prefix}-${id}-hint`}>
          {hint}
        </p>
      )}
      {el}
      <p className="error" id={`${prefix}-${id}-error`} role="alert">
        {errors[id] ?? ""}
      </p>
    </div>
  );
  const attrs = (id: string, hint = false) => ({
    id: `${prefix}-${id}`,
    "aria-invalid": errors[id] ? ("true" as const) : ("false" as const),
    "aria-describedby": `${hint ? `${prefix}-${id}-hint ` : ""}${prefix}-${id}-error`,
  });
  return (
    <form onSubmit={submit} noValidate className="panel" aria-label={app ? `Edit ${app.name}` : "New app"}>
      <h2>{app ? `Edit ${app.name}` : "New app"}</h2>
      {field("name", "Name", "", <input {...attrs("name")} value={name} onChange={(e) => setName(e.target.value)} autoFocus />)}
      {field(
        "cmd",
        "Command",
        "Run when a client starts the app; empty streams the desktop.",
        <input {...attrs("cmd", true)} value={cmd} onChange={(e) => setCmd(e.target.value)} />,
      )}
      {field("dir", "Working directory", "", <input {...attrs("dir")} value={dir} onChange={(e) => setDir(e.target.value)} />)}
      {field(
        "detached",
        "Detached commands",
        "One per line; started and left running.",
        <textarea {...attrs("detached", true)} value={detached} onChange={(e) => setDetached(e.target.value)} />,
      )}
      {field(
        "prep",
        "Preparation commands",
        "One per line as “do | undo”: run before the app, undone after it.",
        <textarea {...attrs("prep", true)} value={prep} onChange={(e) => setPrep(e.target.value)} />,
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {app ? "Save" : "Add app"}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <p className="error" role="alert">
        {errors.form ?? ""}
      </p>
    </form>
  );
}

function BoxArt({ app, version }: { app: App; version: number }) {
  const qc = useQueryClient();
  const [error, setError] = useState("");
  const input = useRef<HTMLInputElement>(null);
  async function upload(ev: ChangeEvent<HTMLInputElement>) {
    const f = ev.target.files?.[0];
    ev.target.value = "";
    setError("");
    if (!f) return;
    if (f.type !== "image/png") return setError("Box art must be a PNG image.");
    if (f.size > MAX_ART) return setError("Box art must be at most 2 MiB.");
    try {
      // A raw PNG body: openapi-fetch sends JSON, so this one request is made by hand.
      const r = await fetch(`/api/v1/apps/${app.id}/boxart`, {
        method: "PUT",
        headers: { "Content-Type": "image/png", ...csrfHeader() },
        body: f,
        credentials: "same-origin",
      });
      if (!r.ok) throw new ApiError(r.status, ((await r.json().catch(() => ({}))) as { error?: string }).error ?? "Upload failed");
      void qc.invalidateQueries({ queryKey: ["apps"] });
    } catch (e) {
      setError((e as Error).message);
    }
  }
  const id = `art-${app.id}`;
  return (
    <div className="art">
      <img src={`/api/v1/apps/${app.id}/boxart?v=${version}`} alt={`Box art of ${app.name}`} />
      <input ref={input} id={id} type="file" accept="image/png" onChange={upload} hidden />
      <button type="button" onClick={() => input.current?.click()} aria-describedby={`${id}-error`}>
        Box art…
      </button>
      <p className="error" id={`${id}-error`} role="alert">
        {error}
      </p>
    </div>
  );
}

type ImportResult = Schemas["ImportResult"];

function Import() {
  const qc = useQueryClient();
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState("");
  async function pick(ev: ChangeEvent<HTMLInputElement>) {
    const f = ev.target.files?.[0];
    ev.target.value = "";
    setError("");
    setResult(null);
    if (!f) return;
    if (f.size > 1024 * 1024) return setError("That file is larger than an apps.json can be (1 MiB).");
    let doc: unknown;
    try {
      doc = JSON.parse(await f.text());
    } catch {
      return setError("That file is not JSON. Sunshine keeps its apps in apps.json.");
    }
    if (!doc || typeof doc !== "object" || !Array.isArray((doc as { apps?: unknown }).apps))
      return setError("That JSON has no \"apps\" list; is it Sunshine's apps.json?");
    try {
      setResult(unwrap(await api.POST("/api/v1/app-import", { body: doc as Schemas["SunshineApps"] })));
      void qc.invalidateQueries({ queryKey: ["apps"] });
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <section className="panel" aria-labelledby="import-h">
      <h2 id="import-h">Import from Sunshine</h2>
      <div className="field">
        <label htmlFor="import-file">Sunshine apps.json</label>
        <p className="hint" id="import-hint">
          Usually ~/.config/sunshine/apps.json. Apps whose name is already here are skipped.
        </p>
        <input id="import-file" type="file" accept=".json,application/json" onChange={pick} aria-describedby="import-hint import-error" />
        <p className="error" id="import-error" role="alert">
          {error}
        </p>
      </div>
      {result && (
        <div role="status" data-testid="import-result">
          <p>
            Imported {result.imported.length}, skipped {result.skipped.length}.
          </p>
          {result.imported.length > 0 && (
            <ul>
              {result.imported.map((a) => (
                <li key={a.id}>
                  {a.name}
                  {a.note && <span className="muted"> — {a.note}</span>}
                </li>
              ))}
            </ul>
          )}
          {result.skipped.length > 0 && (
            <ul>
              {result.skipped.map((s, i) => (
                <li key={i}>
                  Skipped {s.name ? <strong>{s.name}</strong> : "an entry"}: {s.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

export function Apps() {
  const qc = useQueryClient();
  const apps = useQuery({ queryKey: ["apps"], queryFn: async () => unwrap(await api.GET("/api/v1/apps")) });
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [error, setError] = useState("");
  const done = () => setEditing(null);
  const remove = useMutation({
    mutationFn: async (id: number) => unwrap(await api.DELETE("/api/v1/apps/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setConfirm(null);
      void qc.invalidateQueries({ queryKey: ["apps"] });
    },
    onError: (e) => setError(e.message),
  });
  const move = useMutation({
    mutationFn: async (ids: number[]) => unwrap(await api.PUT("/api/v1/app-order", { body: { ids } })),
    onSuccess: (d) => qc.setQueryData(["apps"], d),
    onError: (e) => setError(e.message),
  });
  const list = apps.data?.apps ?? [];
  function swap(i: number, j: number) {
    const ids = list.map((a) => a.id);
    [ids[i], ids[j]] = [ids[j], ids[i]];
    move.mutate(ids);
  }
  return (
    <>
      <h1>Apps</h1>
      {apps.error && <p className="error banner">{apps.error.message}</p>}
      <p className="error" role="alert">
        {error}
      </p>
      {editing === "new" ? (
        <AppForm onDone={done} />
      ) : (
        <p>
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            Add an app
          </button>
        </p>
      )}
      <section className="panel" aria-labelledby="apps-h">
        <h2 id="apps-h">Catalog</h2>
        <p className="muted">Clients list the apps in this order.</p>
        <ul className="apps">
          {list.map((a, i) =>
            editing === a.id ? (
              <li key={a.id}>
                <AppForm app={a} onDone={done} />
              </li>
            ) : (
              <li key={a.id} data-testid="app-row">
                <BoxArt app={a} version={apps.dataUpdatedAt} />
                <div className="app-main">
                  <h3>{a.name}</h3>
                  <p className="muted">
                    {a.cmd ? <code>{a.cmd}</code> : "Streams the desktop"}
                    {a["prep-cmd"].length > 0 && <> · {a["prep-cmd"].length} preparation commands</>}
                  </p>
                  <div className="actions">
                    <button type="button" onClick={() => setEditing(a.id)} aria-label={`Edit ${a.name}`}>
                      Edit
                    </button>
                    <button type="button" onClick={() => swap(i, i - 1)} disabled={i === 0} aria-label={`Move ${a.name} up`}>
                      ↑
                    </button>
                    <button
                      type="button"
                      onClick={() => swap(i, i + 1)}
                      disabled={i === list.length - 1}
                      aria-label={`Move ${a.name} down`}
                    >
                      ↓
                    </button>
                    {confirm === a.id ? (
                      <>
                        <button type="button" className="danger" onClick={() => remove.mutate(a.id)} aria-label={`Really delete ${a.name}`}>
                          Really delete
                        </button>
                        <button type="button" onClick={() => setConfirm(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button type="button" className="danger" onClick={() => setConfirm(a.id)} aria-label={`Delete ${a.name}`}>
                        Delete
                      </button>
                    )}
                  </div>
                </div>
              </li>
            ),
          )}
        </ul>
      </section>
      <Import />
    </>
  );
}
