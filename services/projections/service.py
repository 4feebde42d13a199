"""The projections service: follows the writers' events into read models; answers queries."""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from services.projections import queries, schemas
from services.projections.ledger import ledger_of
from services.projections.projector import project
from services.projections.standings import standings_of
from services.projections.tables import ReadModel, open_read_model, skipped
from shared.endpoints import OperationsEndpoints, rpc
from shared.errors import not_found
from shared.follower import Follower
from shared.providers import Followed, database_url
from shared.tracking import TrackedStore

SOURCES = ("assessment",)


def follower_store(source: str):
    def build(url: str) -> TrackedStore:
        return TrackedStore(open_read_model(url).recorder, source, project, skipped)

    return build


class ReadStore(DependencyProvider):
    """Gives the read model (the same store the followers write)."""

    def setup(self) -> None:
        self.model = open_read_model(database_url(self.container))

    def get_dependency(self, worker_ctx: Any) -> ReadModel:
        return self.model


_branch = schemas.BranchView(many=True)
_branch_detail = schemas.BranchDetail()
_people = schemas.PersonView(many=True)
_person = schemas.PersonView()
_cycles = schemas.CycleView(many=True)
_cycle = schemas.CycleView()


class ProjectionsService(OperationsEndpoints):
    name = "projections"
    model: ReadModel = ReadStore()
    assessment: Follower = Followed("assessment", follower_store("assessment"))

    @rpc
    def list_branches(self, visible: list[str] | None = None) -> list[dict]:
        return _branch.dump(queries.list_branches(self.model, visible))

    @rpc
    def get_branch(self, branch_id: str) -> dict:
        found = queries.get_branch(self.model, branch_id)
        if found is None:
            raise not_found("支部", "branch", branch_id)
        return _branch_detail.dump(found)

    @rpc
    def list_people(self, branch_id: str | None = None, visible: list[str] | None = None) -> list[dict]:
        return _people.dump(queries.list_people(self.model, branch_id, visible))

    @rpc
    def get_person(self, person_id: str) -> dict:
        found = queries.get_person(self.model, person_id)
        if found is None:
            raise not_found("人员", "person", person_id)
        return _person.dump(found)

    @rpc
    def list_cycles(self) -> list[dict]:
        return _cycles.dump(queries.list_cycles(self.model))

    @rpc
    def get_cycle(self, cycle_id: str) -> dict:
        found = queries.get_cycle(self.model, cycle_id)
        if found is None:
            raise not_found("年度", "cycle", cycle_id)
        return _cycle.dump(found)

    @rpc
    def standings(self, cycle_id: str, visible: list[str] | None = None) -> dict:
        found = standings_of(self.model, cycle_id, visible)
        if found is None:
            raise not_found("年度", "cycle", cycle_id)
        return found

    @rpc
    def ledger(self, cycle_id: str, access: dict) -> dict:
        found = ledger_of(self.model, cycle_id, access)
        if found is None:
            raise not_found("年度", "cycle", cycle_id)
        return found

    @rpc
    def applied_positions(self) -> dict[str, int]:
        return {source: self._follower(source).store.position() for source in SOURCES}

    @rpc
    def wait_for(self, source: str, position: int, timeout: float = 2.0) -> bool:
        """Wait until `source`'s events up to `position` are applied: read-your-writes."""
        return self._follower(source).wait_until(int(position), min(float(timeout), 10.0))

    def _follower(self, source: str) -> Follower:
        if source not in SOURCES:
            raise not_found("事件来源", "event source", source)
        return getattr(self, source)
