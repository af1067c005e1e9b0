"""The sales data model: entities, typed columns, keys, relations, and name resolution."""
