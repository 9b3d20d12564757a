import { Form, Link, data, redirect, useNavigation, useSearchParams } from "react-router";
import type { Route } from "./+types/signup";
import { Field, FormError, primaryButton } from "../components/Field";
import { cookieHeaders, sendJson, text } from "../lib/api.server";
import { readProblem } from "../lib/problem";
import { safeNext } from "../lib/safe-next";
import { hintCookie } from "../lib/session";

export const meta = () => [{ title: "Sign up · Edge Video" }];

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const role = text(form, "role") === "creator" ? "creator" : "viewer";
  const values = { email: text(form, "email").trim(), role, displayName: text(form, "displayName").trim() };
  if (role === "creator" && !values.displayName) {
    return data({ error: "Creators need a display name.", fields: { displayName: "Enter the name people will see on your channel." } as Record<string, string>, values }, { status: 400 });
  }
  const res = await sendJson(context, "/api/auth/signup", "POST", {
    email: values.email,
    password: text(form, "password"),
    role,
    ...(role === "creator" ? { displayName: values.displayName } : {}),
  });
  if (res.ok) {
    const fallback = role === "creator" ? "/studio" : "/";
    return redirect(safeNext(text(form, "next") || new URL(request.url).searchParams.get("next"), fallback), { headers: cookieHeaders(res, hintCookie) });
  }
  const problem = await readProblem(res);
  // The API never says an email is taken; a 401 here means "not with this password".
  const error = problem.status === 401 ? "We could not sign you up with this email and password. If you already have an account, sign in." : problem.message;
  return data({ error, fields: problem.fields, values }, { status: problem.status });
}

export default function Signup({ actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const v = actionData?.values;
  const fields = actionData?.fields ?? {};
  return (
    <main id="main" className="mx-auto max-w-md px-4 py-10">
      <h1 className="text-2xl font-bold">Create your account</h1>
      <Form method="post" className="mt-6 space-y-4" noValidate={false}>
        {params.get("next") && <input type="hidden" name="next" value={params.get("next")!} />}
        <FormError message={actionData?.error} />
        <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={v?.email} error={fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          error={fields.password}
        />
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">I want to</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="role" value="viewer" defaultChecked={v?.role !== "creator"} className="accent-red-500" /> Watch and follow
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="role" value="creator" defaultChecked={v?.role === "creator"} className="accent-red-500" /> Upload videos too
            (creator)
          </label>
        </fieldset>
        <Field
          label="Display name"
          name="displayName"
          autoComplete="nickname"
          maxLength={80}
          defaultValue={v?.displayName}
          hint="Required for creators: the name on your channel."
          error={fields.displayName}
        />
        <button type="submit" className={`${primaryButton} w-full`} disabled={busy}>
          {busy ? "Creating account…" : "Sign up"}
        </button>
      </Form>
      <p className="mt-6 text-sm text-neutral-300">
        Already have an account?{" "}
        <Link to="/login" className="underline">
          Sign in
        </Link>
      </p>
    </main>
  );
}
