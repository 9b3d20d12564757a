// The smallest Worker that does what a database route must do before any query work: open a
// Workers TCP socket, exchange bytes with the other side, close it; or one fetch subrequest.
// Measured by bench/api/io-floor.ts against its own trivial route, under the same wrangler dev
// as the product. No product code: this is the runtime's floor, not ours.
import { connect } from "cloudflare:sockets";

type FloorEnv = { ECHO_PORT: string; HTTP_PORT: string };

/** Opens a socket to the echo server, makes `exchanges` write-then-read turns of 64 bytes, closes. */
async function socketTurns(env: FloorEnv, exchanges: number): Promise<number> {
  const socket = connect({ hostname: "127.0.0.1", port: Number(env.ECHO_PORT) });
  await socket.opened;
  const writer = socket.writable.getWriter();
  const reader = socket.readable.getReader();
  let received = 0;
  for (let i = 0; i < exchanges; i++) {
    await writer.write(new Uint8Array(64));
    // The echo can arrive in pieces; a turn ends when all 64 bytes are back.
    for (let got = 0; got < 64; ) {
      const { done, value } = await reader.read();
      if (done) throw new Error("echo server closed the socket");
      got += value.byteLength;
    }
    received += 64;
  }
  await socket.close();
  return received;
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true });
    if (url.pathname === "/socket") {
      const turns = Number(url.searchParams.get("turns") ?? "0");
      if (!Number.isInteger(turns) || turns < 0 || turns > 10) return new Response("turns: 0–10", { status: 400 });
      return Response.json({ received: await socketTurns(env, turns) });
    }
    if (url.pathname === "/fetch") {
      const res = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/`, { method: "POST", body: '{"query":"select 1"}' });
      return Response.json(await res.json());
    }
    return new Response("not found", { status: 404 });
  },
};
