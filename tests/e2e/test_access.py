"""Role- and branch-scoped access, over HTTP: a branch secretary manages their own branch only."""

import pytest

from tests.conftest import ADMIN_PASSWORD, Client


@pytest.fixture(scope="module")
def hospital(system):
    admin = Client(system.url, "admin", ADMIN_PASSWORD)
    ids = {}
    for code, name in (("NKA", "内科支部"), ("WKA", "外科支部")):
        ids[code] = admin.post("/api/v1/branches", json={"code": code, "name": name}).json()["id"]
    people = {}
    for staff_no, name, roles in (
        ("A1", "内科书记", [{"role": "branch_secretary", "branch_id": ids["NKA"]}, {"role": "member", "branch_id": ids["NKA"]}]),
        ("A2", "内科党员", [{"role": "member", "branch_id": ids["NKA"]}]),
        ("B1", "外科党员", [{"role": "member", "branch_id": ids["WKA"]}]),
    ):
        response = admin.post("/api/v1/people", json={"staff_no": staff_no, "name": name,
                                                       "email": f"{staff_no}@h.cn", "roles": roles})
        assert response.status_code == 201, response.text
        people[staff_no] = response.json()["id"]
    accounts = {}
    for staff_no in ("A1", "A2"):
        created = admin.post("/api/v1/accounts", json={"person_id": people[staff_no]})
        assert created.status_code == 201, created.text
        accounts[staff_no] = Client(system.url, created.json()["username"], created.json()["password"])
    return ids, people, accounts


def test_a_branch_secretary_cannot_read_another_branchs_people(hospital):
    ids, people, accounts = hospital
    secretary = accounts["A1"]
    assert secretary.get(f"/api/v1/branches/{ids['WKA']}/people").status_code == 403
    assert secretary.get(f"/api/v1/people/{people['B1']}").status_code == 403
    assert secretary.get(f"/api/v1/branches/{ids['WKA']}").status_code == 403
    assert [b["code"] for b in secretary.get("/api/v1/branches").json()] == ["NKA"]
    assert sorted(p["staff_no"] for p in secretary.get("/api/v1/people").json()) == ["A1", "A2"]


def test_a_branch_secretary_cannot_change_another_branchs_people(system, hospital):
    ids, people, accounts = hospital
    secretary = accounts["A1"]
    attempts = [
        secretary.put(f"/api/v1/people/{people['B1']}/email", json={"email": "changed@h.cn"}),
        secretary.post(f"/api/v1/people/{people['B1']}/roles", json={"role": "mass_rep", "branch_id": ids["WKA"]}),
        secretary.delete(f"/api/v1/people/{people['B1']}/roles", json={"role": "member", "branch_id": ids["WKA"]}),
        secretary.post("/api/v1/people", json={"staff_no": "B9", "name": "新人", "email": "b9@h.cn",
                                               "roles": [{"role": "member", "branch_id": ids["WKA"]}]}),
        secretary.post("/api/v1/branches", json={"code": "NEW", "name": "新支部"}),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert all(a.json()["code"] == "forbidden" for a in attempts)
    admin = Client(system.url, "admin", ADMIN_PASSWORD)
    assert admin.get(f"/api/v1/people/{people['B1']}").json()["email"] == "B1@h.cn"


def test_a_branch_secretary_manages_their_own_branchs_people(hospital):
    ids, people, accounts = hospital
    secretary = accounts["A1"]
    assert secretary.put(f"/api/v1/people/{people['A2']}/email", json={"email": "a2.new@h.cn"}).status_code == 200
    added = secretary.post("/api/v1/people", json={"staff_no": "A3", "name": "新党员", "email": "a3@h.cn",
                                                   "roles": [{"role": "member", "branch_id": ids["NKA"]}]})
    assert added.status_code == 201, added.text
    assert "A3" in [p["staff_no"] for p in secretary.get(f"/api/v1/branches/{ids['NKA']}/people").json()]
    # ...but may not make anyone a secretary, which is the Party office's call.
    promote = secretary.post(f"/api/v1/people/{people['A2']}/roles", json={"role": "branch_secretary", "branch_id": ids["NKA"]})
    assert promote.status_code == 403


def test_a_member_sees_their_branch_but_not_its_people(hospital):
    ids, people, accounts = hospital
    member = accounts["A2"]
    assert [b["code"] for b in member.get("/api/v1/branches").json()] == ["NKA"]
    assert member.get(f"/api/v1/branches/{ids['NKA']}").json()["people"] == []
    assert member.get(f"/api/v1/branches/{ids['NKA']}/people").status_code == 403
    assert member.get(f"/api/v1/people/{people['A2']}").status_code == 200  # themself
    assert member.get("/api/v1/people").status_code == 403
