"""The REST API (/api/v1/): token authentication, problem-details errors, throttling and
pagination shared by every resource; the resources live in their apps (`employers/api.py`)."""
