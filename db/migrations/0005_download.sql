ALTER TABLE "transcode_tasks" DROP CONSTRAINT "transcode_tasks_kind_check";--> statement-breakpoint
ALTER TABLE "videos" ADD COLUMN "download_key" text;--> statement-breakpoint
ALTER TABLE "transcode_tasks" ADD CONSTRAINT "transcode_tasks_kind_check" CHECK ("transcode_tasks"."kind" in ('chunk','audio','stills','download'));