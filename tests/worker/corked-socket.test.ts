// worker/db/corked-socket.ts: node-postgres corks the socket around one query's messages; they
// must leave as one write, in order, with every write's callback called once it is sent.
import { describe, expect, it } from "vitest";
import { corkable, type WritableSocket } from "#worker/db/corked-socket.ts";

function recordingSocket() {
  const writes: number[][] = [];
  const socket: WritableSocket = {
    write(data, encoding, callback) {
      writes.push([...data]);
      (typeof encoding === "function" ? encoding : callback)?.();
      return true;
    },
  };
  return { socket, writes };
}

describe("a corkable socket", () => {
  it("sends what was written between cork() and uncork() as one write, in order, then calls back", () => {
    const { socket, writes } = recordingSocket();
    corkable(socket);
    const called: string[] = [];
    socket.cork!();
    socket.write(Buffer.from([1, 2]), () => called.push("parse"));
    socket.write(Buffer.from([3]), "utf8", () => called.push("bind"));
    socket.write(Buffer.from([4, 5]));
    expect(writes).toEqual([]);
    expect(called).toEqual([]);
    socket.uncork!();
    expect(writes).toEqual([[1, 2, 3, 4, 5]]);
    expect(called).toEqual(["parse", "bind"]);
  });

  it("writes at once when not corked, and an empty cork sends nothing", () => {
    const { socket, writes } = recordingSocket();
    corkable(socket);
    socket.write(Buffer.from([9]));
    socket.cork!();
    socket.uncork!();
    expect(writes).toEqual([[9]]);
  });
});
