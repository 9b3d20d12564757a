// Builds the web app: the client bundle (build/client, served as static assets) and the React
// Router server build (build/server), which wrangler bundles into the one Worker.
import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [tailwindcss(), reactRouter()],
});
