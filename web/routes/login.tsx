import { useEffect } from "react";
import { Form, Link, data, redirect, useNavigate, useNavigation, useSearchParams } from "react-router";
import type { Route } from "./+types/login";
import { Field, FormError, primaryButton } from "../components/Field";
import { cookieHeaders, getMe, sendJson, text } from "../lib/api.server";
import { readProblem } from "../lib/problem";
import { safeNext } from "../lib/safe-next";
import { hasSessionHint, hintCookie, refreshSession } from "../lib/session";

export const meta = () => [{ title: "Sign in · Edge Video" }];

export async function loader({ context, request }: Route.LoaderArgs) {
  // Already signed in: go where the person was heading.
  if (await getMe(context)) throw redirect(safeNext(new URL(request.url).searchParams.get("next")));
  return null;
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const email = text(form, "email").trim();
  const res = await sendJson(context, "/api/auth/login", "POST", { email, password: text(form, "password") });
  if (res.ok) return redirect(safeNext(text(form, "next")), { headers: cookieHeaders(res, hintCookie) });
  const problem = await readProblem(res);
  return data({ error: problem.message, fields: problem.fields, email }, { status: problem.status });
}

export default function Login({ actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  // The access cookie expired but the refresh cookie may still be good: renew and carry on.
  useEffect(() => {
    if (hasSessionHint()) void refreshSession().then((ok) => ok && navigate(next, { replace: true }));
  }, []);
  return (
    <main id="main" className="mx-auto max-w-md px-4 py-10">
      <h1 className="text-2xl font-bold">Sign in</h1>
      <Form method="post" className="mt-6 space-y-4">
        <input type="hidden" name="next" value={next} />
        <FormError message={actionData?.error} />
        <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={actionData?.email} error={actionData?.fields.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={actionData?.fields.password} />
        <button type="submit" className={`${primaryButton} w-full`} disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p className="mt-6 text-sm text-neutral-300">
        New here?{" "}
        <Link to={`/signup${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`} className="underline">
          Create an account
        </Link>
      </p>
    </main>
  );
}
