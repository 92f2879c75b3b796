"""The console SMS backend: what `make run` shows a developer, and what a production install
without a gateway yet writes to its container log."""

from outreach.messaging.backends import ConsoleSmsBackend

TOKEN = "Qx7pL2mZ9vT4nR8sK1wY6bH3cJ5dF0gE-_aUiOkPlMn"
TEXT = f"张伟您好，请点击 https://portal.example.cn/s/{TOKEN}/ 核对联络员信息。"


def test_outside_debug_the_link_token_never_reaches_the_log(capsys, settings):
    settings.DEBUG = False
    ConsoleSmsBackend().send(to="13912345678", text=TEXT, idempotency_key="k1")
    printed = capsys.readouterr().out
    assert TOKEN not in printed and "/s/…/" in printed and "张伟您好" in printed


def test_in_development_the_whole_link_is_shown_to_try_it(capsys, settings):
    settings.DEBUG = True
    ConsoleSmsBackend().send(to="13912345678", text=TEXT, idempotency_key="k1")
    assert TOKEN in capsys.readouterr().out


def test_outside_debug_mobiles_are_masked(capsys, settings):
    settings.DEBUG = False
    text = "张伟已离职，接任联络员李娜 13800001111。"
    ConsoleSmsBackend().send(to="13912345678", text=text, idempotency_key="k2")
    printed = capsys.readouterr().out
    assert "13912345678" not in printed and "139****5678" in printed
    assert "13800001111" not in printed and "138****1111" in printed
