"""Domain operations shared by views, the API and the CLI, in packages of a fixed order.

A module may import its own package and any **lower** layer, never a higher one:

    layer 8  rounds
    layer 7  results | mail          (siblings: neither imports the other)
    layer 6  responses
    layer 5  panel
    layer 4  studies
    layer 3  jobs
    layer 2  accounts
    layer 1  audit | backup
    layer 0  common

Services never import blueprints, `elicit.cli`, `elicit.worker` or
`flask.request`/`flask.session`. Outside a package, import the package or a
submodule named in its ``__all__``, never a name starting with ``_``.
`lint-imports` (contracts in pyproject.toml) checks this in `make test`;
docs/architecture.md explains it.
"""
