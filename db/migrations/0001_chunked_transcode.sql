CREATE TABLE "transcode_tasks" (
	"video_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"index" integer NOT NULL,
	"job_id" uuid NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"spec" jsonb,
	"result" jsonb,
	"started_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transcode_tasks_video_id_kind_index_pk" PRIMARY KEY("video_id","kind","index"),
	CONSTRAINT "transcode_tasks_kind_check" CHECK ("transcode_tasks"."kind" in ('chunk','audio','stills')),
	CONSTRAINT "transcode_tasks_state_check" CHECK ("transcode_tasks"."state" in ('pending','running','done'))
);
--> statement-breakpoint
ALTER TABLE "videos" ADD COLUMN "plan" jsonb;--> statement-breakpoint
ALTER TABLE "transcode_tasks" ADD CONSTRAINT "transcode_tasks_video_id_videos_id_fk" FOREIGN KEY ("video_id") REFERENCES "public"."videos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transcode_tasks_unfinished_idx" ON "transcode_tasks" USING btree ("state","updated_at") WHERE state <> 'done';