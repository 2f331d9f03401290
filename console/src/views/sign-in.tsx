import { useRef, useState } from "preact/hooks";
import { call, client, describeFailure, type JsonOf } from "../api";
import { tokenProblem } from "../jwt";

export type Me = JsonOf<Awaited<ReturnType<typeof client.api.me.$get>>>;

/** Asks the Worker who this token is (GET /api/me), sending it as a header of this one request. */
export const verifyToken = (token: string): Promise<Me> =>
  call(client.api.me.$get(undefined, { headers: { Authorization: `Bearer ${token}` } }));

/** Sign in by pasting a rep token: checked locally for shape and expiry, then by the Worker. */
export function SignIn(props: { notice?: string; onSignedIn(token: string, me: Me): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const token = (field.current?.value ?? "").trim().replace(/^Bearer\s+/i, "");
    const problem = tokenProblem(token);
    if (problem) {
      setError(problem);
      field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(token, await verifyToken(token));
    } catch (err) {
      setError(describeFailure(err));
      field.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="center">
      <form class="card signin" onSubmit={submit} aria-labelledby="signin-title" method="post" action="#">
        <h1 id="signin-title">voicedesk console</h1>
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <label for="token">Rep token</label>
        <textarea
          id="token"
          name="token"
          ref={field}
          rows={5}
          required
          autoComplete="off"
          spellcheck={false}
          aria-describedby="token-help"
          aria-invalid={error ? true : undefined}
          aria-errormessage={error ? "token-error" : undefined}
        />
        <p id="token-help" class="muted">
          Paste the token <code>npm start</code> printed, or get a fresh one with <code>npm run token</code>. It stays
          in this tab only and is sent as a header, never in a link.
        </p>
        {error && (
          <p id="token-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
