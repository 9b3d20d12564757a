// Plain-HTTP API calls against a running stack (stack tests and benchmarks).
export type Session = { origin: string; token: string; userId: string };

export async function api<T = unknown>(origin: string, path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  const res = await fetch(origin + path, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export async function signUpCreator(origin: string, name = "Creator"): Promise<Session> {
  const email = `creator-${crypto.randomUUID()}@example.com`;
  const res = await api<{ user: { id: string }; accessToken: string }>(origin, "/api/auth/signup", {
    method: "POST",
    // A distinct client address per account, as many real people would have (sign-up is rate-limited per address).
    headers: { "cf-connecting-ip": `198.51.100.${Math.floor(Math.random() * 254) + 1}` },
    body: JSON.stringify({ email, password: "correct horse battery staple", role: "creator", displayName: name }),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { origin, token: res.body.accessToken, userId: res.body.user.id };
}

type CreateAnswer = {
  video: { id: string };
  upload: { uploadId: string; partSize: number; parts: { partNumber: number; url: string }[] };
};

/** Creates a video and PUTs the file's parts straight to storage, like the browser does. */
export async function uploadFile(
  session: Session,
  file: Uint8Array,
  meta: { title?: string; visibility?: "public" | "unlisted" | "private"; contentType?: string; stopAfterParts?: number } = {},
) {
  const created = await api<CreateAnswer>(session.origin, "/api/videos", {
    method: "POST",
    token: session.token,
    body: JSON.stringify({
      title: meta.title ?? "Test clip",
      visibility: meta.visibility ?? "public",
      filename: "clip.mp4",
      size: file.byteLength,
      contentType: meta.contentType ?? "video/mp4",
    }),
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const { video, upload } = created.body;
  const etags: { partNumber: number; etag: string }[] = [];
  const parts = meta.stopAfterParts === undefined ? upload.parts : upload.parts.slice(0, meta.stopAfterParts);
  await Promise.all(
    parts.map(async (part) => {
      const start = (part.partNumber - 1) * upload.partSize;
      const res = await fetch(part.url, { method: "PUT", body: file.slice(start, start + upload.partSize) });
      if (!res.ok) throw new Error(`part ${part.partNumber} failed: ${res.status} ${await res.text()}`);
      const etag = res.headers.get("etag")!;
      etags.push({ partNumber: part.partNumber, etag });
      await reportPart(session, video.id, part.partNumber, etag, Math.min(upload.partSize, file.byteLength - start));
    }),
  );
  return { videoId: video.id, upload, etags: etags.sort((a, b) => a.partNumber - b.partNumber) };
}

/** Tells the API storage has a part, as the browser does after each PUT (for resuming). */
export async function reportPart(session: Session, videoId: string, partNumber: number, etag: string, size: number) {
  const res = await api(session.origin, `/api/videos/${videoId}/upload/parts/${partNumber}`, {
    method: "PUT",
    token: session.token,
    body: JSON.stringify({ etag, size }),
  });
  if (res.status !== 204) throw new Error(`reporting part ${partNumber} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function waitForVideo<T extends { status: string; playable: boolean }>(
  session: Session,
  videoId: string,
  until: (v: T) => boolean,
  timeoutMs = 120_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api<T>(session.origin, `/api/videos/${videoId}`, { token: session.token });
    if (res.status === 200 && until(res.body)) return res.body;
    if (res.status === 200 && res.body.status === "failed" && !until(res.body)) throw new Error(`video failed: ${JSON.stringify(res.body)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for video ${videoId}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Uploads a file, completes it and waits until the video is ready; returns its id and HLS URL. */
export async function uploadAndWaitReady(session: Session, file: Uint8Array, title = "Ready clip") {
  const { videoId, etags } = await uploadFile(session, file, { title });
  const done = await api(session.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: session.token, body: JSON.stringify({ parts: etags }) });
  if (done.status !== 202) throw new Error(`complete failed: ${done.status}`);
  const ready = await waitForVideo<{ status: string; playable: boolean; playback: { hls: string } | null }>(session, videoId, (v) => v.status === "ready");
  return { id: videoId, hls: ready.playback!.hls };
}
