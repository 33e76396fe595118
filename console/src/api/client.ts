// The typed client of the management API, generated from pfhost/openapi.json at build time
// (schema.gen.d.ts): a path, method or field the spec does not have is a type error.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
export type Status = Schemas["Status"];
export type App = Schemas["App"];
export type Client = Schemas["Client"];
export type Session = Schemas["Session"];
export type Setting = Schemas["Setting"];
export type LogLine = Schemas["LogLine"];

let csrfToken = "";
export function setCsrf(token: string) {
  csrfToken = token;
}
export function csrfHeader(): Record<string, string> {
  return { "X-CSRF-Token": csrfToken };
}

/** Thrown for answers that are not 2xx; `fields` holds per-field reasons when the API gave them. */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The host did not answer at all (pfhost stopped, network gone). */
export class Unreachable extends Error {}

const mutating = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const auth: Middleware = {
  onRequest({ request }) {
    if (mutating.has(request.method)) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
  onResponse({ response }) {
    // The session ended (expired, logged out elsewhere, host restarted): back to the login page.
    if (response.status === 401) location.assign("/");
    return response;
  },
};

async function guardedFetch(input: Request): Promise<Response> {
  try {
    return await fetch(input);
  } catch {
    throw new Unreachable(`Cannot reach the host at ${location.host}. Is pfhost running?`);
  }
}

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin", fetch: guardedFetch });
api.use(auth);

/** data of an openapi-fetch result, or an ApiError with the API's message. */
export function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data !== undefined && r.response.ok) return r.data;
  const e = (r.error ?? {}) as { error?: string; fields?: Record<string, string> };
  throw new ApiError(r.response.status, e.error ?? `The host answered ${r.response.status}`, e.fields);
}

/**
 * Endpoints that other parts of the host add as they arrive (pairing attempts, native
 * pairing): called untyped, and their absence (404) is an answer, not an error.
 */
export async function rawJson<T>(method: string, path: string, body?: unknown): Promise<T | null> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (mutating.has(method)) Object.assign(headers, csrfHeader());
  const r = await guardedFetch(
    new Request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    }),
  );
  if (r.status === 404 || r.status === 405) return null;
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, (j as { error?: string }).error ?? `The host answered ${r.status}`);
  return j as T;
}
