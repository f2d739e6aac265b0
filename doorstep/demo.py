"""Demo data: five Fife estates and a handful of tenants, so the simulator has people to be."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalogue import languages
from doorstep.config import Config
from models.tenant_import import ImportReport, import_tenants
from models.tenants import Area

SAMPLE_TENANTS = Path(__file__).with_name("demo_tenants.csv")
DEMO_REPAIRS_PHONE = "0131 496 0000"  # fictional: Ofcom keeps 0131 496 0xxx for drama
AREAS = (
    ("Methil", "KY8 2,KY8 3", 640),
    ("Leven", "KY8 4", 420),
    ("Buckhaven", "KY8 1", 380),
    ("Kirkcaldy Templehall", "KY1 3,KY2 6", 910),
    ("Glenrothes Pitteuchar", "KY7 4", 530),
)


def load_demo(session: Session) -> ImportReport:
    """Add the demo areas and tenants; running it again changes nothing."""
    known = set(session.scalars(select(Area.name)))
    for name, prefixes, homes in AREAS:
        if name not in known:
            session.add(Area(name=name, postcode_prefixes=prefixes, homes=homes))
    session.flush()
    return import_tenants(session, SAMPLE_TENANTS.read_bytes(), languages=languages())


def demo_settings(config: Config) -> Config:
    """The demo's visitors have no authenticator app set up for it: a password signs in.
    Its repairs line, unless one is set, is a number Ofcom keeps for drama: nobody answers."""
    return replace(
        config,
        staff_two_factor="optional",
        repairs_phone=config.repairs_phone or DEMO_REPAIRS_PHONE,
    )
