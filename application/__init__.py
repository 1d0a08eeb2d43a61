"""Use cases of the e-KTP office and the ports they drive.

`Office` is the one service class: the CLI and any embedding program call the
same methods. Ports (clock, region directory, ...) are `typing.Protocol`s in
`ektp.application.ports`; the composition root in `ektp.entrypoints` picks
the adapters.
"""
