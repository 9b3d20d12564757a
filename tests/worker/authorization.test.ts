// Who may do what: every mutating account/creator route × {anonymous, viewer, other creator,
// owner, admin}, over both bearer tokens and cookie sessions (with our own Origin).
import { env, SELF, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "#worker/context.ts";
import { requireRole, requireUser } from "#worker/auth/guards.ts";
import { authenticate } from "#worker/auth/middleware.ts";
import { toProblemResponse } from "#worker/http/problem.ts";
import { createApiClient, makeAdmin, type Account, type RequestOptions } from "../support/api-client.ts";

const api = createApiClient(SELF);

type Actor = "anonymous" | "viewer" | "otherCreator" | "owner" | "admin";
const actors: Actor[] = ["anonymous", "viewer", "otherCreator", "owner", "admin"];

type Actors = { viewer: Account; otherCreator: Account; owner: Account; admin: Account };

/** Fresh accounts for one row: the owner's creator profile is the target. */
async function freshActors(): Promise<Actors> {
  const [viewer, otherCreator, owner, adminViewer] = await Promise.all([
    api.signUp(),
    api.signUpCreator(),
    api.signUpCreator(),
    api.signUp(),
  ]);
  return { viewer, otherCreator, owner, admin: await makeAdmin(env, api, adminViewer) };
}

type Row = {
  route: string;
  request: (target: Actors, actor: Account | null) => [string, RequestOptions];
  expected: Record<Actor, number>;
};

const rows: Row[] = [
  {
    route: "PATCH /api/creators/:id",
    request: (t) => [`/api/creators/${t.owner.creatorId}`, { method: "PATCH", json: { bio: "edited" } }],
    expected: { anonymous: 401, viewer: 403, otherCreator: 403, owner: 200, admin: 200 },
  },
  {
    route: "PUT /api/creators/:id/follow",
    request: (t) => [`/api/creators/${t.owner.creatorId}/follow`, { method: "PUT" }],
    expected: { anonymous: 401, viewer: 204, otherCreator: 204, owner: 422, admin: 204 },
  },
  {
    route: "DELETE /api/creators/:id/follow",
    request: (t) => [`/api/creators/${t.owner.creatorId}/follow`, { method: "DELETE" }],
    expected: { anonymous: 401, viewer: 204, otherCreator: 204, owner: 204, admin: 204 },
  },
  {
    route: "POST /api/me/creator",
    request: () => ["/api/me/creator", { method: "POST", json: { displayName: "Promoted" } }],
    expected: { anonymous: 401, viewer: 201, otherCreator: 409, owner: 409, admin: 201 },
  },
  {
    route: "POST /api/auth/refresh (own refresh token)",
    request: (_t, actor) => ["/api/auth/refresh", { method: "POST", json: actor ? { refreshToken: actor.refreshToken } : {} }],
    expected: { anonymous: 401, viewer: 200, otherCreator: 200, owner: 200, admin: 200 },
  },
  {
    route: "POST /api/auth/logout",
    request: () => ["/api/auth/logout", { method: "POST" }],
    expected: { anonymous: 204, viewer: 204, otherCreator: 204, owner: 204, admin: 204 },
  },
];

for (const mode of ["bearer", "cookie"] as const) {
  describe(`authorisation table (${mode})`, () => {
    for (const row of rows) {
      it(row.route, async () => {
        const target = await freshActors();
        const actual: Record<string, number> = {};
        for (const actor of actors) {
          const account = actor === "anonymous" ? null : target[actor];
          const [path, options] = row.request(target, account);
          const res = await api.request(path, { ...options, ...(account ? { as: account, auth: mode } : {}) });
          actual[actor] = res.status;
          if (res.status >= 400) expect(res.headers.get("content-type"), `${row.route} as ${actor}`).toMatch(/^application\/problem\+json/);
        }
        expect(actual).toEqual(row.expected);
      });
    }
  });
}

describe("reads that need a session", () => {
  it("GET /api/me and /api/me/following are 401 anonymously, 200 for everyone signed in", async () => {
    const target = await freshActors();
    for (const path of ["/api/me", "/api/me/following"]) {
      expect((await api.request(path)).status).toBe(401);
      for (const actor of ["viewer", "otherCreator", "owner", "admin"] as const) {
        expect((await api.request(path, { as: target[actor] })).status, `${path} as ${actor}`).toBe(200);
      }
    }
  });
});

describe("admins", () => {
  it("cannot be made over the API, and becoming a creator keeps the admin role", async () => {
    const target = await freshActors();
    const res = await api.request<{ accessToken: string }>("/api/me/creator", { method: "POST", as: target.admin, json: { displayName: "Admin's channel" } });
    expect(res.status).toBe(201);
    const me = await api.request<{ user: { role: string }; creator: unknown }>("/api/me", { token: res.body.accessToken });
    expect(me.body.user.role).toBe("admin");
    expect(me.body.creator).not.toBeNull();
  });
});

describe("guards", () => {
  const guarded = new Hono<AppEnv>();
  guarded.use(authenticate);
  guarded.get("/user", (c) => c.json(requireUser(c)));
  guarded.get("/creator", (c) => c.json(requireRole(c, "creator", "admin")));
  guarded.get("/admin", (c) => c.json(requireRole(c, "admin")));
  guarded.onError((err, c) => toProblemResponse(err, c));

  let target: Actors;
  beforeAll(async () => {
    target = await freshActors();
  });

  async function status(path: string, account: Account | null) {
    const ctx = createExecutionContext();
    const headers = account ? { authorization: `Bearer ${account.accessToken}` } : undefined;
    const res = await guarded.fetch(new Request(`http://example.com${path}`, { headers }), env, ctx);
    await waitOnExecutionContext(ctx);
    return res.status;
  }

  it("requireUser: 401 anonymous, the user otherwise", async () => {
    expect(await status("/user", null)).toBe(401);
    expect(await status("/user", target.viewer)).toBe(200);
  });

  it("requireRole: 401 anonymous, 403 for other roles", async () => {
    expect(await status("/creator", null)).toBe(401);
    expect(await status("/creator", target.viewer)).toBe(403);
    expect(await status("/creator", target.owner)).toBe(200);
    expect(await status("/creator", target.admin)).toBe(200);
    expect(await status("/admin", target.owner)).toBe(403);
    expect(await status("/admin", target.admin)).toBe(200);
  });
});
