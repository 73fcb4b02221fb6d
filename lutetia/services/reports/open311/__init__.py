"""Open311 GeoReport v2 at /open311/v2/: the city's reports for any Open311 application.

Spec: http://wiki.open311.org/GeoReport_v2 — JSON and XML, errors as a list of
``{code, description}``. Reads come from ``selectors``, submissions go through
``actions.submit_report``; this package only parses, validates and serialises.
"""
