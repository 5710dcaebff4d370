"""The baseline of bench/intake_load.py: a bare Django REST Framework view that validates the same
report body and inserts one row, served the same way (uvicorn, the same number of processes, the
same database and connection pool). What the platform does beyond that is its own cost."""
