// Likes of videos and comments. The like row and the counter it feeds change in one statement:
// the insert is ON CONFLICT DO NOTHING and the counter moves only by the rows actually inserted
// or deleted, so repeated or concurrent PUT/DELETE can never make the count drift from the rows.
// A comment is liked only while it is live (not deleted or removed), checked in the same statement.
import { sql } from "drizzle-orm";
import { commentLikes, comments, videoLikes, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

export async function likeVideo(db: Database, userId: string, videoId: string): Promise<void> {
  await db.execute(sql`
    with inserted as (
      insert into ${videoLikes} (video_id, user_id) values (${videoId}, ${userId})
      on conflict do nothing
      returning video_id
    )
    update ${videos} set like_count = like_count + 1 where id in (select video_id from inserted)`);
}

export async function unlikeVideo(db: Database, userId: string, videoId: string): Promise<void> {
  await db.execute(sql`
    with deleted as (
      delete from ${videoLikes} where video_id = ${videoId} and user_id = ${userId}
      returning video_id
    )
    update ${videos} set like_count = like_count - 1 where id in (select video_id from deleted)`);
}

export async function likeComment(db: Database, userId: string, commentId: string): Promise<void> {
  await db.execute(sql`
    with inserted as (
      insert into ${commentLikes} (comment_id, user_id)
      select id, ${userId} from ${comments} where id = ${commentId} and deleted_at is null and removed_at is null
      on conflict do nothing
      returning comment_id
    )
    update ${comments} set like_count = like_count + 1 where id in (select comment_id from inserted)`);
}

export async function unlikeComment(db: Database, userId: string, commentId: string): Promise<void> {
  await db.execute(sql`
    with deleted as (
      delete from ${commentLikes} where comment_id = ${commentId} and user_id = ${userId}
      returning comment_id
    )
    update ${comments} set like_count = like_count - 1 where id in (select comment_id from deleted)`);
}

export async function likesVideo(db: Database, userId: string, videoId: string): Promise<boolean> {
  const result = await db.execute(sql`select 1 from ${videoLikes} where video_id = ${videoId} and user_id = ${userId}`);
  return result.rows.length > 0;
}
