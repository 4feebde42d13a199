"""The roster and cycles over HTTP, as a client program and the Party office use them."""

import io
import time

from openpyxl import load_workbook

from tests.conftest import Client


def test_the_admin_signs_in_and_a_branch_created_over_the_api_is_listed_within_a_second(system, admin):
    created = admin.post("/api/v1/branches", json={"code": "NK", "name": "内科支部", "departments": ["内一科"]})
    assert created.status_code == 201, created.text
    started = time.monotonic()
    while True:
        listed = [b["code"] for b in admin.get("/api/v1/branches").json()]
        if "NK" in listed or time.monotonic() - started > 1:
            break
    assert "NK" in listed
    assert time.monotonic() - started <= 1


def test_bad_input_is_refused_as_problem_json_in_chinese_and_english(admin):
    response = admin.post("/api/v1/branches", json={"code": "N K", "departments": "内一科"})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_input"
    assert set(body["errors"]) == {"code", "name", "departments"}
    assert body["errors"]["name"] == {"zh": "此项必填。", "en": "Missing data for required field."}


def test_a_second_branch_with_the_same_code_is_a_conflict(admin):
    admin.post("/api/v1/branches", json={"code": "DUP", "name": "甲"})
    again = admin.post("/api/v1/branches", json={"code": "dup", "name": "乙"})
    assert again.status_code == 409 and again.json()["code"] == "already_exists"


def test_requests_without_credentials_are_refused(system):
    anonymous = Client(system.url)
    response = anonymous.get("/api/v1/branches")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert anonymous.get("/api/v1/nothing-here").status_code == 404


def test_every_response_carries_the_security_headers(system):
    response = Client(system.url).get("/login")
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert header in response.headers
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_openapi_document_describes_each_operation_with_its_schemas(system):
    document = Client(system.url).get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    branches = document["paths"]["/branches"]
    assert branches["post"]["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RegisterBranch"}
    assert "RegisterBranch" in document["components"]["schemas"]
    assert "/people/{person_id}/roles" in document["paths"]


def roster(*rows):
    header = "支部编码,支部名称,科室,工号,姓名,邮箱,角色\n"
    return (header + "".join(",".join(r) + "\n" for r in rows)).encode()


def test_a_roster_file_with_a_bad_row_is_refused_by_row_number_and_nothing_is_applied(admin):
    before = len(admin.get("/api/v1/people").json())
    content = roster(["IMP", "导入支部", "科一", "5001", "甲", "a@h.cn", "党员"],
                     ["IMP", "", "", "5002", "乙", "not-an-email", "党员"],
                     ["IMP", "", "", "5003", "丙", "c@h.cn", "队长"])
    response = admin.post("/api/v1/roster/import", files={"file": ("roster.csv", content)})
    assert response.status_code == 422
    assert sorted({e["row"] for e in response.json()["errors"]}) == [3, 4]
    assert len(admin.get("/api/v1/people").json()) == before
    assert "IMP" not in [b["code"] for b in admin.get("/api/v1/branches").json()]


def test_a_roster_exported_from_chinese_excel_as_gb18030_csv_is_imported(admin):
    content = roster(["GBK", "国标支部", "科一、科二", "6001", "张一", "z1@h.cn", "支部书记、党员"],
                     ["GBK", "", "", "6002", "张二", "z2@h.cn", "群众代表"]).decode().encode("gb18030")
    response = admin.post("/api/v1/roster/import", files={"file": ("名册.csv", content)})
    assert response.status_code == 200, response.text
    branch = next(b for b in admin.get("/api/v1/branches").json() if b["code"] == "GBK")
    assert branch["departments"] == ["科一", "科二"] and branch["secretaries"][0]["name"] == "张一"
    people = admin.get(f"/api/v1/branches/{branch['id']}/people").json()
    assert sorted(p["name"] for p in people) == ["张一", "张二"]


def test_the_downloaded_xlsx_template_filled_in_is_imported(admin):
    template = admin.get("/api/v1/roster/template.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["名册"]
    assert [c.value for c in sheet[1]] == ["支部编码", "支部名称", "科室", "工号", "姓名", "邮箱", "角色"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(["XLS", "表格支部", "检验科", 7001, "李一", "l1@h.cn", "党员"])
    filled = io.BytesIO()
    book.save(filled)
    response = admin.post("/api/v1/roster/import", files={"file": ("roster.xlsx", filled.getvalue())})
    assert response.status_code == 200, response.text
    assert any(p["staff_no"] == "7001" for p in admin.get("/api/v1/people").json())


def test_a_cycle_opens_with_its_phases_and_a_phase_can_be_rescheduled(admin):
    payload = {"year": 2031, "title": "2031年基层组织建设年",
               "phases": [{"key": "survey", "name": "调查摸底，分类定级", "starts_on": "2031-04-01", "due_on": "2031-04-30"},
                          {"key": "rectify", "name": "整改提高，晋位升级", "starts_on": "2031-04-01", "due_on": "2031-06-30"}],
               "weights": {"self_assessment": 20, "ballots": 40, "superior": 40},
               "thresholds": {"advanced": 85, "average": 70}}
    created = admin.post("/api/v1/cycles", json=payload)
    assert created.status_code == 201, created.text
    moved = admin.put(f"/api/v1/cycles/{created.json()['id']}/phases/survey",
                      json={"starts_on": "2031-04-01", "due_on": "2031-05-10", "reason": "延期一周"})
    assert moved.status_code == 200, moved.text
    cycle = admin.get(f"/api/v1/cycles/{created.json()['id']}").json()
    assert [(p["key"], p["due_on"]) for p in cycle["phases"]] == [("survey", "2031-05-10"), ("rectify", "2031-06-30")]
    assert cycle["weights"] == payload["weights"]


def test_a_client_sending_json_without_its_content_type_still_signs_in(system):
    import requests

    response = requests.post(f"{system.url}/api/v1/tokens", data='{"username": "admin", "password": "admin-password-for-tests"}',
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert response.status_code == 201, response.text
