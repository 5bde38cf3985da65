import { useState } from "react";
import type { Api, MeAnswer } from "../api/client";
import { inApp } from "../components/Header";
import { useDirectory } from "../lib/directory";
import { MONTHS } from "../lib/settings";
import { AuditLog } from "./admin/AuditLog";
import { InviteForm } from "./admin/InviteForm";
import { PeopleList } from "./admin/PeopleList";
import "./admin.css";
import "./settings.css";

/** The tenant's people (invite, roles, disable, remove) and its audit log; tenant admins only. */
export default function AdminPage({
  api,
  me,
  reloadMe,
}: {
  api: Api;
  me: MeAnswer;
  /** Reads the signed-in person's `me` again, after a change to their own account. */
  reloadMe?: () => Promise<void>;
}) {
  if (!me.isTenantAdmin) {
    return (
      <main id="main" className="narrow">
        <h1>Admin</h1>
        <p>Only your tenant’s admins can see this page.</p>
        <p className="hint">
          Ask one of them if you need someone invited or your account changed. Your own settings are on{" "}
          <a href="/settings" onClick={inApp("/settings")}>
            Settings
          </a>
          .
        </p>
      </main>
    );
  }
  return <AdminContent api={api} me={me} reloadMe={reloadMe} />;
}

function AdminContent({ api, me, reloadMe }: { api: Api; me: MeAnswer; reloadMe?: () => Promise<void> }) {
  const directory = useDirectory(api);
  const people = directory.resource;
  // Each change made here is read back into the audit log.
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((n) => n + 1);
  return (
    <main id="main" className="admin">
      <div className="admin-top">
        <h1>Admin</h1>
        <p className="hint">
          Your tenant’s fiscal year starts on 1 {MONTHS[me.fiscalYearStartMonth - 1] ?? me.fiscalYearStartMonth}; change it on{" "}
          <a href="/settings" onClick={inApp("/settings")}>
            Settings
          </a>
          .
        </p>
      </div>
      <InviteForm
        api={api}
        onInvited={async () => {
          await people.reload();
          changed();
        }}
      />
      <PeopleList api={api} me={me} people={people} onChanged={changed} onMeChanged={reloadMe} />
      <AuditLog api={api} me={me} changes={changes} nameOf={directory.byId} />
    </main>
  );
}
