// The login page: the only page pfhost serves before login. Plain DOM, no framework, so that
// nothing of the console's app is needed (or served) to show it.
import "../styles.css";

type AuthState = { password_set: boolean; logged_in: boolean; csrf?: string };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("login-form");
const intro = $<HTMLParagraphElement>("login-intro");
const pw = $<HTMLInputElement>("password");
const confirmField = $<HTMLDivElement>("confirm-field");
const confirm = $<HTMLInputElement>("confirm");
const submit = $<HTMLButtonElement>("login-submit");
const formError = $<HTMLParagraphElement>("form-error");
let setup = false;

function fieldError(input: HTMLInputElement, msg: string) {
  const el = $<HTMLParagraphElement>(`${input.id}-error`);
  el.textContent = msg;
  input.setAttribute("aria-invalid", msg ? "true" : "false");
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
}

async function load() {
  try {
    const r = await fetch("/api/v1/auth", { credentials: "same-origin" });
    const s = (await r.json()) as AuthState;
    if (s.logged_in) {
      location.reload();
      return;
    }
    setup = !s.password_set;
    formError.textContent = "";
  } catch {
    formError.textContent = `Cannot reach the host at ${location.host}. Is pfhost running?`;
    intro.textContent = "";
    setTimeout(load, 3000);
    return;
  }
  if (setup) {
    intro.textContent = "Welcome. Choose the password that protects this console (at least 8 characters).";
    confirmField.hidden = false;
    pw.autocomplete = "new-password";
    submit.textContent = "Set password";
  } else {
    intro.textContent = "Log in to manage this host.";
    submit.textContent = "Log in";
  }
  pw.focus();
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  fieldError(pw, "");
  fieldError(confirm, "");
  formError.textContent = "";
  if (pw.value.length < 8) {
    fieldError(pw, setup ? "Use at least 8 characters." : "The password has at least 8 characters.");
    pw.focus();
    return;
  }
  if (setup && pw.value !== confirm.value) {
    fieldError(confirm, "The two passwords differ.");
    confirm.focus();
    return;
  }
  submit.disabled = true;
  try {
    const r = await post(setup ? "/api/v1/auth/setup" : "/api/v1/auth/login", { password: pw.value });
    if (r.ok) {
      location.reload();
      return;
    }
    const body = (await r.json().catch(() => ({}))) as { error?: string };
    if (r.status === 401) fieldError(pw, "Wrong password.");
    else if (r.status === 429)
      formError.textContent = `Too many wrong passwords. Try again in ${r.headers.get("Retry-After") ?? "a few"} seconds.`;
    else if (r.status === 409) await load();
    else formError.textContent = body.error ?? `The host answered ${r.status}.`;
    pw.select();
  } catch {
    formError.textContent = `Cannot reach the host at ${location.host}. Is pfhost running?`;
  } finally {
    submit.disabled = false;
  }
});

void load();
