// Request collapsing in the edge cache (worker/edge-cache/serve.ts): a burst of anonymous
// requests for one cold public read asks the origin once, and each request still gets its own
// answer (a page's CSP nonce is never shared); answers that are not for sharing, and an origin
// that fails, are asked for by each request on its own.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { serveWithEdgeCache } from "#worker/edge-cache/serve.ts";
import { DEFAULT_ORIGIN } from "../support/api-client.ts";

const BURST = 8;

/** An origin that counts its calls and answers after a short wait (a database round trip). */
function countingOrigin(answer: () => Response) {
  const origin = async () => {
    origin.calls += 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return answer();
  };
  origin.calls = 0;
  return origin;
}

/** A cold key: a list URL no other test has asked for. */
const coldUrl = () => `${DEFAULT_ORIGIN}/api/videos?sort=latest&burst=${crypto.randomUUID()}`;

async function burst(url: string, origin: (request: Request) => Promise<Response>) {
  const ctx = createExecutionContext();
  const responses = await Promise.all(Array.from({ length: BURST }, () => serveWithEdgeCache(new Request(url), ctx, origin)));
  const bodies = await Promise.all(responses.map((r) => r.text()));
  await waitOnExecutionContext(ctx);
  return { responses, bodies };
}

describe("a burst of misses for one public read", () => {
  it("asks the origin once; every request gets the answer, each page with a nonce of its own", async () => {
    const origin = countingOrigin(
      () => new Response(`<script nonce="n0nce">1</script>`, { headers: { "content-type": "text/html", "content-security-policy": "script-src 'nonce-n0nce'" } }),
    );
    const { responses, bodies } = await burst(coldUrl(), origin);
    expect(origin.calls).toBe(1);
    expect(responses.map((r) => r.status)).toEqual(Array(BURST).fill(200));
    expect(responses.map((r) => r.headers.get("x-cache"))).toEqual(Array(BURST).fill("MISS"));
    const nonces = responses.map((r) => /'nonce-([^']+)'/.exec(r.headers.get("content-security-policy")!)![1]!);
    expect(new Set(nonces).size, "no two requests share a nonce (the first keeps the origin's)").toBe(BURST);
    bodies.forEach((body, i) => expect(body).toBe(`<script nonce="${nonces[i]}">1</script>`));
  });

  it("is then a HIT for the next request, without the origin", async () => {
    const url = coldUrl();
    const origin = countingOrigin(() => Response.json({ items: [] }));
    await burst(url, origin);
    const ctx = createExecutionContext();
    const next = await serveWithEdgeCache(new Request(url), ctx, origin);
    await waitOnExecutionContext(ctx);
    expect(next.headers.get("x-cache")).toBe("HIT");
    expect(await next.json()).toEqual({ items: [] });
    expect(origin.calls).toBe(1);
  });

  it("answers that are not for sharing (a session started, not found) are asked for by each request", async () => {
    for (const answer of [
      () => new Response("hello", { headers: { "set-cookie": "session=abc" } }),
      () => Response.json({ title: "Not found" }, { status: 404 }),
    ]) {
      const origin = countingOrigin(answer);
      const { responses } = await burst(coldUrl(), origin);
      expect(origin.calls).toBe(BURST);
      expect(new Set(responses.map((r) => r.headers.get("x-cache")))).toEqual(new Set(["BYPASS"]));
    }
  });

  it("an origin that fails: the others ask it themselves, and the next answer is shared again", async () => {
    const url = coldUrl();
    let fail = true;
    const origin = countingOrigin(() => {
      if (fail) {
        fail = false;
        throw new Error("database unreachable");
      }
      return Response.json({ items: ["ok"] });
    });
    const ctx = createExecutionContext();
    const settled = await Promise.allSettled(Array.from({ length: BURST }, () => serveWithEdgeCache(new Request(url), ctx, origin)));
    await waitOnExecutionContext(ctx);
    expect(settled.filter((s) => s.status === "rejected").length).toBe(1);
    const answered = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    expect(answered.map((r) => r.status)).toEqual(Array(BURST - 1).fill(200));
    // The failed leader's followers each asked again (nothing had been shared yet).
    expect(origin.calls).toBe(BURST);
  });
});
