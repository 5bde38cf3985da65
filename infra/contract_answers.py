"""Checks real answers against the OpenAPI document: a user with realistic data (entries,
a running timer, a log, a project shared with a colleague, an upload, settings) calls
every JSON route, and each answer must match the schema the document gives for its
route and status. schemathesis generates mostly random input, which rarely reaches the
answers with data in them; this reaches them all.

Usage: contract_answers.py BASE_URL   (tm-local, fresh data folder)
"""

import json
import sys
import urllib.error
import urllib.request

import jsonschema

BASE = sys.argv[1].rstrip("/")
DOC = json.load(urllib.request.urlopen(BASE + "/openapi.json"))
checked = []
failures = []


def call(method, path, token=None, body=None, content_type="application/json"):
    data = None
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["content-type"] = content_type
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.headers.get("content-type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read()


def check(method, template, path, token, body=None, content_type="application/json", expect=None):
    """Calls the route and validates a JSON answer against the document."""
    status, media, raw = call(method, path, token, body, content_type)
    if expect is not None and status != expect:
        failures.append(f"{method} {path}: status {status}, expected {expect}: {raw[:300]!r}")
        return None
    if status == 204 or not media.startswith("application/json"):
        return None
    answer = json.loads(raw)
    responses = DOC["paths"][template][method.lower()]["responses"]
    described = responses.get(str(status), responses["default"])
    schema = described["content"]["application/json"]["schema"]
    root = {"$ref": schema["$ref"], "components": DOC["components"]} if "$ref" in schema else schema
    errors = sorted(jsonschema.Draft202012Validator(root).iter_errors(answer), key=lambda e: list(e.path))
    checked.append(f"{method} {template} {status}")
    for error in errors[:3]:
        where = "/".join(str(p) for p in error.path)
        failures.append(f"{method} {path} {status}: at {where or '(root)'}: {error.message[:300]}")
    return answer


def signup(username, name):
    """Signs up as a person does: a new tenant, with them as its admin."""
    account = {"username": username, "password": "change-me-please", "name": name}
    _, _, raw = call("POST", "/local/signup", body=account)
    return json.loads(raw)["id_token"]


def accept(link):
    """Sets the invited person's password through the invitation link; their ID token."""
    request = urllib.request.Request(link, data=json.dumps({"password": "change-me-please"}).encode(),
                                     method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())["id_token"]


me = signup("owner@answers.example", "Olga Owner")
invited = check("POST", "/v1/admin/users", "/v1/admin/users", me,
                {"email": "colleague@answers.example", "name": "Carl Colleague"}, expect=201)
colleague = accept(invited["invitation"]["link"])
colleague_id = check("GET", "/v1/me", "/v1/me", colleague)["user"]
check("GET", "/v1/users", "/v1/users", colleague, expect=200)
check("PATCH", "/v1/admin/users/{id}", f"/v1/admin/users/{colleague_id}", me, {"name": "Carl C."}, expect=200)
check("PATCH", "/v1/admin/users/{id}", f"/v1/admin/users/{colleague_id}", colleague, {"name": "Me"}, expect=403)

check("GET", "/health", "/health", None, expect=200)
check("GET", "/v1/me", "/v1/me", me, expect=200)
check("PATCH", "/v1/me", "/v1/me", me, {"timeZone": "Europe/Berlin"}, expect=200)
check("POST", "/v1/projects", "/v1/projects", me,
      {"name": "Docs", "departmentalGoals": ["Engineering"], "tags": ["writing"]}, expect=201)
check("PATCH", "/v1/projects/{name}", "/v1/projects/Docs", me, {"summary": "the handbook"}, expect=200)
entry = check("POST", "/v1/entries", "/v1/entries", me,
              {"date": "2026-11-30", "startTime": "09:00", "endTime": "10:30", "task": "write the guide",
               "project": "Docs", "tags": ["writing"], "notes": "first draft"}, expect=201)
check("POST", "/v1/entries", "/v1/entries", me,
      {"date": "2026-11-30", "startTime": "10:00", "endTime": "11:00", "task": "overlaps"}, expect=409)
check("POST", "/v1/entries", "/v1/entries", me,
      {"date": "2026-11-30", "startTime": "11:00", "endTime": "12:00", "task": "review", "project": "Old"},
      expect=201)
check("GET", "/v1/entries/{id}", f"/v1/entries/{entry['id']}", me, expect=200)
check("PATCH", "/v1/entries/{id}", f"/v1/entries/{entry['id']}", me, {"notes": None}, expect=200)
check("GET", "/v1/entries", "/v1/entries?from=2026-11-01&to=2026-11-30", me, expect=200)
check("POST", "/v1/timer/start", "/v1/timer/start", me, {"task": "triage", "project": "Docs", "date": "2026-11-30", "startTime": "13:00"}, expect=201)
check("GET", "/v1/timer", "/v1/timer", me, expect=200)
check("POST", "/v1/timer/finish", "/v1/timer/finish", me, {"endTime": "14:00"}, expect=200)
check("GET", "/v1/timer", "/v1/timer", me, expect=200)
check("GET", "/v1/daily/{date}", "/v1/daily/2026-11-30", me, expect=200)
check("GET", "/v1/projects", "/v1/projects", me, expect=200)
check("GET", "/v1/projects/{name}", "/v1/projects/Docs?limit=1", me, expect=200)
check("GET", "/v1/tags/{tag}", "/v1/tags/writing", me, expect=200)
check("POST", "/v1/projects/{name}/merge", "/v1/projects/Old/merge", me, {"into": "Docs"}, expect=200)
for template, path in [
    ("/v1/reports/fiscal-year/{fy}", "/v1/reports/fiscal-year/2026-2027"),
    ("/v1/reports/range/{start}/{end}", "/v1/reports/range/2026-11-01/2026-11-30?groupBy=tag"),
    ("/v1/reports/weekly/{date}", "/v1/reports/weekly/2026-11-30"),
    ("/v1/reports/monthly/{month}", "/v1/reports/monthly/2026-11"),
    ("/v1/reports/since", "/v1/reports/since?text=write"),
    ("/v1/reports/since", "/v1/reports/since?text=nothing-like-this"),
    ("/v1/team/reports/weekly/{date}", "/v1/team/reports/weekly/2026-11-30"),
]:
    check("GET", template, path, me, expect=200)
check("PUT", "/v1/projects/{name}/members/{user}", f"/v1/projects/Docs/members/{colleague_id}", me,
      {"role": "contributor"}, expect=201)
check("GET", "/v1/projects/{name}/members", "/v1/projects/Docs/members", me, expect=200)
check("GET", "/v1/team/reports/range/{start}/{end}", "/v1/team/reports/range/2026-11-01/2026-11-30?groupBy=user", me,
      expect=200)
check("GET", "/v1/projects", "/v1/projects", colleague, expect=200)
log = "# Time Log 2025-2026\n\n## July 2025\n\n### 2025-07-01\n\n- **09:00-10:00**: planning [[Docs]] [writing]\n"
bad = "# Time Log 2024-2025\n\n### 2024-07-01\n\n- **09:00-10:00**: one\n- **09:30-10:30**: overlaps\n"
check("PUT", "/v1/logs/{fy}", "/v1/logs/2025-2026", me, log, "text/markdown", expect=200)
check("PUT", "/v1/logs/{fy}", "/v1/logs/2025-2026?baseVersion=0", me, log, "text/markdown", expect=409)
check("PUT", "/v1/logs/{fy}", "/v1/logs/2024-2025", me, bad, "text/markdown",
      expect=422)
check("POST", "/v1/logs/{fy}/check", "/v1/logs/2025-2026/check?baseVersion=1", me, log, "text/markdown", expect=200)
check("POST", "/v1/logs/{fy}/check", "/v1/logs/2024-2025/check", me, bad, "text/markdown", expect=200)
check("GET", "/v1/logs", "/v1/logs", me, expect=200)
check("GET", "/v1/logs/{fy}/versions", "/v1/logs/2025-2026/versions", me, expect=200)
ticket = check("POST", "/v1/logs/uploads", "/v1/logs/uploads", me, {"fileName": "2026-2027.md"}, expect=201)
check("GET", "/v1/uploads/{id}", f"/v1/uploads/{ticket['uploadId']}", me, expect=200)
check("GET", "/v1/export", "/v1/export?format=json", me, expect=200)
check("GET", "/v1/audit", "/v1/audit?limit=5", me, expect=200)
call("POST", "/local/reports/run", me)
scheduled = check("GET", "/v1/reports/scheduled", "/v1/reports/scheduled", me, expect=200)
if not (scheduled or {}).get("reports"):
    failures.append("GET /v1/reports/scheduled: the run generated no report, so GET /v1/reports/scheduled/{id} went unchecked")
for report in (scheduled or {}).get("reports", [])[:2]:
    check("GET", "/v1/reports/scheduled/{id}", report["links"]["json"], me, expect=200)
check("DELETE", "/v1/projects/{name}/members/{user}", f"/v1/projects/Docs/members/{colleague_id}", me, expect=204)
check("DELETE", "/v1/admin/users/{id}", f"/v1/admin/users/{colleague_id}", me, expect=204)
check("GET", "/v1/users", "/v1/users", me, expect=200)

if failures:
    print("answers that do not match the OpenAPI document:", file=sys.stderr)
    for failure in failures:
        print("  " + failure, file=sys.stderr)
    sys.exit(1)
print(f"contract: {len(checked)} real answers match the OpenAPI document")
