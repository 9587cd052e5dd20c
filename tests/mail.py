"""A mail backend for the tests that stop a worker while it sends: each message becomes a file in
BRIDGES_TEST_MAIL_DIR (what the mail server accepted), after a pause of BRIDGES_TEST_MAIL_PAUSE
seconds during which a file `sending-<pid>` says that the worker is in the middle of the send."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class PausingFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(os.environ["BRIDGES_TEST_MAIL_DIR"])
        pause = float(os.environ.get("BRIDGES_TEST_MAIL_PAUSE") or 0)
        for message in email_messages:
            if pause:
                (folder / f"sending-{os.getpid()}").touch()
                time.sleep(pause)
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)
