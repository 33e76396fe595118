// Every config key with its default and meaning; changes are checked by the host with the
// parser it reads the file with, and written atomically.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, unwrap, type Setting } from "../api/client";
import { PasswordForm } from "./Password";

function check(s: Setting, v: string): string {
  if (v === "") return "";
  const int = /^[0-9]+$/.test(v);
  switch (s.type) {
    case "port":
      return int && Number(v) <= 65535 ? "" : "A port number from 0 to 65535.";
    case "seconds":
    case "count":
      return int ? "" : "A whole number.";
    case "address":
      return /^[0-9a-fA-F.:]+$/.test(v) || v === "localhost" ? "" : "A numeric IP address.";
    default:
      return /[\n#]/.test(v) ? "One line without '#'." : "";
  }
}

function Input({ s, value, set, error }: { s: Setting; value: string; set: (v: string) => void; error: string }) {
  const common = {
    id: `set-${s.key}`,
    "aria-invalid": error ? ("true" as const) : ("false" as const),
    "aria-describedby": `set-${s.key}-hint set-${s.key}-error`,
  };
  if (s.options) {
    // A value the file spells another way (true, on, 1) stays selectable as it is.
    const options = value === "" || s.options.includes(value) ? s.options : [...s.options, value];
    return (
      <select {...common} value={value} onChange={(e) => set(e.target.value)}>
        <option value="">default ({s.default_text})</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      {...common}
      value={value}
      placeholder={`default: ${s.default_text}`}
      inputMode={s.type === "port" || s.type === "seconds" || s.type === "count" ? "numeric" : undefined}
      onChange={(e) => set(e.target.value)}
    />
  );
}

export function Settings() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["settings"], queryFn: async () => unwrap(await api.GET("/api/v1/settings")) });
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState("");
  useEffect(() => {
    if (q.data) setValues(Object.fromEntries(q.data.settings.map((s) => [s.key, s.value ?? ""])));
  }, [q.data]);
  const save = useMutation({
    mutationFn: async (changes: Record<string, string | null>) => {
      const r = await api.PUT("/api/v1/settings", { body: { values: changes } });
      if (r.error) {
        const e = r.error as { error: string; fields?: Record<string, string> };
        throw new ApiError(r.response.status, e.error, e.fields ?? {});
      }
      return r.data!;
    },
    onSuccess: (d) => {
      setSaved(
        d.restart_needed.length
          ? `Saved. Restart pfhost for ${d.restart_needed.join(", ")} to take effect.`
          : "Saved; the change is in effect.",
      );
      void qc.invalidateQueries({ queryKey: ["settings"] });
    },
    onError: (e) => {
      setSaved("");
      if (e instanceof ApiError) setErrors({ ...e.fields, form: Object.keys(e.fields).length ? "" : e.message });
    },
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    setSaved("");
    if (!q.data) return;
    const e: Record<string, string> = {};
    const changes: Record<string, string | null> = {};
    for (const s of q.data.settings) {
      const v = (values[s.key] ?? "").trim();
      const err = check(s, v);
      if (err) e[s.key] = err;
      if (v !== (s.value ?? "")) changes[s.key] = v === "" ? null : v;
    }
    setErrors(e);
    if (Object.keys(e).length) {
      document.getElementById(`set-${Object.keys(e)[0]}`)?.focus();
      return;
    }
    if (Object.keys(changes).length === 0) {
      setSaved("Nothing changed.");
      return;
    }
    save.mutate(changes);
  }
  return (
    <>
      <h1>Settings</h1>
      {q.error && <p className="error banner">{q.error.message}</p>}
      {q.data && (
        <form onSubmit={submit} noValidate>
          <p className="muted">
            Stored in <code>{q.data.path}</code>. Empty fields use the default.
          </p>
          <div className="panel">
            {q.data.settings.map((s) => (
              <div className="field" key={s.key}>
                <label htmlFor={`set-${s.key}`}>
                  {s.key}{" "}
                  {s.restart ? <span className="badge warn">restart needed</span> : <span className="badge ok">applies at once</span>}
                </label>
                <p className="hint" id={`set-${s.key}-hint`}>
                  {s.description} (default: {s.default_text})
                </p>
                <Input s={s} value={values[s.key] ?? ""} set={(v) => setValues({ ...values, [s.key]: v })} error={errors[s.key] ?? ""} />
                <p className="error" id={`set-${s.key}-error`} role="alert">
                  {errors[s.key] ?? ""}
                </p>
              </div>
            ))}
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={save.isPending}>
              Save settings
            </button>
            <p className="notice" role="status" data-testid="settings-saved">
              {saved}
            </p>
            <p className="error" role="alert">
              {errors.form ?? ""}
            </p>
          </div>
        </form>
      )}
      <PasswordForm />
    </>
  );
}
