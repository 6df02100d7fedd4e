"""The sector taxonomy: where a declarant works or worked. Keys are stable; labels live in the UI.

The first group follows the sectors counted in the 2006 analysis of statements (domain.md);
the rest are the occupations later reports add.
"""

SECTORS: tuple[str, ...] = (
    "government",  # officials, civil servants, party committees
    "police",  # public security, 国保, 网警
    "discipline_inspection",
    "congress_deputy",
    "judiciary",  # courts, procuratorates
    "state_security",
    "central_organs",  # State Council, Zhongnanhai, NPC Standing Committee
    "military",
    "education",
    "student",
    "health",
    "media",
    "state_enterprise",
    "business",
    "farmer",
    "worker",
    "retired",
    "other",
)
