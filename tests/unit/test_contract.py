"""The published contract: every event the domain records has a schema naming exactly its data,
and the generated catalogue in docs/ is current."""

from pathlib import Path

import pytest

from services.catalogue import CONTRACTS, catalogue, event_classes
from shared.envelope import ENVELOPE_FIELDS, EnvelopeSchema

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("contract, domain", CONTRACTS, ids=[c.source for c, _ in CONTRACTS])
def test_every_recorded_event_type_is_published_with_exactly_its_fields(contract, domain):
    classes = event_classes(domain)
    assert set(classes) == set(contract.schema_classes)
    for name, cls in classes.items():
        data_fields = set(cls.__dataclass_fields__) - ENVELOPE_FIELDS
        assert set(contract.schema_classes[name]().fields) == data_fields, name


def test_the_events_catalogue_in_docs_is_current():
    assert (ROOT / "docs" / "events.md").read_text() == catalogue(), "run `make catalogue`"


def test_an_envelope_with_a_missing_position_is_refused():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        EnvelopeSchema().make({"source": "assessment", "type": "BranchRegistered", "data": {}})


def test_an_event_id_is_the_name_based_uuid_of_its_stream_and_version():
    import uuid

    from shared.envelope import event_id

    for n in range(200):
        stream = uuid.uuid4()
        assert event_id(stream, n + 1) == str(uuid.uuid5(stream, str(n + 1)))
