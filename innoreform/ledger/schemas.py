from ninja import Schema


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str  # base64
    proof: list[str]  # base64, leaf sibling first (RFC 9162)
    root: str  # base64
    entry: str  # the canonical JSON entry


class ConsistencyOut(Schema):
    old: int
    new: int
    proof: list[str]
    old_root: str
    new_root: str


class CheckpointOut(Schema):
    origin: str
    size: int
    root: str
    note: str
    cosignatures: int
    cosigned: bool
    verifier_key: str


class EntryOut(Schema):
    index: int
    time: str
    entry_type: str
    acting_organisation: str
    purpose: str
    proof_url: str
