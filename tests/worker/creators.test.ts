import { env, SELF } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { creators, follows } from "#db/schema.ts";
import { createApiClient, withDb, type Account } from "../support/api-client.ts";

const api = createApiClient(SELF);

type Profile = { id: string; displayName: string; bio: string; followerCount: number; videoCount: number; following: boolean };
type Page = { items: (Profile & { followedAt: string })[]; nextCursor: string | null };

const profile = (id: string, as?: Account) => api.request<Profile>(`/api/creators/${id}`, { as });
const followCount = (creatorId: string) =>
  withDb(env, async (db) => (await db.select().from(creators).where(eq(creators.id, creatorId)))[0]!.followerCount);

describe("GET /api/creators/:id", () => {
  it("shows the public profile with counts, anonymously", async () => {
    const creator = await api.signUp({ role: "creator", displayName: "Grace", bio: "Compilers" });
    const res = await profile(creator.creatorId!);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: creator.creatorId, displayName: "Grace", bio: "Compilers", followerCount: 0, videoCount: 0, following: false });
  });

  it("is 404 for unknown ids and malformed UUIDs (never 500)", async () => {
    for (const id of [crypto.randomUUID(), "not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "'%20or%201=1"]) {
      const res = await api.request(`/api/creators/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });
});

describe("PATCH /api/creators/:id", () => {
  it("lets the owner change display name and bio, trimmed", async () => {
    const creator = await api.signUpCreator();
    const res = await api.request<Profile>(`/api/creators/${creator.creatorId}`, {
      method: "PATCH",
      as: creator,
      json: { displayName: "  Renamed ", bio: " New bio " },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: creator.creatorId, displayName: "Renamed", bio: "New bio" });
    expect((await profile(creator.creatorId!)).body.displayName).toBe("Renamed");
    const bioOnly = await api.request<Profile>(`/api/creators/${creator.creatorId}`, { method: "PATCH", as: creator, json: { bio: "" } });
    expect(bioOnly.body).toMatchObject({ displayName: "Renamed", bio: "" });
  });

  it("validates fields and refuses unknown ones", async () => {
    const creator = await api.signUpCreator();
    const patch = (json: unknown) => api.request<{ errors: { path: string }[] }>(`/api/creators/${creator.creatorId}`, { method: "PATCH", as: creator, json });
    for (const [json, path] of [
      [{ displayName: "" }, "displayName"],
      [{ displayName: "x".repeat(51) }, "displayName"],
      [{ displayName: "bad\nname" }, "displayName"],
      [{ bio: "b".repeat(501) }, "bio"],
      [{ followerCount: 1_000_000 }, ""],
    ] as const) {
      const res = await patch(json);
      expect(res.status, JSON.stringify(json).slice(0, 40)).toBe(400);
      expect(res.body.errors.map((e) => e.path).join(",")).toContain(path);
    }
    expect((await profile(creator.creatorId!)).body.followerCount).toBe(0);
  });

  it("is 404 for unknown and malformed ids", async () => {
    const creator = await api.signUpCreator();
    expect((await api.request(`/api/creators/${crypto.randomUUID()}`, { method: "PATCH", as: creator, json: { bio: "x" } })).status).toBe(404);
    expect((await api.request(`/api/creators/nope`, { method: "PATCH", as: creator, json: { bio: "x" } })).status).toBe(404);
  });
});

describe("follows", () => {
  it("PUT follows (204) and is idempotent: the count goes up once", async () => {
    const creator = await api.signUpCreator();
    const fan = await api.signUp();
    for (let i = 0; i < 3; i++) {
      const res = await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: fan });
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
    }
    expect(await followCount(creator.creatorId!)).toBe(1);
    const seen = await profile(creator.creatorId!, fan);
    expect(seen.body).toMatchObject({ followerCount: 1, following: true });
    expect((await profile(creator.creatorId!)).body.following).toBe(false);
  });

  it("concurrent PUTs and DELETEs never double count", async () => {
    const creator = await api.signUpCreator();
    const fans = await Promise.all([api.signUp(), api.signUp(), api.signUp()]);
    await Promise.all(fans.flatMap((fan) => [1, 2, 3].map(() => api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: fan }))));
    expect(await followCount(creator.creatorId!)).toBe(3);
    await Promise.all([1, 2, 3].map(() => api.request(`/api/creators/${creator.creatorId}/follow`, { method: "DELETE", as: fans[0] })));
    expect(await followCount(creator.creatorId!)).toBe(2);
  });

  it("DELETE unfollows (204); unfollowing again changes nothing", async () => {
    const creator = await api.signUpCreator();
    const fan = await api.signUp();
    const other = await api.signUp();
    await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: fan });
    await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: other });
    expect(await followCount(creator.creatorId!)).toBe(2);
    for (let i = 0; i < 2; i++) {
      expect((await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "DELETE", as: fan })).status).toBe(204);
    }
    expect(await followCount(creator.creatorId!)).toBe(1);
    const never = await api.signUp();
    expect((await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "DELETE", as: never })).status).toBe(204);
    expect(await followCount(creator.creatorId!)).toBe(1);
    const rows = await withDb(env, (db) =>
      db.select().from(follows).where(and(eq(follows.creatorId, creator.creatorId!), eq(follows.followerId, fan.user.id))),
    );
    expect(rows).toHaveLength(0);
  });

  it("creators cannot follow themselves (422); creators can follow others", async () => {
    const creator = await api.signUpCreator();
    const self = await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: creator });
    expect(self.status).toBe(422);
    expect(self.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await followCount(creator.creatorId!)).toBe(0);
    const other = await api.signUpCreator();
    expect((await api.request(`/api/creators/${other.creatorId}/follow`, { method: "PUT", as: creator })).status).toBe(204);
  });

  it("is 404 for unknown creators and malformed ids, 401 anonymously", async () => {
    const fan = await api.signUp();
    for (const method of ["PUT", "DELETE"]) {
      expect((await api.request(`/api/creators/${crypto.randomUUID()}/follow`, { method, as: fan })).status).toBe(404);
      expect((await api.request(`/api/creators/zzz/follow`, { method, as: fan })).status).toBe(404);
      expect((await api.request(`/api/creators/${crypto.randomUUID()}/follow`, { method })).status).toBe(401);
    }
  });
});

describe("GET /api/me/following", () => {
  it("lists followed creators, newest follow first, with keyset pagination", async () => {
    const fan = await api.signUp();
    const followed: string[] = [];
    for (let i = 0; i < 7; i++) {
      const creator = await api.signUp({ role: "creator", displayName: `Followed ${i}` });
      await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: fan });
      followed.push(creator.creatorId!);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : "?limit=3";
      const res = await api.request<Page>(`/api/me/following${query}`, { as: fan });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      for (const item of res.body.items) {
        expect(item).toMatchObject({ following: true, followerCount: 1, followedAt: expect.any(String) });
        seen.push(item.id);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...followed].reverse());
  });

  it("keeps pagination exact when follows share a timestamp", async () => {
    const fan = await api.signUp();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.signUpCreator()).creatorId!);
    const at = new Date("2026-01-01T00:00:00.123456Z");
    await withDb(env, (db) => db.insert(follows).values(ids.map((creatorId) => ({ followerId: fan.user.id, creatorId, createdAt: at }))));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const res = await api.request<Page>(`/api/me/following${query}`, { as: fan });
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it("defaults to 24 items, returns nextCursor null on the last page, and drops unfollowed creators", async () => {
    const fan = await api.signUp();
    const empty = await api.request<Page>("/api/me/following", { as: fan });
    expect(empty.body).toEqual({ items: [], nextCursor: null });
    const creator = await api.signUpCreator();
    await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", as: fan });
    expect((await api.request<Page>("/api/me/following", { as: fan })).body.items).toHaveLength(1);
    await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "DELETE", as: fan });
    expect((await api.request<Page>("/api/me/following", { as: fan })).body.items).toHaveLength(0);
  });

  it("validates limit and cursor (400) and needs a session (401)", async () => {
    const fan = await api.signUp();
    for (const query of ["?limit=0", "?limit=101", "?limit=abc", "?limit=2.5", "?cursor=not-a-cursor", `?cursor=${btoa('{"t":"x","id":"y"}')}`]) {
      const res = await api.request(`/api/me/following${query}`, { as: fan });
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect((await api.request("/api/me/following?limit=100", { as: fan })).status).toBe(200);
    expect((await api.request("/api/me/following")).status).toBe(401);
  });
});
