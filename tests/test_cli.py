"""The ``doorstep`` command, invoked as an operator would, against each database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import check_password_hash

from doorstep.app import create_app
from doorstep.cli import main
from doorstep.config import Config, ConfigError
from models.staff import StaffUser
from models.tenants import Channel, Tenant
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Clock, StaffBrowser

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
    assert "3 added, 0 updated, 0 unchanged, 4 rejected" in output
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
    assert code == 0 and "0 added, 1 updated, 2 unchanged, 4 rejected (name: 1, area: 1)" in output
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


def api_answers(app: Flask, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client().get("/api/v1/areas", headers=headers).status_code


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
    assert api_answers(app, token) == 200
    assert token not in str(user.__dict__)


def test_staff_add_refuses_a_short_or_common_password_and_a_second_account(app: Flask) -> None:
    code, output = run(app, "staff", "add", "a@b.org", "--role", "admin", input="short\nshort\n")
    assert code != 0 and "at least 12 characters" in output
    common = "qwerty123456\nqwerty123456\n"
    code, output = run(app, "staff", "add", "a@b.org", "--role", "admin", input=common)
    assert code != 0 and "one of the most used" in output
    assert run(app, "staff", "add", "a@b.org", "--role", "admin", "--generate-password")[0] == 0
    code, output = run(app, "staff", "add", "a@b.org", "--role", "admin", "--generate-password")
    assert code != 0 and "a@b.org already has an account" in output


def test_staff_add_refuses_what_is_not_an_email_before_asking_for_a_password(
    app: Flask, db: Session
) -> None:
    for typed in ("notanemail", "jo@", "jo@localhost", ""):
        code, output = run(app, "staff", "add", typed, "--role", "viewer")
        assert code != 0 and "is not an email address" in output, typed
        assert "Password" not in output, typed
    assert db.scalars(select(StaffUser)).all() == []


def test_staff_list_shows_each_account_its_role_state_two_factor_and_tokens(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
    make_staff(sessions, "admin@example.org", "admin")
    make_staff(sessions, "new@example.org", "viewer", two_factor=False)
    make_staff(sessions, "gone@example.org", "officer")
    run(app, "staff", "deactivate", "gone@example.org")
    lock(app, "admin@example.org")

    code, output = run(app, "staff", "list")
    assert code == 0, output
    admin, gone, new = output.splitlines()
    assert (
        words(admin) == "admin@example.org admin locked until 10:15 two-factor set up 1 API token"
    )
    assert words(gone).startswith("gone@example.org officer deactivated")
    assert words(new) == "new@example.org viewer can sign in no two-factor 1 API token"


def words(line: str) -> str:
    return " ".join(line.split())


def lock(app: Flask, email: str) -> None:
    """Five wrong passwords at the console."""
    stranger = StaffBrowser(app.test_client(), email, "not the password at all")
    for _ in range(5):
        stranger.sign_in()


def test_staff_unlock_lets_a_locked_member_sign_in_at_once(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    make_staff(sessions, "jo@example.org", "officer")
    lock(app, "jo@example.org")
    jo = StaffBrowser(app.test_client(), "jo@example.org", STAFF_PASSWORD)
    assert jo.sign_in().status_code == 401
    code, output = run(app, "staff", "unlock", "Jo@Example.org")
    assert code == 0 and "jo@example.org can sign in again now" in output.lower()
    assert jo.sign_in().status_code == 302


def test_staff_reset_password_prints_a_new_one_that_works_in_place_of_the_old(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    make_staff(sessions, "jo@example.org", "officer")
    code, output = run(app, "staff", "reset-password", "jo@example.org")
    assert code == 0, output
    password = output.rsplit("(shown once): ", 1)[1].strip()
    jo = StaffBrowser(app.test_client(), "jo@example.org", STAFF_PASSWORD)
    assert jo.sign_in().status_code == 401
    jo.password = password
    assert jo.sign_in().status_code == 302


def test_staff_deactivate_stops_sign_in_and_the_api_and_reactivate_restores_them(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    token = make_staff(sessions, "jo@example.org", "officer")
    jo = StaffBrowser(app.test_client(), "jo@example.org", STAFF_PASSWORD)
    assert run(app, "staff", "deactivate", "jo@example.org")[0] == 0
    assert jo.sign_in().status_code == 401 and api_answers(app, token) == 401
    assert run(app, "staff", "reactivate", "jo@example.org")[0] == 0
    assert jo.sign_in().status_code == 302 and api_answers(app, token) == 200


def test_staff_reset_two_factor_has_them_set_up_their_app_again(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    make_staff(sessions, "jo@example.org", "admin")
    code, output = run(app, "staff", "reset-two-factor", "jo@example.org")
    assert code == 0 and "sets up two-factor sign-in again" in output
    jo = StaffBrowser(app.test_client(), "jo@example.org", STAFF_PASSWORD)
    assert len(jo.set_up_app()) == 10


def test_staff_commands_name_an_unknown_account_plainly(app: Flask) -> None:
    for command in ("unlock", "reset-password", "reset-two-factor", "deactivate", "reactivate"):
        code, output = run(app, "staff", command, "nobody@example.org")
        assert code != 0 and "there is no staff account for nobody@example.org" in output


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


def test_the_demo_lets_a_password_alone_sign_in_as_staff_have_no_app_for_it(
    app: Flask, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_staff(sessions, "demo@example.org", "admin", two_factor=False)
    answers: list[int] = []

    class IdleScheduler:
        def start(self) -> None: ...
        def stop(self) -> None: ...

    def serve(_host: str, _port: int, served: Flask, **_options: object) -> None:
        visitor = StaffBrowser(served.test_client(), "demo@example.org", STAFF_PASSWORD)
        answers.append(visitor.sign_in().status_code)

    monkeypatch.setattr("doorstep.cli._scheduler_process", lambda _app: IdleScheduler())
    monkeypatch.setattr("doorstep.cli.run_simple", serve)
    code, output = run(app, "demo")
    assert code == 0, output
    assert answers == [302]


def test_two_factor_is_required_unless_the_setting_says_optional() -> None:
    assert Config.from_env({}).staff_two_factor == "required"
    assert Config.from_env({"STAFF_TWO_FACTOR": " Optional "}).staff_two_factor == "optional"
    with pytest.raises(ConfigError, match="STAFF_TWO_FACTOR"):
        Config.from_env({"STAFF_TWO_FACTOR": "sometimes"})


def test_help_lists_doorsteps_own_commands_and_none_of_flasks() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1].strip().splitlines()
    commands = {line.split()[0] for line in listed}
    assert {"db", "demo", "dispatcher", "routes", "scheduler", "serve", "staff"} <= commands
    assert {"telegram", "tenants"} <= commands
    assert not {"run", "shell", "spec"} & commands
    for flasks_own in ("--env-file", "--app", "--debug", "Flask"):
        assert flasks_own not in result.output


def test_version_is_doorsteps_own_from_its_package() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, f"doorstep {version('doorstep')}\n")


def test_routes_still_lists_every_url(app: Flask) -> None:
    code, output = run(app, "routes")
    assert code == 0 and "/healthz" in output and "/webhooks/twilio/sms" in output


def test_a_command_run_with_an_unknown_time_zone_stops_with_one_line_naming_the_setting(
    tmp_path: Path,
) -> None:
    settings = {"TIMEZONE": "Mars/Olympus_Mons", "DOORSTEP_INSTANCE": str(tmp_path)}
    result = CliRunner().invoke(main, ["staff", "list"], env=settings)
    assert result.exit_code == 1
    assert result.output == (
        "Error: TIMEZONE must name a time zone of the tz database, such as Europe/Dublin, "
        "not 'Mars/Olympus_Mons'\n"
    )
