// Pairing: Moonlight clients waiting for their PIN appear by themselves; the PIN typed here
// goes to the attempt it belongs to (the same as `pfhost pin`). Native (punktfunk/1)
// pairing is offered when the host has the native protocol.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, rawJson, unwrap, type Schemas } from "../api/client";

type Attempt = Schemas["PairingAttempt"];

function PinForm({ attempt, label }: { attempt?: Attempt; label: string }) {
  const qc = useQueryClient();
  const [pin, setPin] = useState("");
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const id = `pin-${attempt?.id ?? "any"}`;
  const send = useMutation({
    // The PIN goes to this attempt only: another client waiting at the same time cannot
    // take it.
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/pin", { body: attempt ? { pin, attempt: attempt.id } : { pin } })),
    onSuccess: () => {
      setDone("PIN sent. The client finishes pairing in a moment.");
      setPin("");
      void qc.invalidateQueries({ queryKey: ["clients"] });
      void qc.invalidateQueries({ queryKey: ["pairing"] });
    },
    onError: (e) => setError(e.message),
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    setDone("");
    if (!/^[0-9]{4}$/.test(pin)) {
      setError("The PIN is the four digits the client shows.");
      return;
    }
    setError("");
    send.mutate();
  }
  return (
    <form onSubmit={submit} noValidate className="actions" aria-label={label}>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          className="pin-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={4}
          value={pin}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))}
          aria-invalid={error ? "true" : "false"}
          aria-describedby={`${id}-error`}
        />
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
        <p className="notice" role="status">
          {done}
        </p>
      </div>
      <button type="submit" className="primary" disabled={send.isPending}>
        Pair
      </button>
    </form>
  );
}

function NativePairing() {
  const [pin, setPin] = useState<{ pin: string; expires_s: number } | null>(null);
  const [error, setError] = useState("");
  async function arm() {
    setError("");
    try {
      setPin(await rawJson<{ pin: string; expires_s: number }>("POST", "/api/v1/native/pair", {}));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <section className="panel" aria-labelledby="native-h">
      <h2 id="native-h">punktfunk clients</h2>
      <p>Start pairing here, then type the PIN shown below into the punktfunk client.</p>
      <button type="button" className="primary" onClick={arm}>
        Show a pairing PIN
      </button>
      {pin && (
        <p>
          <span className="big-pin" data-testid="native-pin">{pin.pin}</span>{" "}
          <span className="muted">valid for {pin.expires_s} s</span>
        </p>
      )}
      <p className="error" role="alert">
        {error}
      </p>
    </section>
  );
}

export function Pairing() {
  const status = useQuery({
    queryKey: ["status"],
    queryFn: async () => unwrap(await api.GET("/api/v1/status")),
    refetchInterval: 1000,
  });
  const attempts = useQuery({
    queryKey: ["pairing"],
    queryFn: async () => unwrap(await api.GET("/api/v1/pairing")),
    refetchInterval: 1000,
  });
  const list = attempts.data?.attempts;
  const native = (status.data as { native?: unknown } | undefined)?.native;
  return (
    <>
      <h1>Pairing</h1>
      <section className="panel" aria-labelledby="moonlight-h" aria-live="polite">
        <h2 id="moonlight-h">Moonlight clients</h2>
        <p className="muted">
          In Moonlight, add this host (or pick it from the list); it shows a four-digit PIN. The client appears here by
          itself.
        </p>
        {list && list.length > 0 && (
          <ul className="apps">
            {list.map((a) => (
              <li key={a.id} data-testid="pairing-attempt">
                <div className="app-main">
                  <strong>{a.name || "Unnamed client"}</strong>{" "}
                  <span className="muted">
                    from {a.address}, waiting {a.age_s} s
                  </span>
                  <PinForm attempt={a} label={`PIN shown by ${a.name || a.address}`} />
                </div>
              </li>
            ))}
          </ul>
        )}
        {list && list.length === 0 && (
          <p data-testid="no-attempts">No client is waiting for a PIN.</p>
        )}
      </section>
      {native ? <NativePairing /> : null}
    </>
  );
}
