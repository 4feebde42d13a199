"""A demo hospital, loaded through the public API on a fresh data directory: branches like those
of the implementation plan's hospital, their people, the 2012 cycle with the plan's dates, and
this year's cycle with evaluation open to the end of the year, to try the first phase in."""

from __future__ import annotations

import csv
import io
import itertools
import json
import urllib.request
from datetime import datetime
from typing import Any

from services.assessment.domain.cycle import HOSPITAL_TIME
from services.gateway.calendar import DEFAULT_PHASES, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS

BRANCHES = [
    ("JG1", "机关第一支部", ["党办", "院办", "人事科"]),
    ("JG2", "机关第二支部", ["医务科", "护理部", "财务科"]),
    ("NK", "内科支部", ["内一科", "内二科", "心内科"]),
    ("WK", "外科支部", ["普外科", "骨科", "手术室"]),
    ("YJ", "医技支部", ["检验科", "放射科", "药剂科"]),
    ("MJ", "门急诊支部", ["门诊部", "急诊科"]),
    ("HQ", "后勤支部", ["总务科", "保卫科"]),
    ("LT", "离退休支部", ["离退休办"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建华", "秀英", "志强", "海燕", "文杰", "丽娟", "国庆", "晓东", "春梅", "永刚", "红霞", "明辉",
         "桂兰", "德胜", "玉珍", "立新", "雪梅", "卫东", "淑芬", "振宇", "慧敏", "长青", "小燕", "宏伟"]


def roster_csv() -> bytes:
    names = (s + g for g, s in zip(itertools.cycle(GIVEN), itertools.cycle(SURNAMES)))
    numbers = itertools.count(1001)
    rows = [["支部编码", "支部名称", "科室", "工号", "姓名", "邮箱", "角色"]]

    def person(code: str, name_row: list[str], roles: str) -> None:
        staff_no = str(next(numbers))
        rows.append([*name_row, staff_no, next(names), f"u{staff_no}@hospital.example", roles])

    person("JG1", ["JG1", "机关第一支部", "、".join(BRANCHES[0][2])], "总支书记、党员")
    person("JG1", ["JG1", "", ""], "党办、党员")
    person("JG1", ["JG1", "", ""], "党办、党员")
    person("", ["", "", ""], "上级党委")
    for code, name, departments in BRANCHES:
        first = [code, name, "、".join(departments)]
        person(code, first, "支部书记、党员")
        for _ in range(5):
            person(code, [code, "", ""], "党员")
        for _ in range(2):
            person(code, [code, "", ""], "群众代表")
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def cycle_2012() -> dict[str, Any]:
    return {
        "year": 2012,
        "title": "2012年基层组织建设年",
        # The seed's three phases; it sets no date for the reports (述职), due with the last one.
        "phases": [{"key": k, "name": n, "starts_on": f"2012-{s}", "due_on": f"2012-{d}"}
                   for k, n, s, d in DEFAULT_PHASES if k != "report"],
        "weights": DEFAULT_WEIGHTS,
        "thresholds": DEFAULT_THRESHOLDS,
        "reason": "淮四院党字〔2012〕9号：关于在创先争优活动中开展基层组织建设年的实施意见",
    }


def cycle_this_year(year: int) -> dict[str, Any]:
    """A year to try the first phase in: the 2012 plan's phases, but evaluation open all year."""
    return {
        **cycle_2012(),
        "year": year,
        "title": f"{year}年基层组织建设年（演示）",
        "phases": [{"key": k, "name": n, "starts_on": f"{year}-{s}", "due_on": f"{year}-{'12-31' if k == 'survey' else d}"}
                   for k, n, s, d in DEFAULT_PHASES],
        "reason": "演示：测评全年开放",
    }


class Api:
    """Just enough of an HTTP client for the demo loader."""

    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.token = self.post("/api/v1/tokens", {"username": username, "password": password})["token"]

    def request(self, method: str, path: str, body: bytes | None, content_type: str) -> Any:
        headers = {"Content-Type": content_type}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as response:
            return json.loads(response.read())

    def post(self, path: str, payload: Any) -> Any:
        return self.request("POST", path, json.dumps(payload).encode(), "application/json")

    def get(self, path: str) -> Any:
        return self.request("GET", path, None, "application/json")

    def upload(self, path: str, filename: str, content: bytes) -> Any:
        boundary = "grassroots-demo-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")


def load(base: str, username: str, password: str) -> list[tuple[str, str, str]]:
    """Load the demo hospital; returns demo accounts as (who, username, password)."""
    api = Api(base, username, password)
    api.upload("/api/v1/roster/import", "demo-roster.csv", roster_csv())
    api.post("/api/v1/cycles", cycle_2012())
    this_year = api.post("/api/v1/cycles", cycle_this_year(datetime.now(HOSPITAL_TIME).year))["id"]
    reports(api, this_year)
    people = {p["staff_no"]: p for p in api.get("/api/v1/people")}
    accounts = []
    for who, staff_no, login in (("总支书记", "1001", "zongzhi"), ("内科支部书记", _secretary_of("NK"), "neike")):
        created = api.post("/api/v1/accounts", {"person_id": people[staff_no]["id"], "username": login})
        accounts.append((who, created["username"], created["password"]))
    return accounts


def reports(api: Api, cycle: str) -> None:
    """A few reports (述职) of this year, entered by the Party office, with signed evaluations."""
    branches = {b["code"]: b["id"] for b in api.get("/api/v1/branches")}
    path = f"/api/v1/cycles/{cycle}/reports"
    text = "一、抓党建工作的主要做法\n二、存在的问题\n三、下一步打算"
    made = {code: api.post(path, {"level": 1, "branch_id": branches[code], "period": "本年度", "text": text})["id"]
            for code in ("NK", "WK", "YJ")}
    api.post(path, {"level": 2, "period": "本年度", "text": text})
    for evaluator, rating in (("WK", "good"), ("YJ", "fairly_good"), ("MJ", "good")):
        api.post(f"{path}/{made['NK']}/evaluations", {"organisation_id": branches[evaluator], "rating": rating})
    # Members of 内科 evaluate their secretary's report secretly (the public path takes no account).
    codes = api.post(f"{path}/{made['NK']}/evaluation-codes", {"category": "members", "count": 6})["codes"]
    for code, rating in zip(codes, ("good", "good", "fairly_good", "good", "fair"), strict=False):
        api.post("/api/v1/report-evaluations", {"code": code, "rating": rating})
    api.post(f"{path}/{made['WK']}/examination", {"score": 88, "verdict": "good", "comment": "述职全面，问题查摆到位"})


def _secretary_of(code: str) -> str:
    index = [c for c, _, _ in BRANCHES].index(code)
    return str(1001 + 4 + index * 8)
