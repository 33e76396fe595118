// Changing the console password: the current one, the new one twice, errors next to fields.
import { useState, type FormEvent } from "react";
import { api, setCsrf } from "../api/client";

export function PasswordForm() {
  const [cur, setCur] = useState("");
  const [pw, setPw] = useState("");
  const [again, setAgain] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState("");
  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setDone("");
    const e: Record<string, string> = {};
    if (!cur) e.cur = "Type the password you log in with now.";
    if (pw.length < 8) e.pw = "Use at least 8 characters.";
    else if (pw !== again) e.again = "The two passwords differ.";
    setErrors(e);
    if (Object.keys(e).length) return;
    try {
      const r = await api.PUT("/api/v1/password", { body: { current: cur, password: pw } });
      if (r.response.status === 403) return setErrors({ cur: "That is not the current password." });
      if (!r.data) return setErrors({ form: (r.error as { error?: string })?.error ?? "The host refused." });
      if (r.data.csrf) setCsrf(r.data.csrf);
      setCur("");
      setPw("");
      setAgain("");
      setDone("Password changed. Other browsers are logged out.");
    } catch (err) {
      setErrors({ form: (err as Error).message });
    }
  }
  const field = (id: string, label: string, value: string, set: (v: string) => void, auto: string) => (
    <div className="field">
      <label htmlFor={`pw-${id}`}>{label}</label>
      <input
        id={`pw-${id}`}
        type="password"
        autoComplete={auto}
        value={value}
        onChange={(ev) => set(ev.target.value)}
        aria-invalid={errors[id] ? "true" : "false"}
        aria-describedby={`pw-${id}-error`}
      />
      <p className="error" id={`pw-${id}-error`} role="alert">
        {errors[id] ?? ""}
      </p>
    </div>
  );
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="pw-h">
      <h2 id="pw-h">Console password</h2>
      {field("cur", "Current password", cur, setCur, "current-password")}
      {field("pw", "New password", pw, setPw, "new-password")}
      {field("again", "Repeat the new password", again, setAgain, "new-password")}
      <div className="actions">
        <button type="submit" className="primary">
          Change password
        </button>
        <p className="notice" role="status" data-testid="password-changed">
          {done}
        </p>
        <p className="error" role="alert">
          {errors.form ?? ""}
        </p>
      </div>
    </form>
  );
}
