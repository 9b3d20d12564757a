import { Form, Link, redirect, useNavigation } from "react-router";
import type { Route } from "./+types/studio";
import { Field, FormError, primaryButton } from "../components/Field";
import { Section } from "../components/Section";
import { Analytics } from "../components/studio/Analytics";
import { VideoRow } from "../components/studio/VideoRow";
import { QuotaSummary } from "../components/studio/QuotaSummary";
import { actionResult, api, cookieHeaders, failure, loadJson, requireMe, sendJson, text } from "../lib/api.server";
import { readProblem, problemText } from "../lib/problem";
import type { ActionResult, Page, Stats, Video } from "../lib/types";
import { useVideoStatuses } from "../lib/use-video-status";
import { publishAtFromForm } from "../lib/schedule";

export const meta = () => [{ title: "Studio · Edge Video" }, { name: "robots", content: "noindex" }];

export async function loader({ context, request }: Route.LoaderArgs) {
  const me = await requireMe(context, request);
  if (!me.creator) return { me, videos: null, stats: null };
  const [videos, stats] = await Promise.all([
    loadJson<Page<Video>>(context, `/api/creators/${me.creator.id}/videos?limit=100`),
    loadJson<Stats>(context, "/api/me/stats"),
  ]);
  return { me, videos, stats };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const intent = text(form, "intent");
  const id = encodeURIComponent(text(form, "id"));
  if (intent === "become-creator") {
    const res = await sendJson(context, "/api/me/creator", "POST", { displayName: text(form, "displayName").trim(), bio: text(form, "bio") });
    // The API hands out an access token with the new role: pass its cookie on.
    if (res.ok) return redirect("/studio", { headers: cookieHeaders(res) });
    const p = await readProblem(res);
    return failure(problemText(p), p.status, p.fields, intent);
  }
  if (intent === "update") {
    const res = await sendJson(context, `/api/videos/${id}`, "PATCH", {
      title: text(form, "title"),
      description: text(form, "description"),
      visibility: text(form, "visibility"),
      publishAt: publishAtFromForm(form),
      // An unchecked box is absent from the form: downloads off.
      downloadable: form.get("downloadable") === "on",
    });
    return actionResult(res, intent);
  }
  if (intent === "delete") return actionResult(await sendJson(context, `/api/videos/${id}`, "DELETE"), intent);
  if (intent === "poster") return actionResult(await sendJson(context, `/api/videos/${id}/poster`, "PUT", { frame: Number(text(form, "frame")) }), intent);
  if (intent === "poster-image") {
    const image = form.get("image");
    if (!(image instanceof File) || image.size === 0) return failure("Choose a JPEG, PNG or WebP image.", 422, {}, intent);
    // The API checks the type, size and pixels, and re-encodes the image.
    const res = await api(context)(`/api/videos/${id}/poster`, { method: "PUT", headers: { "content-type": image.type || "application/octet-stream" }, body: image });
    return actionResult(res, intent);
  }
  return failure("Unknown action.", 400, {}, intent);
}

export default function Studio({ loaderData, actionData }: Route.ComponentProps) {
  const { me, videos, stats } = loaderData;
  if (!videos || !stats) return <BecomeCreator result={actionData} />;
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <div className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">Studio</h1>
          <p className="text-sm text-neutral-400">
            {me.creator!.displayName} ·{" "}
            <Link to={`/c/${me.creator!.id}`} className="underline">
              View channel
            </Link>
          </p>
        </div>
        <Link to="/studio/upload" className={primaryButton}>
          Upload a video
        </Link>
      </div>
      {me.quota && <QuotaSummary quota={me.quota} />}
      <VideoTable initial={videos.items} />
      <Analytics stats={stats} />
    </main>
  );
}

function VideoTable({ initial }: { initial: Video[] }) {
  // Live status: each video that is still on its way is polled, without reloading the page.
  const videos = useVideoStatuses(initial);
  return (
    <Section id="videos-heading" title="Your videos" headingClassName="mb-3 text-xl font-semibold">
      {videos.length === 0 ? (
        <p className="text-neutral-300">
          No videos yet.{" "}
          <Link to="/studio/upload" className="underline">
            Upload your first one
          </Link>
          .
        </p>
      ) : (
        <ul className="divide-y divide-neutral-800 rounded-xl border border-neutral-800" aria-label="Your videos">
          {videos.map((v) => (
            <VideoRow key={v.id} video={v} />
          ))}
        </ul>
      )}
    </Section>
  );
}

function BecomeCreator({ result }: { result?: ActionResult }) {
  const busy = useNavigation().state === "submitting";
  const error = result && !result.ok ? result : null;
  return (
    <main id="main" className="mx-auto max-w-md px-4 py-10">
      <h1 className="text-2xl font-bold">Become a creator</h1>
      <p className="mt-2 text-neutral-300">Creators get a channel, can upload videos and see their analytics here.</p>
      <Form method="post" className="mt-6 space-y-4">
        <input type="hidden" name="intent" value="become-creator" />
        <FormError message={error?.error} />
        <Field label="Display name" name="displayName" required maxLength={80} hint="The name on your channel." error={error?.fields.displayName} />
        <Field label="Bio (optional)" name="bio" maxLength={500} error={error?.fields.bio} />
        <button type="submit" className={primaryButton} disabled={busy}>
          {busy ? "Creating…" : "Create my channel"}
        </button>
      </Form>
    </main>
  );
}
