# Django's `ar` writes dates day-first (SHORT_DATE_FORMAT "d/m/Y" with a right-to-left mark after
# the day and the month, which keeps the parts in order on a right-to-left line) but has no format
# for a date with its time, so those fell back to the American "m/d/Y P": 5 December read
# "12/05/2026 10 <a.m.>" next to a plain date's "2026/12/09". These join Django's own `ar` date and
# time formats (DATE_FORMAT, SHORT_DATE_FORMAT, TIME_FORMAT); everything else stays Django's.
DATETIME_FORMAT = "j F\u060c Y g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
