"""The ``doorstep`` command, invoked as an operator would, against each database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from doorstep.app import create_app
from doorstep.cli import main
from doorstep.config import Config
from models.staff import StaffUser, staff_for_token
from models.tenants import Channel, Tenant
from tests.fakes.telegram_api import FakeBotApi

GOOD_AND_BAD = """name,phone,area,tenancy,language,roles,telegram_chat_id,landline_only
Ann Smith,07700 900101,Methil,T-1,en,mystery_shopper;volunteer_bank,,
Bad Number,12345,Methil,T-2,en,,,
,07700 900103,Leven,T-3,en,,,
Dariusz Nowak,07700 900104,Leven,T-4,pl,tra_rep,4242,
Wrong Role,07700 900105,Leven,T-5,en,chairperson,,
Wrong Language,07700 900106,Leven,T-6,xx,,,
Grace Thomson,0131 496 0107,Leven,T-7,en,,,yes
"""


def run(app: Flask, *args: str, input: str | None = None) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_tenant_import_keeps_good_rows_and_reports_bad_ones_by_line(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    csv_file = tmp_path / "tenants.csv"
    csv_file.write_text(GOOD_AND_BAD)
    code, output = run(app, "tenants", "import", str(csv_file))
    assert code == 0
    assert "3 added, 0 updated, 4 rejected" in output
    assert "line 3: phone" in output and "line 4: name is empty" in output
    assert "line 6: unknown role: chairperson" in output and "line 7: language 'xx'" in output
    ann = db.scalar(select(Tenant).where(Tenant.phone == "+447700900101"))
    assert ann is not None and ann.role_names == {"mystery_shopper", "volunteer_bank"}
    assert ann.registered and ann.verified and ann.area is not None and ann.area.name == "Methil"
    dariusz = db.scalar(select(Tenant).where(Tenant.phone == "+447700900104"))
    assert dariusz is not None and dariusz.language == "pl"
    assert {(i.channel, i.address) for i in dariusz.identities} == {
        (Channel.SMS, "+447700900104"),
        (Channel.TELEGRAM, "4242"),
    }
    grace = db.scalar(select(Tenant).where(Tenant.phone == "+441314960107"))
    assert grace is not None and grace.landline_only
    assert [(i.channel, i.address) for i in grace.identities] == [("voice", grace.phone)]


def test_importing_the_same_file_again_updates_and_never_duplicates(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    csv_file = tmp_path / "tenants.csv"
    csv_file.write_text(GOOD_AND_BAD)
    run(app, "tenants", "import", str(csv_file))
    csv_file.write_text(
        GOOD_AND_BAD.replace("Ann Smith,07700 900101,Methil", "Ann Smyth,07700 900101,Leven")
    )
    code, output = run(app, "tenants", "import", str(csv_file))
    assert code == 0 and "0 added, 3 updated, 4 rejected" in output
    db.expire_all()
    ann = db.scalars(select(Tenant).where(Tenant.phone == "+447700900101")).one()
    assert ann.name == "Ann Smyth" and ann.area is not None and ann.area.name == "Leven"


def test_a_file_that_is_not_utf8_or_lacks_columns_is_refused_with_a_reason(
    app: Flask, tmp_path: Path
) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,phone\nZoë,07700900101\n".encode("latin-1"))
    code, output = run(app, "tenants", "import", str(latin))
    assert code != 0 and "not UTF-8" in output
    short = tmp_path / "short.csv"
    short.write_text("name,phone\nAnn,07700900101\n")
    code, output = run(app, "tenants", "import", str(short))
    assert code != 0 and "missing columns: area, tenancy, language, roles" in output


def test_staff_add_hashes_the_password_and_prints_a_working_token_once(
    app: Flask, db: Session
) -> None:
    code, output = run(
        app,
        "staff",
        "add",
        "Officer@Example.org",
        "--role",
        "officer",
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert code == 0, output
    token = output.rsplit("API token (shown once): ", 1)[1].strip()
    user = db.scalars(select(StaffUser)).one()
    assert user.email == "officer@example.org" and user.role == "officer"
    assert user.password_hash != "correct horse battery"
    assert check_password_hash(user.password_hash, "correct horse battery")
    assert staff_for_token(db, token) is not None
    assert token not in str(user.__dict__)


def test_staff_add_refuses_a_short_password_and_a_second_account(app: Flask) -> None:
    code, output = run(app, "staff", "add", "a@b.org", "--role", "admin", input="short\nshort\n")
    assert code != 0 and "at least 10 characters" in output
    assert run(app, "staff", "add", "a@b.org", "--role", "admin", "--generate-password")[0] == 0
    code, output = run(app, "staff", "add", "a@b.org", "--role", "admin", "--generate-password")
    assert code != 0 and "already has an account" in output


def test_db_upgrade_is_safe_to_run_again(app: Flask) -> None:
    code, output = run(app, "db", "upgrade")
    assert code == 0 and "up to date" in output


def test_telegram_set_webhook_points_the_bot_at_our_public_url_with_the_secret(
    config: Config, bot_api: FakeBotApi
) -> None:
    app = create_app(replace(config, telegram_api_url=bot_api.root_url))
    code, output = run(app, "telegram", "set-webhook")
    assert code == 0 and "Telegram webhook set" in output
    (call,) = bot_api.calls_to("setWebhook")
    assert call["url"] == f"{config.public_url}/webhooks/telegram"
    assert call["secret_token"] == config.telegram_webhook_secret


def test_telegram_set_webhook_says_what_is_missing(config: Config) -> None:
    app = create_app(replace(config, telegram_webhook_secret=""))
    code, output = run(app, "telegram", "set-webhook")
    assert code != 0 and "TELEGRAM_WEBHOOK_SECRET" in output
