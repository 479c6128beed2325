"""The scoring core: scorer contract (``types``), call comparison (``calls``), clarify/refuse quality
(``clarify``) and the batch scorer (``core``)."""
