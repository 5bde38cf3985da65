import { useId, useLayoutEffect, useRef, useState, type FormEvent, type RefObject } from "react";
import { ApiProblem, callWithResponse, type Api } from "../../api/client";
import type { components } from "../../api/schema";
import { Field } from "../../components/Field";
import { ProblemNotice } from "../../components/Notices";
import { personLabel } from "../../lib/directory";
import { useAction } from "../../lib/useAction";

type Invitation = components["schemas"]["InvitationAnswer"];
type Sent = Invitation & { again: boolean };

/** The service's refusals and the field each is about. */
const FIELD_OF: Record<string, "email" | "name"> = {
  "invalid-email": "email",
  "already-in-tenant": "email",
  "email-taken": "email",
  "invalid-name": "name",
};

export function InviteForm({ api, onInvited }: { api: Api; onInvited: () => Promise<void> }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [admin, setAdmin] = useState(false);
  const { busy, problem, run } = useAction();
  const [sent, setSent] = useState<Sent | null>(null);
  const problemId = useId();
  const adminId = useId();
  const result = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    if (sent) result.current?.focus();
  }, [sent]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSent(null);
    await run(async () => {
      const { data, response } = await callWithResponse(
        api.POST("/v1/admin/users", { body: { email: email.trim(), name: name.trim(), admin } }),
      );
      // 201: a new invitation; 200: the person had been invited, and is invited again.
      setSent({ ...data, again: response.status === 200 });
      setName("");
      setEmail("");
      setAdmin(false);
      await onInvited();
    });
  }

  const field = problem instanceof ApiProblem ? FIELD_OF[problem.code] : undefined;
  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <form className="invite-form" onSubmit={(e) => void submit(e)} aria-labelledby="invite-heading" noValidate>
        <Field
          label="Name"
          value={name}
          onChange={setName}
          name="name"
          required
          className="f-name"
          invalid={field === "name"}
          describedBy={field === "name" ? problemId : undefined}
        />
        <Field
          label="Email"
          value={email}
          onChange={setEmail}
          name="email"
          required
          className="f-email"
          invalid={field === "email"}
          describedBy={field === "email" ? problemId : undefined}
          hint="They sign in with it."
        />
        <div className="check f-admin">
          <input id={adminId} type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
          <label htmlFor={adminId}>Also make them an admin of the tenant</label>
        </div>
        <div className="form-actions f-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? "Inviting…" : "Invite"}
          </button>
        </div>
        {problem && (
          <div className="f-problem" id={problemId}>
            <ProblemNotice title="The invitation was not sent." problem={problem} />
          </div>
        )}
      </form>
      {sent && <SentInvitation sent={sent} focusRef={result} />}
    </section>
  );
}

function SentInvitation({ sent, focusRef }: { sent: Sent; focusRef: RefObject<HTMLDivElement | null> }) {
  const [copied, setCopied] = useState("");
  const linkId = useId();
  const who = personLabel(sent.person);
  const link = sent.invitation.link;

  async function copy() {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied("Copied.");
    } catch {
      const input = document.getElementById(linkId) as HTMLInputElement | null;
      input?.select();
      setCopied("Could not copy here: the link is selected, press Ctrl+C (⌘C) to copy it.");
    }
  }

  return (
    <div className="invite-sent" ref={focusRef} tabIndex={-1} role="region" aria-label="Invitation sent">
      <p className="invite-sent-title">
        {sent.again ? `${who} was invited again` : `${who} is invited`} ({sent.person.email})
      </p>
      {sent.again && <p className="hint">They had not signed in yet: this is a new invitation, and the earlier one no longer works.</p>}
      {sent.invitation.sentBy === "email" || !link ? (
        <p>An email with a temporary password is on its way to them; they choose their own at first sign-in.</p>
      ) : (
        <>
          <p>Pass this link on to them: there they choose a password (it works once, for a week).</p>
          <div className="invite-link">
            <label htmlFor={linkId} className="visually-hidden">
              Invitation link for {who}
            </label>
            <input id={linkId} type="text" readOnly value={link} onFocus={(e) => e.target.select()} />
            <button type="button" className="button-secondary" onClick={() => void copy()}>
              Copy link
            </button>
          </div>
          <p className="settings-done" role="status">
            {copied}
          </p>
        </>
      )}
    </div>
  );
}
