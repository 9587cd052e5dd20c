"""Logging filters named in `settings.LOGGING`."""

import logging


class NoTracebackBelowError(logging.Filter):
    """Drop the traceback of a record below ERROR: a refused or missing page (a 4xx is logged at
    WARNING, a 5xx at ERROR) or a failed health check says all in one line; a traceback is for
    server errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            record.exc_info = record.exc_text = None
        return True
