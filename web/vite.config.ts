import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The service the dev server stands in front of (tm-local: it also serves /config.json
// and the hosted login, so the app sees one origin as it does when tm-local serves it).
const SERVICE = process.env.TM_SERVICE_URL ?? "http://127.0.0.1:8080";

const proxied = ["/config.json", "/v1", "/oauth2", "/signup", "/local", "/.well-known", "/openapi.json", "/health"];
const proxy = Object.fromEntries(proxied.map((p) => [p, { target: SERVICE, changeOrigin: false }]));

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: "dist",
    sourcemap: "hidden",
  },
});
