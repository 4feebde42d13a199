"""The deployment files: Dockerfile, docker-compose.yml, Kubernetes manifests, Prometheus, Grafana.

Checked offline with the tools that read them or their published schemas: kubernetes-validate's
bundled Kubernetes schemas, promtool (Debian's `prometheus`), and Debian's `docker-compose`
(v1, in Python), whose `config` command validates a file against the Compose specification
schema it ships, with no Docker engine. A missing tool fails these tests; it never skips them.
Nothing here builds the image or starts a container."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate.utils as kubernetes
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from shared import metrics

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG = DEPLOY / "prometheus.yml"
PROMETHEUS_RULES = DEPLOY / "prometheus-rules.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "grassroots.json"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources"
DASHBOARD_PROVIDERS = DEPLOY / "grafana" / "provisioning" / "dashboards"
# The Compose specification schema, as Debian's docker-compose package ships it.
COMPOSE_SCHEMA = Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json")

MANIFESTS = sorted(K8S.glob("*.yaml"))
# The oldest Kubernetes the manifests target, and the newest whose schemas kubernetes-validate has.
KUBERNETES_VERSIONS = ("1.29.0", kubernetes.latest_version())
SERVICES = {"assessment": 8101, "projections": 8102, "gateway": 8000}
INSTALL_HINT = "`make test-tools` installs it (Debian package: {package})"


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; {INSTALL_HINT.format(package=package)}")
    return path


def run(*argv: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s_resources() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in yaml_documents(path)]


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in k8s_resources() if r["kind"] == kind}


def workloads() -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in k8s_resources()
            if r["kind"] in ("Deployment", "StatefulSet", "Job")}


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = workload["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


# --- metric names ---------------------------------------------------------------------------

def exported_metric_names() -> set[str]:
    """Every series name the services expose (prometheus_client adds the suffixes)."""
    suffixes = {"counter": ("_total", "_created"), "gauge": ("",),
                "histogram": ("_bucket", "_sum", "_count", "_created")}
    names = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                names |= {family.name + suffix for suffix in suffixes[family.type]}
    return names


def is_known_metric(name: str) -> bool:
    return name in exported_metric_names() or name == "up" or name.startswith("rabbitmq_")


PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                   "and", "or", "unless", "offset", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (enough PromQL for this project's queries)."""
    expr = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", " ", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", " ", expr)  # ranges and subqueries
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*", expr):
        word = match.group()
        if word.lower() in PROMQL_KEYWORDS or expr[match.end():].lstrip().startswith("("):
            continue  # a keyword, or a function or aggregation
        names.add(word)
    return names


def test_metric_names_finds_the_selected_metrics_and_nothing_else():
    expr = ('histogram_quantile(0.95, sum by (le, route) (rate(grassroots_http_request_duration_seconds_bucket'
            '{route!~"/metrics|/healthz"}[5m]))) > 0.5 and on (route) up offset 5m unless bool vector(1)')
    assert metric_names(expr) == {"grassroots_http_request_duration_seconds_bucket", "up"}


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(PROMETHEUS_RULES.read_text())["groups"] for rule in group["rules"]]


def dashboard_panels() -> list[dict[str, Any]]:
    def walk(panels):
        for panel in panels:
            yield panel
            yield from walk(panel.get("panels", []))

    return list(walk(json.loads(DASHBOARD.read_text())["panels"]))


def dashboard_queries() -> list[tuple[str, str]]:
    return [(f"{panel['title']} {target['refId']}", target["expr"])
            for panel in dashboard_panels() for target in panel.get("targets", [])]


# --- Kubernetes ----------------------------------------------------------------------------

@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_kubernetes_manifest_is_valid_for_kubernetes_1_29_and_the_latest(path, version):
    # Strict: a misspelt or misplaced field is an error, not something the API server drops.
    for resource in yaml_documents(path):
        name = f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"
        try:
            kubernetes.validate(resource, version, strict=True)
        except kubernetes.ValidationError as error:
            where = ".".join(str(p) for p in error.path)
            pytest.fail(f"{path.name}: {name} is invalid for Kubernetes {version} at {where}: {error.message}")
        except kubernetes.SchemaNotFoundError as error:
            pytest.fail(f"{path.name}: {name}: {error.message}")


def test_the_kubernetes_validate_command_accepts_every_manifest_offline():
    command = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    assert command, "kubernetes-validate (a dev dependency) is not installed in this environment"
    result = run(command, "--strict", "--quiet", "-k", KUBERNETES_VERSIONS[0], *map(str, MANIFESTS))
    assert result.returncode == 0 and "WARN" not in result.stdout, result.stdout + result.stderr


def test_the_kubernetes_folder_has_every_part_the_system_needs():
    kinds = {(r["kind"], r["metadata"]["name"]) for r in k8s_resources()}
    for needed in [("Namespace", "grassroots"), ("ConfigMap", "grassroots-config"),
                   ("Secret", "grassroots-secrets"), ("StatefulSet", "rabbitmq"),
                   ("StatefulSet", "postgres"), ("Job", "grassroots-ensure-admin"),
                   ("Deployment", "assessment"), ("Deployment", "projections"),
                   ("Deployment", "gateway"), ("PodDisruptionBudget", "gateway"),
                   ("Ingress", "gateway")]:
        assert needed in kinds
    assert all(r["metadata"].get("namespace") == "grassroots" for r in k8s_resources() if r["kind"] != "Namespace")


def test_each_service_runs_two_replicas_and_rabbitmq_three_for_its_quorum_queues():
    deployments = of_kind("Deployment")
    assert {name: d["spec"]["replicas"] for name, d in deployments.items()} == dict.fromkeys(SERVICES, 2)
    assert of_kind("StatefulSet")["rabbitmq"]["spec"]["replicas"] == 3


def test_every_service_container_runs_its_documented_command_with_probes_on_its_port():
    commands = {
        "assessment": ["nameko", "run", "--config", "services/assessment/config.yaml",
                       "services.assessment.service:AssessmentService"],
        "projections": ["nameko", "run", "--config", "services/projections/config.yaml",
                        "services.projections.service:ProjectionsService"],
        "gateway": ["gunicorn", "-c", "services/gateway/gunicorn.conf.py"],
    }
    for name, deployment in of_kind("Deployment").items():
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["command"] == commands[name]
        assert [p["containerPort"] for p in container["ports"]] == [SERVICES[name]]
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(SERVICES[name])
        assert container["resources"]["requests"] and container["resources"]["limits"]
        config = next(arg for arg in commands[name] if arg.endswith((".yaml", ".conf.py")))
        assert (ROOT / config).is_file(), config


def test_the_gateway_writes_its_worker_metrics_and_control_socket_to_an_empty_dir():
    # The root filesystem is read-only: what gunicorn writes must land on a volume.
    spec = of_kind("Deployment")["gateway"]["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e.get("value") for e in container["env"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    for variable in ("PROMETHEUS_MULTIPROC_DIR", "XDG_RUNTIME_DIR"):
        directory = env[variable].rstrip("/") + "/"
        mount = next(path for path in mounts if directory.startswith(path.rstrip("/") + "/"))
        assert "emptyDir" in volumes[mounts[mount]], variable


def test_every_kubernetes_service_selects_the_pods_of_a_workload():
    pod_labels = [w["spec"]["template"]["metadata"]["labels"] for w in workloads().values()]
    for name, service in of_kind("Service").items():
        selector = service["spec"]["selector"]
        assert any(selector.items() <= labels.items() for labels in pod_labels), name


def test_every_port_a_probe_or_service_names_is_declared_by_its_container():
    named = {}
    for name, workload in workloads().items():
        for container in containers(workload):
            declared = container.get("ports", [])
            ports = {p.get("name") for p in declared} | {p["containerPort"] for p in declared}
            named.setdefault(name, set()).update(ports)
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                port = container.get(probe, {}).get("httpGet", {}).get("port")
                assert port is None or port in ports, f"{name}: {probe} port {port}"
    for name, service in of_kind("Service").items():
        selected = [w for w, r in workloads().items()
                    if service["spec"]["selector"].items() <= r["spec"]["template"]["metadata"]["labels"].items()]
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            assert any(target in named[w] for w in selected), f"Service {name}: port {target}"


def test_every_secret_and_config_map_a_pod_reads_is_defined_with_that_key():
    data = {(r["kind"], r["metadata"]["name"]): {**r.get("data", {}), **r.get("stringData", {})}
            for r in k8s_resources() if r["kind"] in ("Secret", "ConfigMap")}
    for name, workload in workloads().items():
        for container in containers(workload):
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef") or source.get("secretRef")
                kind = "ConfigMap" if "configMapRef" in source else "Secret"
                assert (kind, ref["name"]) in data, f"{name}: {kind} {ref['name']}"
            for env in container.get("env", []):
                for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                    ref = env.get("valueFrom", {}).get(key)
                    if ref:
                        where = f"{name}: {kind} {ref['name']}/{ref['key']}"
                        assert ref["key"] in data.get((kind, ref["name"]), {}), where


def test_the_ensure_admin_job_runs_the_command_that_creates_the_administrator():
    (container,) = of_kind("Job")["grassroots-ensure-admin"]["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", "services.gateway", "ensure-admin", "--quiet"]
    assert "GRASSROOTS_ADMIN_PASSWORD" in {e["name"] for e in container["env"]}


# --- docker-compose.yml --------------------------------------------------------------------

def test_docker_compose_yml_is_valid_against_the_compose_specification_schema():
    if not COMPOSE_SCHEMA.is_file():
        pytest.fail(f"{COMPOSE_SCHEMA} is missing; {INSTALL_HINT.format(package='docker-compose')}")
    validator = jsonschema.Draft201909Validator(json.loads(COMPOSE_SCHEMA.read_text()))
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose())]
    assert not errors, "\n".join(errors)


def test_docker_compose_config_accepts_docker_compose_yml_without_a_docker_engine():
    # `config` interpolates ${VAR:-default}, validates against the schema and checks references
    # (services named in depends_on, volumes); only the defaults are used here.
    command = tool("docker-compose", "docker-compose")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    result = run(command, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), "config", "-q", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_ensure_admin_to_completion_before_the_gateway_and_waits_for_health():
    services = compose()["services"]
    assert services["init"]["command"] == ["python", "-m", "services.gateway", "ensure-admin", "--quiet"]
    gateway_needs = services["gateway"]["depends_on"]
    assert gateway_needs["init"] == {"condition": "service_completed_successfully"}
    assert gateway_needs["assessment"] == gateway_needs["projections"] == {"condition": "service_healthy"}
    for name in ("assessment", "projections"):
        assert services[name]["depends_on"] == {"rabbitmq": {"condition": "service_healthy"},
                                                "postgres": {"condition": "service_healthy"}}
    for name in ("rabbitmq", "postgres", *SERVICES):
        assert "healthcheck" in services[name], name
    assert services["gateway"]["ports"] == ["${GATEWAY_PORT:-8000}:8000"]
    assert services["gateway"]["environment"]["GRASSROOTS_HOST"] == "0.0.0.0"
    assert services["assessment"]["environment"]["ASSESSMENT_HTTP"] == "0.0.0.0:8101"
    assert services["projections"]["environment"]["PROJECTIONS_HTTP"] == "0.0.0.0:8102"


def test_every_file_compose_mounts_from_the_repository_exists():
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: {source}"


# --- the image -----------------------------------------------------------------------------

def test_the_image_installs_the_package_without_dev_extras_and_runs_as_a_non_root_user():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    instructions = [line.strip() for line in dockerfile.splitlines() if line.strip() and not line.startswith("#")]
    assert all(line.split()[1].startswith("python:3.11-slim") for line in instructions if line.startswith("FROM "))
    assert "pip install ." in dockerfile and "[dev]" not in dockerfile
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    # .dockerignore is an allow-list: what the Dockerfile copies must be let back in.
    allowed = {rule.strip().rstrip("/")[1:] for rule in (ROOT / ".dockerignore").read_text().splitlines()
               if rule.startswith("!")}
    for line in instructions:
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
                assert Path(source).parts[0] in allowed, source


# --- Prometheus ----------------------------------------------------------------------------

def test_promtool_accepts_the_prometheus_config_and_its_rules_file():
    result = run(tool("promtool", "prometheus"), "check", "config", str(PROMETHEUS_CONFIG.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_promtool_accepts_the_alert_rules():
    result = run(tool("promtool", "prometheus"), "check", "rules", str(PROMETHEUS_RULES.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_every_service_compose_runs_on_its_port_and_rabbitmq():
    jobs = {job["job_name"]: job for job in yaml.safe_load(PROMETHEUS_CONFIG.read_text())["scrape_configs"]}
    services = compose()["services"]
    for name, port in SERVICES.items():
        assert name in services
        assert jobs[name]["static_configs"] == [{"targets": [f"{name}:{port}"]}]
    assert jobs["rabbitmq"]["static_configs"] == [{"targets": ["rabbitmq:15692"]}]


def test_every_alert_rule_reads_only_metrics_that_exist():
    for rule in alert_rules():
        unknown = {n for n in metric_names(rule["expr"]) if not is_known_metric(n)}
        assert not unknown, f"{rule['alert']}: {unknown}"
    read = set().union(*(metric_names(rule["expr"]) for rule in alert_rules()))
    assert {"grassroots_relay_lag_events", "grassroots_projection_lag_events", "grassroots_dead_letters_total",
            "grassroots_rpc_requests_total", "grassroots_http_requests_total", "up"} <= read


def _series(name: str, values: str, **labels: str) -> dict[str, str]:
    selector = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return {"series": f"{name}{{{selector}}}", "values": values}


FOLLOWER = {"consumer": "projections", "source": "assessment"}
RULE_TESTS = [
    {"name": "dead letters", "input_series": [
        _series("grassroots_dead_letters_total", "0 0 1 1 1", reason="failed", **FOLLOWER),
        _series("grassroots_dead_letters_total", "3 3 3 3 3", reason="malformed", **FOLLOWER)],
     "alert_rule_test": [{"eval_time": "4m", "alertname": "DeadLettersIncreasing", "exp_alerts": [
         {"exp_labels": {"severity": "warning", "reason": "failed", **FOLLOWER}}]}]},
    {"name": "relay publishes nothing", "input_series": [
        _series("grassroots_events_recorded_total", "0+5x20", source="assessment")],
     "alert_rule_test": [{"eval_time": "12m", "alertname": "RelayStalled", "exp_alerts": [
         {"exp_labels": {"severity": "critical", "source": "assessment"}}]}]},
    {"name": "relay keeps up", "input_series": [
        _series("grassroots_events_recorded_total", "0+5x20", source="assessment"),
        _series("grassroots_events_published_total", "0+5x20", source="assessment")],
     "alert_rule_test": [{"eval_time": "12m", "alertname": "RelayStalled", "exp_alerts": []}]},
    {"name": "relay lag growing", "input_series": [
        _series("grassroots_relay_lag_events", "0+20x30", source="assessment", instance="a1"),
        _series("grassroots_relay_lag_events", "2x30", source="assessment", instance="a2")],
     "alert_rule_test": [{"eval_time": "25m", "alertname": "RelayLagGrowing", "exp_alerts": [
         {"exp_labels": {"severity": "warning", "source": "assessment"}}]}]},
    {"name": "relay lag large but steady", "input_series": [
        _series("grassroots_relay_lag_events", "150x30", source="assessment")],
     "alert_rule_test": [{"eval_time": "25m", "alertname": "RelayLagGrowing", "exp_alerts": []}]},
    {"name": "projection lag", "input_series": [
        _series("grassroots_projection_lag_events", "500x20", **FOLLOWER)],
     "alert_rule_test": [{"eval_time": "15m", "alertname": "ProjectionLagHigh", "exp_alerts": [
         {"exp_labels": {"severity": "warning", **FOLLOWER}}]}]},
    {"name": "rpc errors", "input_series": [
        _series("grassroots_rpc_requests_total", "0+6x20", service="assessment", method="open_cycle", outcome="error"),
        _series("grassroots_rpc_requests_total", "0+60x20", service="assessment", method="open_cycle", outcome="ok"),
        _series("grassroots_rpc_requests_total", "0+1x20", service="projections", method="get_cycle", outcome="error"),
        _series("grassroots_rpc_requests_total", "0+60x20", service="projections", method="get_cycle", outcome="ok")],
     "alert_rule_test": [{"eval_time": "15m", "alertname": "RpcErrorRateHigh", "exp_alerts": [
         {"exp_labels": {"severity": "warning", "service": "assessment"}}]}]},
    {"name": "http 5xx", "input_series": [
        _series("grassroots_http_requests_total", "0+10x20", method="GET", route="/api/cycles", status="500"),
        _series("grassroots_http_requests_total", "0+60x20", method="GET", route="/api/cycles", status="200")],
     "alert_rule_test": [{"eval_time": "15m", "alertname": "HttpServerErrorsHigh", "exp_alerts": [
         {"exp_labels": {"severity": "warning"}}]}]},
    {"name": "readiness probes answering 503 are no server errors", "input_series": [
        _series("grassroots_http_requests_total", "0+10x20", method="GET", route="/readyz", status="503"),
        _series("grassroots_http_requests_total", "0+60x20", method="GET", route="/api/cycles", status="200")],
     "alert_rule_test": [{"eval_time": "15m", "alertname": "HttpServerErrorsHigh", "exp_alerts": []}]},
    {"name": "target down", "input_series": [
        _series("up", "1 1 0 0 0 0 0", job="gateway", instance="gateway:8000")],
     "alert_rule_test": [{"eval_time": "6m", "alertname": "TargetDown", "exp_alerts": [
         {"exp_labels": {"severity": "critical", "job": "gateway", "instance": "gateway:8000"}}]}]},
]


def test_each_alert_fires_on_the_failure_it_names_and_not_otherwise(tmp_path):
    # promtool compares annotations too; they are checked by `promtool check rules`, so the
    # unit test reads a copy of the rules without them.
    rules = yaml.safe_load(PROMETHEUS_RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    tests = [{"interval": "1m", **{k: v for k, v in case.items() if k != "name"}} for case in RULE_TESTS]
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(
        {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests}))
    tested = {t["alertname"] for case in RULE_TESTS for t in case["alert_rule_test"]}
    assert tested == {rule["alert"] for rule in alert_rules()}
    result = run(tool("promtool", "prometheus"), "test", "rules", "tests.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Grafana -------------------------------------------------------------------------------

def test_the_dashboard_reads_only_metrics_that_exist():
    queries = dashboard_queries()
    assert queries
    for where, expr in queries:
        unknown = {n for n in metric_names(expr) if not is_known_metric(n)}
        assert not unknown, f"{where}: {unknown}"


def test_the_dashboard_shows_http_rpc_events_lags_and_dead_letters():
    read = set().union(*(metric_names(expr) for _, expr in dashboard_queries()))
    assert {"grassroots_http_requests_total", "grassroots_http_request_duration_seconds_bucket",
            "grassroots_rpc_requests_total", "grassroots_rpc_duration_seconds_bucket",
            "grassroots_events_recorded_total", "grassroots_events_published_total",
            "grassroots_relay_lag_events", "grassroots_projection_lag_events",
            "grassroots_dead_letters_total"} <= read


def test_every_dashboard_query_is_valid_promql(tmp_path):
    # promtool parses every expression of a rules file: the queries go in as recording rules,
    # with Grafana's interval variables replaced by durations.
    variables = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "6h"}
    rules = []
    for index, (_, expr) in enumerate(dashboard_queries()):
        for variable, value in variables.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        rules.append({"record": f"dashboard:query_{index}", "expr": expr})
    queries = {"groups": [{"name": "dashboard", "rules": rules}]}
    (tmp_path / "dashboard-queries.yml").write_text(yaml.safe_dump(queries))
    result = run(tool("promtool", "prometheus"), "check", "rules", "dashboard-queries.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_dashboard_panel_uses_the_provisioned_prometheus_datasource():
    (datasource,) = [d for path in DATASOURCES.glob("*.yml") for d in yaml.safe_load(path.read_text())["datasources"]]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    panels = [p for p in dashboard_panels() if p["type"] != "row"]
    ids = [p["id"] for p in dashboard_panels()]
    assert len(ids) == len(set(ids))
    for panel in panels:
        for source in [panel["datasource"], *(t["datasource"] for t in panel["targets"])]:
            assert source == {"type": "prometheus", "uid": datasource["uid"]}, panel["title"]


def test_grafana_loads_dashboards_from_the_folder_compose_mounts():
    (provider,) = [p for path in DASHBOARD_PROVIDERS.glob("*.yml")
                   for p in yaml.safe_load(path.read_text())["providers"]]
    mounts = dict(v.split(":")[:2] for v in compose()["services"]["grafana"]["volumes"] if v.startswith("."))
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
