// A ready, playable video row written straight to the database (the worker suite has no working
// S3 endpoint to upload through), with a master playlist in storage and, when private, the
// private marker the media route checks.
import { env } from "cloudflare:test";
import { mediaKeys } from "#contract/media-layout.ts";
import { comments, videos } from "#db/schema.ts";
import { withDb } from "../../support/api-client.ts";

type SeedOptions = { visibility?: "public" | "unlisted" | "private"; title?: string; description?: string; publishedAt?: Date; durationSeconds?: number };

export async function seedVideo(creatorId: string, opts: SeedOptions = {}): Promise<string> {
  const id = await withDb(env, async (db) => {
    const [row] = await db
      .insert(videos)
      .values({
        creatorId,
        title: opts.title ?? "Seeded video",
        description: opts.description ?? "a seeded video",
        visibility: opts.visibility ?? "public",
        status: "ready",
        playable: true,
        progress: 100,
        durationSeconds: opts.durationSeconds ?? 10,
        width: 640,
        height: 360,
        publishedAt: opts.publishedAt ?? new Date(),
        masterKey: "",
      })
      .returning();
    return row!.id;
  });
  await env.MEDIA.put(mediaKeys(id).master, "#EXTM3U\n");
  if (opts.visibility === "private") await env.MEDIA.put(mediaKeys(id).privateMarker, "");
  return id;
}

export const seedComment = (videoId: string, authorId: string, body = "a seeded comment") =>
  withDb(env, async (db) => (await db.insert(comments).values({ videoId, authorId, body }).returning())[0]!.id);
