"""Logging filters named in `settings.LOGGING`."""

import logging


class NoTracebackBelow500(logging.Filter):
    """Drop the traceback of a logged response below 500: a refused or missing page is the
    client's doing, one line says it all; a traceback is for server errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True
