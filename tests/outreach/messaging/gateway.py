"""A scripted SMS gateway for in-process tests (the gateway is the one outside thing we
fake): numbers listed in ``refuse`` are invalid, those in ``down`` time out."""

from outreach.messaging.backends import PermanentFailure, SmsBackend, TemporaryFailure


class ScriptedSmsBackend(SmsBackend):
    delivered: list[tuple[str, str, str]] = []  # (to, text, key), in order
    refuse: set[str] = set()
    down: set[str] = set()

    @classmethod
    def reset(cls):
        cls.delivered, cls.refuse, cls.down = [], set(), set()

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        if to in self.refuse:
            raise PermanentFailure(f"{to}: number does not exist")
        if to in self.down:
            raise TemporaryFailure("gateway timeout")
        if idempotency_key not in {key for _, _, key in self.delivered}:
            self.delivered.append((to, text, idempotency_key))
        return f"gw-{idempotency_key}"
