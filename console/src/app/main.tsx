// The console's app (served only with a session): TanStack Router for the pages, TanStack
// Query for the API state.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import "uplot/dist/uPlot.min.css";
import "../styles.css";
import { api, setCsrf, Unreachable } from "../api/client";
import { router } from "./router";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (n, e) => e instanceof Unreachable || n < 1,
      retryDelay: 2000,
      refetchOnWindowFocus: true,
    },
  },
});

async function start() {
  // The CSRF token of this browser's session: every change the pages make sends it.
  try {
    const { data } = await api.GET("/api/v1/auth");
    if (!data?.logged_in || !data.csrf) {
      location.assign("/");
      return;
    }
    setCsrf(data.csrf);
  } catch {
    // Unreachable: the pages say so and keep retrying.
  }
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}

void start();
