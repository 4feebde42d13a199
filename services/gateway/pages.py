"""zh-CN pages for people: sign-in, the organisation, people, roster import, the cycle calendar.

Forms post back to the page they came from; a refusal re-renders that page with the message
next to the form and what the person typed still in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, Response, g, make_response, redirect, render_template, request, url_for

from services.assessment.domain import ROLE_NAMES
from services.gateway import calendar, roster_file, usecases
from services.gateway.extensions import SIGN_IN_LIMITS, limiter, sign_in_key
from services.gateway.web import SESSION_COOKIE, caller, check_csrf, parts
from shared.errors import Problem

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

NOTICES = {
    "branch_registered": "支部已登记。",
    "department_added": "科室已添加。",
    "department_removed": "科室已移除。",
    "person_registered": "人员已登记。",
    "role_granted": "角色已授予。",
    "role_revoked": "角色已撤销。",
    "email_changed": "邮箱已更新。",
    "cycle_opened": "年度已开启。",
    "phase_rescheduled": "阶段日期已调整。",
    "password_changed": "密码已修改，请重新登录。",
}
FORM_CODES = ("invalid_input", "already_exists", "conflict", "invalid_file", "not_found")


def render(template: str, status: int = 200, **context: Any) -> Response:
    who = caller(required=False)
    response = make_response(render_template(
        template, who=who, role_names=ROLE_NAMES, notice=NOTICES.get(request.args.get("ok", "")), **context))
    response.status_code = status
    return response


def problem_page(problem: Problem) -> Response:
    if problem.code == "unauthenticated" and request.method == "GET":
        return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
    return render("problem.html", status=problem.status, problem=problem)


def signed_in() -> Any:
    return caller(required=True)


def submit(action: Callable[[], Any], done: str, again: Callable[[Problem], Response], target: str) -> Response:
    """Run a form's action: on success go to `target` with a notice; on refusal show the form again."""
    check_csrf(request.form.get("csrf_token"))
    try:
        action()
    except Problem as problem:
        if problem.code not in FORM_CODES:
            raise
        return again(problem)
    return redirect(f"{target}?ok={done}")


# --- sign-in ------------------------------------------------------------------------------

@bp.get("/")
def home() -> Response:
    return redirect(url_for("pages.organisation"))


@bp.get("/login")
def login() -> Response:
    return render("login.html", next=request.args.get("next", ""))


@bp.post("/login")
@limiter.limit(SIGN_IN_LIMITS[0], key_func=sign_in_key)
@limiter.limit(SIGN_IN_LIMITS[1])
def login_submit() -> Response:
    username = request.form.get("username", "").strip()
    try:
        account = parts().store.verify(username, request.form.get("password", ""))
    except Problem as problem:
        return render("login.html", status=401, problem=problem, username=username, next=request.form.get("next", ""))
    credential = parts().store.issue(account, "session")
    response = redirect(_local(request.form.get("next", "")) or url_for("pages.organisation"))
    response.set_cookie(SESSION_COOKIE, credential.secret, expires=credential.expires_at, httponly=True,
                        samesite="Lax", secure=parts().secure_cookies, path="/")
    return response


@bp.post("/logout")
def logout() -> Response:
    check_csrf(request.form.get("csrf_token"))
    parts().store.revoke(request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(url_for("pages.login"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@bp.get("/account")
def account() -> Response:
    signed_in()
    return render("account.html")


@bp.post("/account")
def account_submit() -> Response:
    who = signed_in()

    def change() -> None:
        usecases.change_password(parts().store, who, request.form.get("current", ""), request.form.get("new", ""))

    return submit(change, "password_changed", lambda p: render("account.html", status=p.status, problem=p),
                  url_for("pages.login"))


# --- organisation -------------------------------------------------------------------------

@bp.get("/org")
def organisation(problem: Problem | None = None, form: dict | None = None) -> Response:
    who = signed_in()
    branches = usecases.list_branches(parts().backend, who)
    return render("organisation.html", status=problem.status if problem else 200, branches=branches,
                  problem=problem, form=form or {})


@bp.post("/org")
def organisation_submit() -> Response:
    who = signed_in()
    form = {"code": request.form.get("code", "").strip(), "name": request.form.get("name", "").strip(),
            "departments": roster_file.split_list(request.form.get("departments", ""))}
    return submit(lambda: usecases.register_branch(parts().backend, who, form), "branch_registered",
                  lambda p: organisation(p, request.form), url_for("pages.organisation"))


@bp.get("/org/branches/<branch_id>")
def branch(branch_id: str, problem: Problem | None = None, form: dict | None = None) -> Response:
    who = signed_in()
    found = usecases.get_branch(parts().backend, who, branch_id)
    return render("branch.html", status=problem.status if problem else 200, branch=found, problem=problem,
                  form=form or {}, may_manage=who.may_manage_people_of(branch_id),
                  may_see_people=who.may_see_people_of(branch_id))


@bp.post("/org/branches/<branch_id>")
def branch_submit(branch_id: str) -> Response:
    who = signed_in()
    backend = parts().backend
    form = request.form
    action = form.get("action")
    again = lambda p: branch(branch_id, p, form)  # noqa: E731
    here = url_for("pages.branch", branch_id=branch_id)
    if action == "add_department":
        return submit(lambda: usecases.add_department(backend, who, branch_id, {"department": form.get("department", "").strip()}),
                      "department_added", again, here)
    if action == "remove_department":
        return submit(lambda: usecases.remove_department(backend, who, branch_id, {"department": form.get("department", "")}),
                      "department_removed", again, here)
    roles = [{"role": r, "branch_id": branch_id} for r in form.getlist("roles")]
    person = {"staff_no": form.get("staff_no", "").strip(), "name": form.get("name", "").strip(),
              "email": form.get("email", "").strip(), "roles": roles}
    return submit(lambda: usecases.register_person(backend, who, person), "person_registered", again, here)


@bp.get("/org/people/<person_id>")
def person(person_id: str, problem: Problem | None = None, created: dict | None = None) -> Response:
    who = signed_in()
    found = usecases.get_person(parts().backend, who, person_id)
    names = {b["id"]: b["name"] for b in usecases.list_branches(parts().backend, who)}
    has_account = parts().store.for_person(person_id) is not None
    return render("person.html", status=problem.status if problem else 200, person=found, branch_names=names,
                  problem=problem, created=created, has_account=has_account)


@bp.post("/org/people/<person_id>")
def person_submit(person_id: str) -> Response:
    who = signed_in()
    backend = parts().backend
    form = request.form
    action = form.get("action")
    again = lambda p: person(person_id, p)  # noqa: E731
    here = url_for("pages.person", person_id=person_id)
    role = {"role": form.get("role", ""), "branch_id": form.get("branch_id", "")}
    if action == "grant":
        return submit(lambda: usecases.grant_role(backend, who, person_id, role), "role_granted", again, here)
    if action == "revoke":
        return submit(lambda: usecases.revoke_role(backend, who, person_id, role), "role_revoked", again, here)
    if action == "email":
        return submit(lambda: usecases.change_email(backend, who, person_id, {"email": form.get("email", "").strip()}),
                      "email_changed", again, here)
    check_csrf(form.get("csrf_token"))
    try:
        created = usecases.create_account(backend, parts().store, who, {"person_id": person_id,
                                                                        "username": form.get("username", "")})
    except Problem as problem:
        if problem.code not in FORM_CODES:
            raise
        return again(problem)
    return person(person_id, created=created)


@bp.get("/org/import")
def roster_import(problem: Problem | None = None, result: dict | None = None) -> Response:
    who = signed_in()
    who.require(who.holds("party_office"))
    return render("import.html", status=problem.status if problem else 200, problem=problem, result=result)


@bp.post("/org/import")
def roster_import_submit() -> Response:
    who = signed_in()
    check_csrf(request.form.get("csrf_token"))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Problem("invalid_file", "请选择要导入的文件。", "Choose a file to import.")
        rows = roster_file.read_rows(upload.filename, upload.read())
        result = usecases.import_roster(parts().backend, who, rows, request.form.get("reason", ""))
    except Problem as problem:
        if problem.code not in FORM_CODES:
            raise
        return roster_import(problem)
    return roster_import(result=result)


# --- cycles -------------------------------------------------------------------------------

@bp.get("/cycles")
def cycles(problem: Problem | None = None, form: dict | None = None) -> Response:
    who = signed_in()
    found = usecases.list_cycles(parts().backend, who)
    return render("cycles.html", status=problem.status if problem else 200, cycles=found,
                  timelines={c["id"]: calendar.timeline(c) for c in found}, problem=problem,
                  form=form or calendar.default_cycle_form(found))


@bp.post("/cycles")
def cycles_submit() -> Response:
    who = signed_in()
    form = request.form
    return submit(lambda: usecases.open_cycle(parts().backend, who, calendar.cycle_payload(form)), "cycle_opened",
                  lambda p: cycles(p, form), url_for("pages.cycles"))


@bp.post("/cycles/<cycle_id>/phases/<key>")
def phase_submit(cycle_id: str, key: str) -> Response:
    who = signed_in()
    payload = {"starts_on": request.form.get("starts_on", ""), "due_on": request.form.get("due_on", ""),
               "reason": request.form.get("reason", "")}
    return submit(lambda: usecases.reschedule_phase(parts().backend, who, cycle_id, key, payload),
                  "phase_rescheduled", lambda p: cycles(p), url_for("pages.cycles"))


def _local(target: str) -> str:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    parsed = urlparse(target)
    return target if target.startswith("/") and not target.startswith("//") and not parsed.netloc else ""


@bp.app_context_processor
def _csrf() -> dict[str, Any]:
    who = g.get("caller")
    return {"csrf_token": who.csrf if who else ""}
