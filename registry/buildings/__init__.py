"""Buildings and their people (房东联络群, issue 19): the landlord, the property company and
their managers, whom the park asks when an enterprise cannot be reached (the emergency
procedure's step 2, 外围突破); enterprises linked to a building by their address.

A part of the registry (its app label and migrations): the models are imported by
registry/models.py; services, selectors, pages and the SQL of the suggestions live here and
in registry/sql/buildings.py.
"""
