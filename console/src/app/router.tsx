import {
  createRootRoute,
  createRoute,
  createRouter,
  Link,
  Outlet,
  useRouterState,
} from "@tanstack/react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, csrfHeader, unwrap, Unreachable } from "../api/client";
import { Dashboard } from "../pages/Dashboard";
import { Pairing } from "../pages/Pairing";
import { Clients } from "../pages/Clients";
import { Apps } from "../pages/Apps";
import { Settings } from "../pages/Settings";
import { Logs } from "../pages/Logs";

const pages = [
  { to: "/", label: "Dashboard" },
  { to: "/pairing", label: "Pairing" },
  { to: "/clients", label: "Clients" },
  { to: "/apps", label: "Apps" },
  { to: "/settings", label: "Settings" },
  { to: "/logs", label: "Logs" },
] as const;

/** A red line at the top while the host does not answer; it goes when it answers again. */
function Reachability() {
  const qc = useQueryClient();
  const [down, setDown] = useState(false);
  useEffect(
    () =>
      qc.getQueryCache().subscribe((ev) => {
        if (ev.type !== "updated") return;
        // Queries retry while the host is away, so a failure shows in the retry reason first.
        if (ev.action.type === "failed" && ev.action.error instanceof Unreachable) setDown(true);
        else if (ev.action.type === "error" && ev.action.error instanceof Unreachable) setDown(true);
        else if (ev.action.type === "success") setDown(false);
      }),
    [qc],
  );
  if (!down) return null;
  return (
    <p className="offline" role="alert" data-testid="unreachable">
      Cannot reach the host at {location.host}. Is pfhost running? Retrying…
    </p>
  );
}

function Layout() {
  const path = useRouterState({ select: (s) => s.location.pathname });
  const status = useQuery({
    queryKey: ["status"],
    queryFn: async () => unwrap(await api.GET("/api/v1/status")),
    refetchInterval: 3000,
  });
  const main = useRef<HTMLElement>(null);
  const title = pages.find((p) => p.to === path)?.label ?? "punktfunk";
  const firstRender = useRef(true);
  useEffect(() => {
    document.title = `${title} · punktfunk`;
    // After a page change, keyboard and screen-reader users start at the new page's content.
    if (!firstRender.current) main.current?.focus({ preventScroll: false });
    firstRender.current = false;
  }, [title]);
  async function logout() {
    await fetch("/api/v1/auth/logout", { method: "POST", headers: csrfHeader(), credentials: "same-origin" }).catch(
      () => undefined,
    );
    location.assign("/");
  }
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">punktfunk · {status.data?.hostname ?? "…"}</span>
        <nav className="main" aria-label="Pages">
          <ul>
            {pages.map((p) => (
              <li key={p.to}>
                <Link to={p.to} activeOptions={{ exact: true }} activeProps={{ className: "active", "aria-current": "page" }}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      <Reachability />
      <main className="content" id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

const root = createRootRoute({ component: Layout });
const routes = [
  createRoute({ getParentRoute: () => root, path: "/", component: Dashboard }),
  createRoute({ getParentRoute: () => root, path: "/pairing", component: Pairing }),
  createRoute({ getParentRoute: () => root, path: "/clients", component: Clients }),
  createRoute({ getParentRoute: () => root, path: "/apps", component: Apps }),
  createRoute({ getParentRoute: () => root, path: "/settings", component: Settings }),
  createRoute({ getParentRoute: () => root, path: "/logs", component: Logs }),
];

export const router = createRouter({ routeTree: root.addChildren(routes) });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
