"""The public Merkle log, pure: RFC 9162 tree hashing and proofs, tlog-tiles storage math, C2SP
signed notes, checkpoints, cosignatures and proof files, the leaf encoding, and the client that
verifies a log it does not trust. No Django here: the storage and the views live in the apps.
"""
