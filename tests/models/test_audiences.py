"""Audiences: who a notice, invitation or poll reaches, as staff chose it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models.audiences import Audience, EmptyAudience
from models.tenants import TenantRole
from tests.factories import create_area, create_tenant


def test_an_audience_naming_nobody_is_refused() -> None:
    with pytest.raises(EmptyAudience):
        Audience()


def test_areas_and_roles_together_name_the_role_holders_of_those_areas(db: Session) -> None:
    methil, leven = create_area(db), create_area(db)
    ann = create_tenant(db, area=methil)
    ann.roles.append(TenantRole(role="volunteer_bank"))
    create_tenant(db, area=methil)
    bob = create_tenant(db, area=leven)
    bob.roles.append(TenantRole(role="volunteer_bank"))
    create_tenant(db, area=methil, registered=False)
    db.flush()

    both = Audience(area_ids=frozenset({methil.id}), roles=frozenset({"volunteer_bank"}))
    in_methil = Audience(area_ids=frozenset({methil.id}))

    assert [r.tenant_id for page in both.recipients(db) for r in page] == [ann.id]
    assert sum(in_methil.count_by_channel(db).values()) == 2
    assert sum(Audience(everyone=True).count_by_channel(db).values()) == 3


def test_a_channel_choice_reaches_each_tenant_on_the_first_channel_they_have(db: Session) -> None:
    both = create_tenant(db, channels=("sms", "telegram"))
    sms_only = create_tenant(db, channels=("sms",))

    telegram_first = Audience(everyone=True, channels=("telegram", "sms"))
    only_telegram = Audience(everyone=True, channels=("telegram",))

    reached = {r.tenant_id: r.channel for page in telegram_first.recipients(db) for r in page}
    assert reached == {both.id: "telegram", sms_only.id: "sms"}
    assert only_telegram.count_by_channel(db) == {"telegram": 1}


def test_a_list_of_tenants_reaches_just_them_and_survives_storage(db: Session) -> None:
    area = create_area(db)
    chosen = create_tenant(db, area=area)
    create_tenant(db, area=area)
    audience = Audience(area_ids=frozenset({area.id}), tenant_ids=frozenset({chosen.id}))

    stored = Audience.from_json(audience.as_json())

    assert stored == audience
    assert [r.tenant_id for page in stored.recipients(db) for r in page] == [chosen.id]
