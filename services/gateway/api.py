"""The JSON API under /api/v1. Each operation is declared once, with its schemas: the same
declaration registers the Flask route and documents it in the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema

from services.assessment import schemas as commands
from services.gateway import roster_file, usecases
from services.gateway.extensions import SIGN_IN_LIMITS, limiter, sign_in_key
from services.gateway.web import XLSX, caller, check_csrf, download, json_body, parts
from services.projections import schemas as views
from shared.errors import Problem

api = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    public: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def operation(rule: str, method: str, summary: str, tag: str, **options: Any) -> Callable:
    spec = Operation(rule, method, summary, tag, **options)
    OPERATIONS.append(spec)

    def register(view: Callable) -> Callable:
        @wraps(view)
        def endpoint(**kwargs: Any) -> Response:
            if not spec.public:
                who = caller()
                if method != "GET":
                    check_csrf(request.headers.get("X-CSRF-Token"))
                kwargs["who"] = who
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            return Response(json.dumps(result, ensure_ascii=False), status=spec.status, mimetype="application/json")

        api.add_url_rule(rule, endpoint=view.__name__, view_func=endpoint, methods=[method])
        return endpoint

    return register


# --- session and accounts -----------------------------------------------------------------

@operation("/tokens", "POST", "Exchange a username and password for a bearer token", "accounts", public=True, status=201)
@limiter.limit(SIGN_IN_LIMITS[0], key_func=sign_in_key)
@limiter.limit(SIGN_IN_LIMITS[1])
def issue_token() -> dict:
    body = json_body()
    account = parts().store.verify(str(body.get("username", "")), str(body.get("password", "")))
    credential = parts().store.issue(account, "token")
    return {"token": credential.secret, "expires_at": credential.expires_at.isoformat()}


@operation("/tokens/current", "DELETE", "Revoke the bearer token of this request", "accounts")
def revoke_token(who) -> dict:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        parts().store.revoke(header[7:].strip())
    return {"revoked": True}


@operation("/me", "GET", "Who the caller is and which roles they hold", "accounts")
def me(who) -> dict:
    return usecases.describe(who)


@operation("/accounts", "POST", "Open an account for a person of the roster (Party office)", "accounts", status=201)
def create_account(who) -> dict:
    return usecases.create_account(parts().backend, parts().store, who, json_body())


# --- branches -----------------------------------------------------------------------------

@operation("/branches", "GET", "Branches the caller may see", "roster", response=views.BranchView, many=True)
def list_branches(who) -> list:
    return usecases.list_branches(parts().backend, who)


@operation("/branches", "POST", "Register a branch (Party office)", "roster",
           body=commands.RegisterBranch, response=views.Receipt, status=201)
def register_branch(who) -> dict:
    return usecases.register_branch(parts().backend, who, json_body())


@operation("/branches/<branch_id>", "GET", "A branch, with its people if the caller may see them", "roster",
           response=views.BranchDetail)
def get_branch(who, branch_id: str) -> dict:
    return usecases.get_branch(parts().backend, who, branch_id)


@operation("/branches/<branch_id>", "PATCH", "Rename a branch (Party office)", "roster",
           body=commands.RenameBranch, response=views.Receipt)
def rename_branch(who, branch_id: str) -> dict:
    return usecases.rename_branch(parts().backend, who, branch_id, json_body())


@operation("/branches/<branch_id>/departments", "POST", "Add a department to a branch (Party office)", "roster",
           body=commands.Department, response=views.Receipt)
def add_department(who, branch_id: str) -> dict:
    return usecases.add_department(parts().backend, who, branch_id, json_body())


@operation("/branches/<branch_id>/departments", "DELETE", "Remove a department from a branch (Party office)",
           "roster", body=commands.Department, response=views.Receipt)
def remove_department(who, branch_id: str) -> dict:
    return usecases.remove_department(parts().backend, who, branch_id, json_body())


@operation("/branches/<branch_id>/people", "GET", "People of a branch (its secretary, or hospital-wide roles)",
           "roster", response=views.PersonView, many=True)
def branch_people(who, branch_id: str) -> list:
    return usecases.list_people(parts().backend, who, branch_id)


# --- people -------------------------------------------------------------------------------

@operation("/people", "GET", "People the caller may see", "roster", response=views.PersonView, many=True)
def list_people(who) -> list:
    return usecases.list_people(parts().backend, who, request.args.get("branch_id") or None)


@operation("/people", "POST", "Register a person (Party office; a secretary for their own branch)", "roster",
           body=commands.RegisterPerson, response=views.Receipt, status=201)
def register_person(who) -> dict:
    return usecases.register_person(parts().backend, who, json_body())


@operation("/people/<person_id>", "GET", "A person", "roster", response=views.PersonView)
def get_person(who, person_id: str) -> dict:
    return usecases.get_person(parts().backend, who, person_id)


@operation("/people/<person_id>/email", "PUT", "Change a person's e-mail address", "roster",
           body=commands.ChangeEmail, response=views.Receipt)
def change_email(who, person_id: str) -> dict:
    return usecases.change_email(parts().backend, who, person_id, json_body())


@operation("/people/<person_id>/roles", "POST", "Grant a role", "roster", body=commands.GrantRole, response=views.Receipt)
def grant_role(who, person_id: str) -> dict:
    return usecases.grant_role(parts().backend, who, person_id, json_body())


@operation("/people/<person_id>/roles", "DELETE", "Revoke a role", "roster", body=commands.GrantRole,
           response=views.Receipt)
def revoke_role(who, person_id: str) -> dict:
    return usecases.revoke_role(parts().backend, who, person_id, json_body())


# --- roster files -------------------------------------------------------------------------

@operation("/roster/template.xlsx", "GET", "The roster template (XLSX)", "roster")
def roster_template_xlsx(who) -> Response:
    return download(roster_file.template_xlsx(), "roster-template.xlsx", XLSX)


@operation("/roster/template.csv", "GET", "The roster template (CSV, UTF-8)", "roster")
def roster_template_csv(who) -> Response:
    return download(roster_file.template_csv(), "roster-template.csv", "text/csv; charset=utf-8")


@operation("/roster/import", "POST", "Import a roster file (multipart field `file`): all rows or none",
           "roster", extra={"multipart": True})
def import_roster(who) -> dict:
    upload = request.files.get("file")
    if upload is None:
        raise Problem("invalid_file", "请选择要导入的文件。", "Attach the roster as the form field `file`.")
    rows = roster_file.read_rows(upload.filename or "", upload.read())
    return usecases.import_roster(parts().backend, who, rows, request.form.get("reason", ""))


# --- cycles -------------------------------------------------------------------------------

@operation("/cycles", "GET", "The years and their phases", "cycles", response=views.CycleView, many=True)
def list_cycles(who) -> list:
    return usecases.list_cycles(parts().backend, who)


@operation("/cycles", "POST", "Open a year's cycle (Party office)", "cycles",
           body=commands.OpenCycle, response=views.Receipt, status=201)
def open_cycle(who) -> dict:
    return usecases.open_cycle(parts().backend, who, json_body())


@operation("/cycles/<cycle_id>", "GET", "One cycle", "cycles", response=views.CycleView)
def get_cycle(who, cycle_id: str) -> dict:
    return usecases.get_cycle(parts().backend, who, cycle_id)


@operation("/cycles/<cycle_id>/phases/<key>", "PUT", "Reschedule a phase (Party office)", "cycles",
           body=commands.ReschedulePhase, response=views.Receipt)
def reschedule_phase(who, cycle_id: str, key: str) -> dict:
    return usecases.reschedule_phase(parts().backend, who, cycle_id, key, json_body())
