"""Known-answer vectors of other implementations (tests/tlog/vectors, see SPEC-NOTES.md there).

- the 8-leaf reference tree of the Certificate Transparency tests: leaf and node hashes, the
  roots of every size 0..8, its inclusion and consistency proofs;
- every inclusion and consistency vector of transparency-dev/merkle, including the mutated
  ones (``wantErr``), which must fail; proofs our code builds equal the vectors' proofs;
- golang.org/x/mod sumdb/note's PeterNeumann key and notes, the C2SP signed-note example,
  vkeys with '+' in their base64, checkpoint bodies and tlog-cosignature/v1 examples.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from santui.tlog import note
from santui.tlog.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from santui.tlog.tiles import MemoryTiles, subtree_reader

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text("utf-8"))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


CT = load("ct_reference_tree.json")
CT_LEAVES = [bytes.fromhex(x) for x in CT["leaf_inputs"]]
CT_ROOTS = {r["tree_size"]: bytes.fromhex(r["root"]) for r in CT["root_hashes"]}
INCLUSION = load("transparency_dev_inclusion.json")["vectors"]
CONSISTENCY = load("transparency_dev_consistency.json")["vectors"]
NOTES = load("signed_note.json")


def ct_subtree(height: int, index: int) -> bytes:
    """Subtree hashes of the reference tree, read off the vectors' own node table."""
    return bytes.fromhex(CT["node_hashes_by_level"]["levels"][height][index])


# --- the CT reference tree ---------------------------------------------------------------------


def test_reference_leaf_hashes_and_empty_root() -> None:
    assert [leaf_hash(x).hex() for x in CT_LEAVES] == CT["leaf_hashes"]
    assert EMPTY_ROOT.hex() == CT["empty_tree_root"]


def test_reference_roots_of_every_size_0_to_8() -> None:
    assert sorted(CT_ROOTS) == list(range(9))
    hashes = [leaf_hash(x) for x in CT_LEAVES]
    for size, root in CT_ROOTS.items():
        assert root_of(hashes[:size]) == root, size
        assert tree_root(size, ct_subtree) == root, size


def test_reference_node_hashes_are_our_node_hashes() -> None:
    levels = [[bytes.fromhex(h) for h in level] for level in CT["node_hashes_by_level"]["levels"]]
    for height in range(1, len(levels)):
        below = levels[height - 1]
        assert levels[height] == [
            node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(levels[height]))
        ]


def test_reference_tree_built_as_tiles_gives_the_same_roots() -> None:
    tiles = MemoryTiles()
    for size, leaf in enumerate(CT_LEAVES, start=1):
        assert tiles.add([leaf], [leaf_hash(leaf)]) == CT_ROOTS[size]
    assert tree_root(8, subtree_reader(tiles.read)) == CT_ROOTS[8]


@pytest.mark.parametrize(
    "vector", CT["inclusion_proofs"], ids=lambda v: f"{v['leaf_index']}-of-{v['tree_size']}"
)
def test_reference_inclusion_proofs(vector: dict[str, Any]) -> None:
    index, size = vector["leaf_index"], vector["tree_size"]
    proof = [bytes.fromhex(h) for h in vector["proof"]]
    assert leaf_hash(bytes.fromhex(vector["leaf_input"])).hex() == vector["leaf_hash"]
    assert bytes.fromhex(vector["root"]) == CT_ROOTS[size]
    assert inclusion_proof(index, size, ct_subtree) == proof
    verify_inclusion(index, size, bytes.fromhex(vector["leaf_hash"]), proof, CT_ROOTS[size])


@pytest.mark.parametrize(
    "vector", CT["consistency_proofs"], ids=lambda v: f"{v['size1']}-to-{v['size2']}"
)
def test_reference_consistency_proofs(vector: dict[str, Any]) -> None:
    size1, size2 = vector["size1"], vector["size2"]
    proof = [bytes.fromhex(h) for h in vector["proof"]]
    root1, root2 = bytes.fromhex(vector["root1"]), bytes.fromhex(vector["root2"])
    assert (root1, root2) == (CT_ROOTS[size1], CT_ROOTS[size2])
    assert consistency_proof(size1, size2, ct_subtree) == proof
    verify_consistency(size1, size2, root1, root2, proof)


def test_reference_tree_every_inclusion_and_consistency_proof_verifies() -> None:
    for size in range(1, 9):
        for index in range(size):
            proof = inclusion_proof(index, size, ct_subtree)
            verify_inclusion(index, size, leaf_hash(CT_LEAVES[index]), proof, CT_ROOTS[size])
        for size1 in range(1, size + 1):
            proof = consistency_proof(size1, size, ct_subtree)
            verify_consistency(size1, size, CT_ROOTS[size1], CT_ROOTS[size], proof)


# --- transparency-dev/merkle JSON vectors --------------------------------------------------------


def _vector_id(v: dict[str, Any]) -> str:
    return v["source_file"].removeprefix("testdata/") + "@" + v["source_commit"][:8]


def _proof(v: dict[str, Any]) -> list[bytes]:
    return [b64(h) for h in v["proof"] or []]


def _root_of_reference(size: int, root: bytes) -> bool:
    return CT_ROOTS.get(size) == root


@pytest.mark.parametrize("vector", INCLUSION, ids=_vector_id)
def test_transparency_dev_inclusion_vector(vector: dict[str, Any]) -> None:
    index = vector["leafIdx"] if "leafIdx" in vector else vector["leafIndex"]
    size, root, leaf = vector["treeSize"], b64(vector["root"]), b64(vector["leafHash"])
    proof = _proof(vector)
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, proof, root)
        return
    verify_inclusion(index, size, leaf, proof, root)
    if _root_of_reference(size, root):
        assert inclusion_proof(index, size, ct_subtree) == proof
    else:  # single-entry: a tree of one leaf, b"data"
        assert size == 1 and proof == [] and leaf == root == leaf_hash(b"data")


def test_transparency_dev_happy_inclusion_vectors_are_the_reference_tree_s() -> None:
    happy = [v for v in INCLUSION if not v["wantErr"]]
    from_reference = [v for v in happy if _root_of_reference(v["treeSize"], b64(v["root"]))]
    assert len(happy) >= 6 and len(from_reference) >= 5


def _consistency_must_fail(v: dict[str, Any]) -> bool:
    # The two items flagged "superseded" carry the rule before transparency-dev/merkle PR #236:
    # current upstream rejects every consistency proof from size 0 (SPEC-NOTES.md section 7).
    return bool(v["wantErr"] or "superseded" in v)


@pytest.mark.parametrize("vector", CONSISTENCY, ids=_vector_id)
def test_transparency_dev_consistency_vector(vector: dict[str, Any]) -> None:
    size1, size2 = vector["size1"], vector["size2"]
    root1, root2, proof = b64(vector["root1"]), b64(vector["root2"]), _proof(vector)
    if _consistency_must_fail(vector):
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, root1, root2, proof)
        return
    verify_consistency(size1, size2, root1, root2, proof)
    if _root_of_reference(size1, root1) and _root_of_reference(size2, root2):
        assert consistency_proof(size1, size2, ct_subtree) == proof


def test_transparency_dev_happy_consistency_proofs_are_generated_identically() -> None:
    generated = 0
    for v in CONSISTENCY:
        if _consistency_must_fail(v) or not v["proof"]:
            continue
        assert _root_of_reference(v["size1"], b64(v["root1"]))
        assert _root_of_reference(v["size2"], b64(v["root2"]))
        assert consistency_proof(v["size1"], v["size2"], ct_subtree) == _proof(v)
        generated += 1
    assert generated == 4  # 1->8, 6->8, 2->5, 6->7


# --- signed notes: golang.org/x/mod sumdb/note ---------------------------------------------------

GO = NOTES["go_sumdb_note"]


def test_peter_neumann_verifier_key() -> None:
    verifier = note.parse_vkey(GO["verifier_key"])
    assert verifier.name == GO["key_name"] == "PeterNeumann"
    assert verifier.kind == GO["signature_type"] == note.ED25519
    assert verifier.public.hex() == GO["ed25519_public_key_hex"]
    assert verifier.key_id.hex() == GO["key_id_hex"]
    assert verifier.vkey == GO["verifier_key"]


def test_peter_neumann_signer_key() -> None:
    signer = note.parse_skey(GO["signer_key"])
    assert signer.name == "PeterNeumann"
    assert signer.seed.hex() == GO["ed25519_seed_hex"]
    assert signer.verifier == note.parse_vkey(GO["verifier_key"])
    assert signer.skey == GO["signer_key"]


def test_peter_neumann_note_verifies_and_our_signature_is_theirs() -> None:
    signer = note.parse_skey(GO["signer_key"])
    verifier = note.parse_vkey(GO["verifier_key"])
    parsed = note.parse(GO["signed_note"])
    assert parsed.text == GO["text"]
    assert [s.name for s in parsed.signatures] == ["PeterNeumann"]
    note.verify(parsed, verifier)
    assert note.sign(GO["text"], signer) == GO["signed_note"]
    assert signer.raw_sign(GO["text"].encode()).hex() == GO["ed25519_signature_hex"]
    assert parsed.signatures[0].line == GO["signature_line"]
    assert str(parsed) == GO["signed_note"]


def test_doubly_signed_note_verifies_for_either_key() -> None:
    parsed = note.parse(GO["doubly_signed_note"])
    note.verify(parsed, note.parse_vkey(GO["verifier_key"]))
    note.verify(parsed, note.parse_vkey(GO["second_key"]["verifier_key"]))
    assert parsed.signatures[1].line == GO["second_key"]["signature_line"]


def test_go_open_rejects_what_go_rejects() -> None:
    text, line = GO["text"], GO["signature_line"]
    verifier = note.parse_vkey(GO["verifier_key"])
    malformed = [
        text,  # text only
        text + "\n",  # no signature lines
        text + "\n" + line[:-1],  # last signature line without its newline
        "\x01" + GO["signed_note"],
        text + "\n" + line.replace("PeterNeumann", "Bad Name"),
        GO["signed_note"] + "junk\n",
        text + "\n" + line * 101,
    ]
    for bad in malformed:
        with pytest.raises(note.NoteError):
            note.parse(bad)
    with pytest.raises(note.NoteError):
        note.parse(b"\xff" + GO["signed_note"].encode())
    corrupted = GO["signed_note"][:60] + "ABCD" + GO["signed_note"][60:]
    with pytest.raises(note.NoteError, match="does not verify"):
        note.verify(note.parse(corrupted), verifier)


def test_go_open_ignores_unknown_and_duplicate_signatures() -> None:
    enoch = GO["second_key"]["signature_line"]
    corrupted_enoch = enoch[:30] + "ABCD" + enoch[30:]
    text = GO["doubly_signed_note"] + GO["signature_line"] + corrupted_enoch
    note.verify(note.parse(text), note.parse_vkey(GO["verifier_key"]))


def test_go_bad_verifier_keys_are_refused() -> None:
    good = GO["verifier_key"]
    bad = [k.split(" (")[0] for k in GO["bad_verifier_keys_from_TestNewVerifier"][:2]]
    bad += [good[i:j] for i in range(len(good)) for j in range(i, len(good) + 1)]
    bad.remove(good)
    bad += [good[:i] + chr(ord(good[i]) + 1) + good[i + 1 :] for i in range(len(good))]
    for key in bad:
        with pytest.raises(note.NoteError):
            note.parse_vkey(key)


# --- signed notes: C2SP example, other vkeys -----------------------------------------------------


def test_c2sp_signed_note_example_verifies() -> None:
    example = NOTES["c2sp_spec_example"]
    parsed = note.parse(example["signed_note"])
    assert parsed.text == example["text"]
    note.verify(parsed, note.parse_vkey(example["verifier_key"]))


@pytest.mark.parametrize("vector", NOTES["vkeys_other"], ids=lambda v: v["vkey"].split("+")[0])
def test_other_vkeys_parse_with_their_key_ids(vector: dict[str, Any]) -> None:
    verifier = note.parse_vkey(vector["vkey"])
    assert verifier.kind == vector["type"]
    assert verifier.vkey == vector["vkey"]


# --- checkpoints and cosignatures ----------------------------------------------------------------


def test_go_tlog_checkpoint_body() -> None:
    body = NOTES["checkpoint_body_go_tlog"]
    checkpoint = note.parse_checkpoint(body["text"])
    assert checkpoint.origin == body["origin"]
    assert checkpoint.size == body["tree_size"]
    assert checkpoint.root == b64(body["root_hash_b64"]) == leaf_hash(b"hello world")
    assert checkpoint.text == body["text"]
    lines = body["text"].split("\n")
    for bad in (
        "\n".join([lines[0], "0xabcdef", *lines[2:]]),
        "\n".join([*lines[:2], "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=", *lines[3:]]),
    ):
        with pytest.raises(note.NoteError):
            note.parse_checkpoint(bad)


def test_c2sp_cosignature_example_decodes() -> None:
    example = NOTES["cosignature_examples"][0]
    signed = note.parse(
        example["checkpoint_body"]
        + "\n"
        + example["log_signature_line"]
        + "\n"
        + example["cosignature_line"]
        + "\n"
    )
    cosignature = signed.signatures[1]
    assert cosignature.key_id.hex() == example["decoded"]["key_id_hex"]
    assert len(cosignature.key_id + cosignature.raw) == example["decoded"]["total_bytes"]
    (timestamp,) = struct.unpack(">Q", cosignature.raw[:8])
    assert timestamp == example["decoded"]["timestamp"]
    message = note.cosignature_message(signed.text, timestamp)
    assert message.decode() == example["signed_message_example"]


def test_transparency_dev_cosignature_timestamp_decodes() -> None:
    example = NOTES["cosignature_examples"][1]
    raw = b64(example["signature_b64"])
    assert raw[:4].hex() == example["decoded"]["key_id_hex"]
    assert struct.unpack(">Q", raw[4:12])[0] == example["decoded"]["timestamp"]
    assert len(b64(example["wrong_type_signature_b64"])) == 68


def test_derived_checkpoint_and_cosignature_of_the_reference_tree() -> None:
    derived = NOTES["derived_locally"]
    log = note.parse_skey(GO["signer_key"])
    witness = note.Signer(log.name, note.COSIGNATURE_V1, log.seed)
    assert witness.verifier.vkey == derived["cosigner_vkey"]

    checkpoint = note.parse_checkpoint(derived["checkpoint_body"])
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == ("PeterNeumann", 8, CT_ROOTS[8])
    assert note.sign(derived["checkpoint_body"], log) == derived["signed_checkpoint"]
    opened, _ = note.open_checkpoint(derived["signed_checkpoint"], log.verifier)
    assert opened == checkpoint

    timestamp = derived["cosignature_timestamp"]
    message = note.cosignature_message(derived["checkpoint_body"], timestamp)
    assert message.decode() == derived["cosignature_signed_message"]
    cosigned = note.parse(derived["cosigned_checkpoint"])
    assert note.verify_cosignature(cosigned, note.parse_vkey(derived["cosigner_vkey"])) == timestamp
    line = note.cosign(derived["checkpoint_body"], witness, timestamp).line
    assert derived["cosigned_checkpoint"].endswith(line)
