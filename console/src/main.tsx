import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, describeFailure, setToken, whenUnauthorized } from "./api";
import { useNow } from "./hooks";
import { href, useRoute } from "./router";
import { decodeJwt } from "./jwt";
import { forgetToken, storedToken, storeToken } from "./session";
import { untilText } from "./format";
import { Analytics } from "./views/analytics";
import { CallDetail } from "./views/call-detail";
import { Calls } from "./views/calls";
import { type Me, SignIn, verifyToken } from "./views/sign-in";
import { Softphone } from "./views/softphone";
import { Talk } from "./views/talk";

type Session =
  | { status: "checking" }
  | { status: "unreachable"; error: string }
  | { status: "out"; notice?: string }
  | { status: "in"; token: string; me: Me };

const NAV = [
  { view: "calls", path: "/calls", label: "Calls" },
  { view: "analytics", path: "/analytics", label: "Analytics" },
  { view: "softphone", path: "/softphone", label: "Softphone" },
  { view: "talk", path: "/talk", label: "Talk to the AI" },
] as const;

function App() {
  const [session, setSession] = useState<Session>(() => (storedToken() ? { status: "checking" } : { status: "out" }));
  const route = useRoute();
  const now = useNow(30_000);

  const signIn = (token: string, me: Me) => {
    storeToken(token);
    setToken(token);
    setSession({ status: "in", token, me });
  };
  const signOut = (notice?: string) => {
    forgetToken();
    setToken(null);
    setSession({ status: "out", notice });
  };

  /** A stored token is checked again on load; only the Worker refusing it (401) forgets it. */
  const resume = () => {
    const token = storedToken();
    if (!token) return;
    setSession({ status: "checking" });
    verifyToken(token).then(
      (me) => signIn(token, me),
      (e: unknown) =>
        e instanceof ApiFailure && e.status === 401
          ? signOut(`You were signed out: ${e.message}`)
          : setSession({ status: "unreachable", error: describeFailure(e) }),
    );
  };
  useEffect(() => {
    whenUnauthorized((message) => signOut(`You were signed out: ${message}`));
    resume();
  }, []);

  if (session.status === "checking")
    return (
      <main id="main" class="center">
        <p role="status">Checking your session…</p>
      </main>
    );
  if (session.status === "unreachable")
    return (
      <main id="main" class="center">
        <div class="error" role="alert">
          <p>Could not check your session: {session.error}</p>
          <button type="button" onClick={resume}>
            Try again
          </button>{" "}
          <button type="button" class="secondary" onClick={() => signOut()}>
            Sign in again
          </button>
        </div>
      </main>
    );
  if (session.status === "out") return <SignIn notice={session.notice} onSignedIn={signIn} />;

  const exp = decodeJwt(session.token)?.exp;
  const current = route.view === "call" ? "calls" : route.view;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">voicedesk</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li key={n.view}>
                <a href={href(n.path)} aria-current={current === n.view ? "page" : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span data-testid="signed-in-as">
            {session.me.rep.name} · {session.me.customer.name}
          </span>
          {exp !== undefined && <span class="muted"> · token expires {untilText(exp * 1000, now)}</span>}
          <button type="button" class="secondary" onClick={() => signOut("You signed out.")}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route.view === "calls" && <Calls query={route.query} />}
        {route.view === "call" && <CallDetail id={route.id} scopes={session.me.scopes} />}
        {route.view === "analytics" && <Analytics query={route.query} />}
        {route.view === "softphone" && <Softphone />}
        {route.view === "talk" && <Talk />}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
