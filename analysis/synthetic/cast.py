"""The fictional cast of the SYNTHETIC demo study: participants, colleagues, places.

Fourteen participants across the macro, meso and micro tiers, each with the register
attributes of :mod:`analysis.participants`, a planted name and a transcript layout;
fictional colleagues, a trust and places they talk about; e-mail addresses on the
reserved ``.example`` domain (RFC 2606) and phone numbers from Ofcom's drama range
01632 960000-960999. The register and the demo key are tables made from the cast.

Examples
--------
>>> [p.participant_id for p in PEOPLE][:3]
['P01', 'P02', 'P03']
>>> transcript_name(PEOPLE[0])
'P01.docx'
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 2006  # the year of the SHA and PCT mergers

SYNTHETIC_NOTE = ("SYNTHETIC demo interview: fictional people and organisations, written by "
                  "analysis.synthetic for testing and teaching; not real research data.")


@dataclass(frozen=True)
class Person:
    """A fictional participant: register attributes plus the planted name and layout."""

    participant_id: str
    name: str
    tier: str
    position_practice: str
    organisation_type: str
    sector: str
    years_in_nhs: int
    eras: tuple[str, ...]
    layout: str  # docx, vtt, srt, md, txt_labels, txt_service
    interviewer_label: str
    role: str  # how they describe their post, in their own words


#: The transcript file suffix of each layout.
LAYOUT_SUFFIX = {"docx": ".docx", "vtt": ".vtt", "srt": ".srt", "md": ".md",
                 "txt_labels": ".txt", "txt_service": ".txt"}

PEOPLE = (
    Person("P01", "Harriet Quill", "macro", "pp_national_exec",
           "national programme (DH / Connecting for Health)", "NHS national body", 28,
           ("ifh", "npfit", "ccg", "stp_ics"), "docx", "Interviewer",
           "a programme director in the national programme and later a policy lead at the "
           "centre"),
    Person("P02", "Tobias Fenwright", "meso", "pp_sha_it", "strategic health authority",
           "NHS", 24, ("ifh", "npfit", "ccg"), "vtt", "Researcher",
           "director of informatics at a strategic health authority until 2013"),
    Person("P03", "Marguerite Ellery-Pike", "meso", "pp_csu_it",
           "commissioning support unit", "NHS", 19, ("npfit", "ccg", "stp_ics", "icb"),
           "txt_labels", "Interviewer",
           "head of GP IT services in a commissioning support unit, before that at a PCT"),
    Person("P04", "Idris Calloway", "micro", "pp_trust_cio", "acute foundation trust",
           "NHS", 21, ("npfit", "ccg", "stp_ics", "icb"), "md", "IV",
           "chief information officer of an acute foundation trust"),
    Person("P05", "Rosalind Achterberg", "micro", "pp_gp_practice_mgr", "general practice",
           "NHS (independent contractor)", 31, ("imt", "ifh", "npfit", "ccg", "stp_ics", "icb"),
           "txt_service", "Interviewer", "practice manager of a large GP practice"),
    Person("P06", "Gideon Marlowe", "macro", "pp_supplier", "IT supplier (local service provider)",
           "private", 9, ("npfit", "ccg", "stp_ics"), "srt", "Interviewer",
           "an account director for a local service provider and later a clinical-systems "
           "supplier"),
    Person("P07", "Annika Thorsby", "meso", "pp_commiss_digital",
           "clinical commissioning group / integrated care board", "NHS", 17,
           ("ccg", "stp_ics", "icb"), "docx", "Interviewer",
           "digital lead for a CCG and now for an integrated care board"),
    Person("P08", "Felix Amadi-Rowe", "micro", "pp_clinician", "acute foundation trust",
           "NHS", 23, ("npfit", "ccg", "stp_ics", "icb"), "vtt", "Interviewer",
           "a consultant physician and, since 2017, chief clinical information officer"),
    Person("P09", "Cressida Pennock", "meso", "pp_regional_prog",
           "NPfIT cluster / NHS England region", "NHS", 27, ("ifh", "npfit", "ccg", "stp_ics"),
           "txt_labels", "Researcher",
           "a cluster programme director in the national programme, later in a regional "
           "team"),
    Person("P10", "Lionel Strickland", "macro", "pp_national_exec",
           "national body (NHSX / NHS England)", "NHS national body", 15,
           ("ccg", "stp_ics", "icb"), "md", "Interviewer",
           "a deputy director in NHSX and then the Transformation Directorate"),
    Person("P11", "Wilhelmina Corrigan", "meso", "pp_commiss_digital", "primary care trust",
           "NHS", 26, ("imt", "ifh", "npfit", "ccg"), "txt_service", "IV",
           "head of IM&T at a primary care trust until the PCTs were abolished"),
    Person("P12", "Desmond Farrow", "micro", "pp_trust_cio", "mental health trust", "NHS", 30,
           ("imt", "ifh", "npfit", "ccg", "stp_ics"), "srt", "Interviewer",
           "director of IM&T at a mental health trust"),
    Person("P13", "Philippa Nettleford", "micro", "pp_gp_practice_mgr", "general practice",
           "NHS (independent contractor)", 14, ("ccg", "stp_ics", "icb"), "docx",
           "Interviewer", "practice manager of a three-site GP partnership"),
    Person("P14", "Augustin Vale", "meso", "pp_csu_it", "commissioning support unit", "NHS", 16,
           ("ccg", "stp_ics", "icb"), "txt_labels", "Interviewer",
           "GP IT delivery manager in a CSU, now hosted by an ICB"),
)

#: Fictional colleagues the participants talk about (planted names).
COLLEAGUES = ("Bernard Oakhurst", "Yvonne Castellane", "Amos Treharne", "Leonie Hatchard",
              "Quentin Brayfield", "Saoirse Kellaway")
TRUST = "Northmoor Valley NHS Foundation Trust"
TRUST_SHORT = "Northmoor Valley"
PLACES = ("Fellbridge", "Ashcombe", "Kestlebury", "Northmoor")
#: Fictional e-mail addresses (the reserved .example top-level domain, RFC 2606) and
#: phone numbers from Ofcom's range for drama, 01632 960000-960999.
EMAILS = ("h.quill@fellbridge-sha.nhs.example", "y.castellane@csu.nhs.example")
PHONES = ("01632 960412", "01632 960877")


def transcript_name(person: Person) -> str:
    """The transcript's file name: participant id plus the layout's suffix."""
    return person.participant_id + LAYOUT_SUFFIX[person.layout]


def participants_table(people=PEOPLE):
    """The demo participants register (pseudonymous: no names), as a DataFrame.

    Examples
    --------
    >>> table = participants_table()
    >>> table.loc[0, ["participant_id", "tier", "transcript", "synthetic"]].tolist()
    ['P01', 'macro', 'P01.docx', 'yes']
    """
    import pandas as pd

    from ..participants import PARTICIPANT_COLUMNS

    rows = [{"participant_id": p.participant_id, "tier": p.tier,
             "position_practice": p.position_practice,
             "organisation_type": p.organisation_type, "sector": p.sector,
             "years_in_nhs": p.years_in_nhs, "eras": "|".join(p.eras),
             "interviewer_label": p.interviewer_label, "transcript": transcript_name(p),
             "synthetic": "yes"} for p in people]
    return pd.DataFrame(rows, columns=PARTICIPANT_COLUMNS)


def identifier_key(people=PEOPLE):
    """The demo key: every planted identifier and its replacement.

    Columns ``original, replacement, kind`` (person, organisation, place, other).
    People are numbered in order of appearance in the cast (participants, then
    colleagues); every e-mail becomes ``[email]`` and every phone number ``[phone]``.

    Examples
    --------
    >>> identifier_key().iloc[0].tolist()
    ['Harriet Quill', '[Person 1]', 'person']
    """
    import pandas as pd

    rows = []
    names = [p.name for p in people] + list(COLLEAGUES)
    rows += [(n, f"[Person {i}]", "person") for i, n in enumerate(names, start=1)]
    rows += [(TRUST, "[Trust A]", "organisation"), (TRUST_SHORT, "[Trust A]", "organisation")]
    rows += [(pl, f"[Place {i}]", "place") for i, pl in enumerate(PLACES, start=1)]
    rows += [(e, "[email]", "other") for e in EMAILS]
    rows += [(ph, "[phone]", "other") for ph in PHONES]
    return pd.DataFrame(rows, columns=["original", "replacement", "kind"])
