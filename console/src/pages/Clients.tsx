import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap, type Client } from "../api/client";

function when(t: number) {
  return t ? new Date(t * 1000).toLocaleString() : "never";
}

function ClientRow({ c }: { c: Client }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(c.name);
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: ["clients"] });
  const rename = useMutation({
    mutationFn: async () =>
      unwrap(await api.PATCH("/api/v1/clients/{id}", { params: { path: { id: c.id } }, body: { name: name.trim() } })),
    onSuccess: () => {
      setEditing(false);
      void refresh();
    },
    onError: (e) => setError(e.message),
  });
  const unpair = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/clients/{id}", { params: { path: { id: c.id } } })),
    onSuccess: () => void refresh(),
    onError: (e) => setError(e.message),
  });
  function save(ev: FormEvent) {
    ev.preventDefault();
    if (!name.trim() || name.trim().length > 64) {
      setError("A name has 1 to 64 characters.");
      return;
    }
    setError("");
    rename.mutate();
  }
  const kind = (c as Client & { kind?: string }).kind ?? "moonlight";
  return (
    <tr data-testid="client-row">
      <td>
        {editing ? (
          <form onSubmit={save} noValidate className="actions">
            <div className="field">
              <label htmlFor={`name-${c.id}`}>New name</label>
              <input
                id={`name-${c.id}`}
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-invalid={error ? "true" : "false"}
                aria-describedby={`name-${c.id}-error`}
                autoFocus
              />
              <p className="error" id={`name-${c.id}-error`} role="alert">
                {error}
              </p>
            </div>
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            <strong>{c.name}</strong>
            <br />
            <code className="muted">{c.id}</code>
          </>
        )}
      </td>
      <td data-label="Kind">{kind}</td>
      <td data-label="First seen">{when(c.first_seen)}</td>
      <td data-label="Last seen">{when(c.last_seen)}</td>
      <td>
        <div className="actions">
          {!editing && (
            <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${c.name}`}>
              Rename
            </button>
          )}
          {confirming ? (
            <>
              <button type="button" className="danger" onClick={() => unpair.mutate()} aria-label={`Really unpair ${c.name}`}>
                Really unpair
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`Unpair ${c.name}`}>
              Unpair
            </button>
          )}
        </div>
        {!editing && error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

export function Clients() {
  const clients = useQuery({
    queryKey: ["clients"],
    queryFn: async () => unwrap(await api.GET("/api/v1/clients")),
    refetchInterval: 5000,
  });
  return (
    <>
      <h1>Clients</h1>
      {clients.error && <p className="error banner">{clients.error.message}</p>}
      {clients.data && clients.data.clients.length === 0 && <p>No client is paired yet. Pair one on the Pairing page.</p>}
      {clients.data && clients.data.clients.length > 0 && (
        <div className="panel table-wrap">
          <table className="cards">
            <caption className="muted" style={{ textAlign: "left" }}>
              Paired clients: unpairing one stops its streams and refuses it until it pairs again.
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {clients.data.clients.map((c) => (
                <ClientRow key={c.id} c={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
