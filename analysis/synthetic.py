"""The SYNTHETIC demo study: fictional interviews, deterministic from a seed.

The compendium cannot ship real interviews, so it ships a fictional study that looks
and behaves like one: 14 participants across the macro, meso and micro tiers, one
transcript each (1,500-3,000 words) in a mix of formats (.docx, .vtt, .srt, .md and
two plain-text layouts), talking about real eras and events of NHS IT in England with
year mentions. Planted fictional identifiers (names, a trust, places, e-mail
addresses, phone numbers from Ofcom's drama range 01632 960000-960999) exercise the
pseudonymisation; their key is written beside the transcripts, marked as a demo key.

Each transcript is composed from a bank of utterance templates written for this
module. Every template carries the codes of the SST frame it expresses and the era it
speaks of; templates are drawn with weights that favour the speaker's tier, so that
the tiers and eras differ in ways an analysis can find (the demo README lists the
designed differences). The composed utterances are the ground truth from which the
two fictional coders' segments are made (:func:`code_demo`).

Everything this module writes says SYNTHETIC at the top.

Examples
--------
>>> truth = demo_ground_truth(seed=DEFAULT_SEED)
>>> sorted(truth["participant_id"].unique())[:3]
['P01', 'P02', 'P03']
>>> bool((truth["codes"].str.len() > 0).all())
True
"""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import paths

DEFAULT_SEED = 2006  # the year of the SHA and PCT mergers

SYNTHETIC_NOTE = ("SYNTHETIC demo interview: fictional people and organisations, written by "
                  "analysis.synthetic for testing and teaching; not real research data.")

# ---------------------------------------------------------------- the fictional cast


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


_LAYOUT_SUFFIX = {"docx": ".docx", "vtt": ".vtt", "srt": ".srt", "md": ".md",
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

# ---------------------------------------------------------------- the utterance bank


@dataclass(frozen=True)
class Template:
    """An utterance template: the era it speaks of, who says it, its codes, its text.

    ``who`` lists tiers (``macro meso micro``), position-practice ids, or ``all``.
    Slots: ``{trust}``, ``{trust_short}``, ``{place}``, ``{colleague}``.
    """

    template_id: str
    era: str
    who: tuple[str, ...]
    codes: tuple[str, ...]
    text: str


def _bank(rows) -> tuple[Template, ...]:
    return tuple(Template(f"U{i:03d}", era, tuple(who.split()), tuple(codes.split()), text)
                 for i, (era, who, codes, text) in enumerate(rows, start=1))


# (era, who, codes, text). Designed differences: meso speakers carry th_mediation,
# th_reorg_memory, sst_int_conjspec and sst_ext_ppr; macro speakers th_central_local,
# th_standards_interop and sst_out_intended; micro speakers th_local_ownership,
# sst_ag_resist, th_workforce and sst_out_unintended. By era: npfit is central
# procurement and suppliers, ccg is reorganisation and lost memory, stp_ics is funding
# and footprints, icb is data, information governance and accountability.
BANK = _bank([
    # -- imt: 1992-1998
    ("imt", "micro meso", "th_standards_interop sst_ag_routine",
     "When I started, in 1993, everything was Read codes and fundholding returns. We keyed "
     "the data in because the health authority wanted it keyed in, and nobody asked whether "
     "it helped the patient in front of us. It was routine, it was paper with a screen on "
     "top."),
    ("imt", "micro meso", "th_local_ownership sst_out_reproduce",
     "The 1992 IM&T strategy talked about person-based records, but in {place} the GP "
     "systems were whatever the partners had bought themselves. Each practice owned its own "
     "kit, and honestly that sense of ownership never really went away, it was still there "
     "twenty years later."),
    ("imt", "meso", "th_mediation sst_ext_ppr",
     "My job at the health authority in 1996 was basically to translate. The NHS Executive "
     "would send down the IM&T requirements and I would sit with the practice managers and "
     "work out which bits were real and which bits would quietly go away by the next "
     "circular."),
    ("imt", "micro", "th_workforce sst_int_gendisp",
     "There were no IT people as such in 1995. There was a finance clerk who was good with "
     "computers, and that was me for a while. I learned everything on the job, and I think "
     "that habit of just working it out yourself has stayed with me all my career."),
    # -- ifh: 1998-2002
    ("ifh", "macro", "th_standards_interop sst_out_intended",
     "Information for Health in 1998 set out electronic patient records in levels, and for "
     "the first time there was a national view of what the standards should be. NHSnet "
     "got rolled out more or less as planned, and that connected practices to hospitals in "
     "a way they had never been connected before."),
    ("ifh", "macro meso", "th_central_local sst_ext_independent",
     "The local implementation strategies were the thing in 1999. Every health community "
     "had to write one, but the money was never ring-fenced, so in a bad winter it simply "
     "went on beds. Nobody locally could change that; it was how the allocations worked."),
    ("ifh", "meso", "th_mediation sst_int_conjspec",
     "By 2000 I knew which of the ERDIP pilots the Department actually cared about and "
     "which were there for show. You learned to read the signals: who was visiting, whose "
     "name was on the letter, whether there was money attached. That shaped what I told the "
     "trusts to prioritise."),
    ("ifh", "pp_trust_cio pp_clinician", "th_local_ownership sst_ag_strategic",
     "Around 2001 we built our own results reporting with the pathology lab, two of us and "
     "a contractor. It was ours; the clinicians designed the screens. I made a deliberate "
     "choice to do it locally rather than wait for whatever national product might arrive."),
    ("ifh", "meso macro", "th_funding sst_ext_irresistible",
     "The funding in 2001 came with strings: you got the modernisation money only if your "
     "plan matched the national template. Could we have said no? In theory. In practice no "
     "chief executive was going to turn down capital in that climate."),
    # -- npfit: 2002-2011
    ("npfit", "macro", "th_central_local sst_out_intended",
     "The thinking in 2002 was simple: the NHS had bought IT locally for twenty years and "
     "the result was hundreds of systems that could not talk to each other. Central "
     "procurement was the answer. And on the infrastructure, the Spine, N3, NHSmail, PACS, "
     "it worked. Those were delivered, more or less as intended."),
    ("npfit", "macro", "th_supplier_contracts th_central_local",
     "We let the five cluster contracts in late 2003 and early 2004, and the whole design "
     "was that the suppliers carried the risk. Payment on delivery. The local service "
     "providers would deploy, the trusts would accept, and the centre would hold the "
     "contracts so that the NHS was not picked off trust by trust."),
    ("npfit", "macro", "th_standards_interop sst_ext_sociotech",
     "The Spine was the piece I am proudest of. A single national demographic service, the "
     "message standards, the smartcards. Once that was in, every system had to conform to "
     "it, and that inscribed a national way of identifying patients into every local "
     "system from about 2005."),
    ("npfit", "macro", "th_accountability sst_out_intended",
     "Choose and Book had a target, and we performance-managed the SHAs against it. By 2006 "
     "utilisation was climbing every month. People say targets distort, and they do, but "
     "without that target the referrals would still be going by fax."),
    ("npfit", "pp_supplier", "th_supplier_contracts sst_ext_irresistible pp_supplier",
     "From our side the contract was brutal. We were paid on deployment, and deployment "
     "needed a product that was not finished. Lorenzo was years late and everyone knew it. "
     "But walking away meant losing the whole cluster, so we kept going and kept promising."),
    ("npfit", "pp_supplier", "sst_ext_ppr th_supplier_contracts",
     "I spent half my week in 2007 at the SHA, not at the trusts. The SHA was the customer "
     "in practice, Connecting for Health was the customer on paper, and the trust was the "
     "one who had to live with it. Three customers, three different ideas of done."),
    ("npfit", "pp_sha_it pp_regional_prog", "th_mediation sst_ext_ppr",
     "The SHA was the buffer. Connecting for Health would set a deployment date with the "
     "LSP, and I would be the one ringing the trust chief executive to say it was happening. "
     "Then the trust would ring me back to say it was not safe, and I would carry that back "
     "up to {colleague}. Most of my week was that."),
    ("npfit", "meso", "sst_int_conjspec th_central_local",
     "In 2005 you had to know that the cluster office mattered more than the SHA board. If "
     "the cluster wanted a trust to go live on Cerner Millennium in the spring, the spring "
     "was when it happened, whatever the trust board thought. I knew who actually decided."),
    ("npfit", "meso", "th_reorg_memory sst_out_unintended",
     "Then in July 2006 the SHAs merged, twenty-eight down to ten, and in October the PCTs "
     "went from three hundred-odd to a hundred and fifty-two. Half the people who "
     "understood the deployment plans were gone or in new jobs. We lost a year just finding "
     "out who owned what."),
    ("npfit", "pp_sha_it", "sst_ext_irresistible th_funding",
     "The SHA told the trusts they had to take the LSP's patient administration system or "
     "lose the central funding. I said that myself, in 2007, in the boardroom at "
     "{trust_short}. I knew the product was weaker than what they had, but there was no "
     "other money on the table."),
    ("npfit", "pp_sha_it pp_regional_prog", "th_mediation sst_ag_strategic",
     "What we did, quietly, in 2008, was package the national requirements so they landed "
     "better. We took the Choose and Book targets and the Summary Care Record consent model "
     "and turned them into one plan per PCT, with our people on the ground. Translation, "
     "really."),
    ("npfit", "meso", "sst_int_conjspec sst_ext_ppr",
     "Local ownership, the NLOP, came in 2007, and suddenly the SHAs were accountable for "
     "delivery. I knew from {colleague} that the centre wanted to hand over the risk without "
     "handing over the contracts. So you went in with your eyes open about who would carry "
     "the blame."),
    ("npfit", "pp_regional_prog", "th_mediation pp_supplier sst_ext_ppr",
     "As cluster programme director I sat between Connecting for Health, the LSP and five "
     "SHAs. The supplier wanted sites that were easy; the SHAs wanted their politically "
     "difficult trusts done first. I spent my days negotiating the order of go-lives."),
    ("npfit", "pp_trust_cio pp_clinician", "sst_ag_resist th_local_ownership",
     "We never really adopted the national PAS. We went live in 2008 because we had to, "
     "and then the clinicians kept their own spreadsheets and the old departmental systems "
     "running alongside for years. Minimal compliance, I suppose you would call it."),
    ("npfit", "pp_trust_cio pp_clinician", "sst_out_unintended th_supplier_contracts",
     "The go-live at {trust} in 2007 was a disaster. Outpatient lists disappeared, we "
     "cancelled clinics for weeks, and the waiting-time figures went through the floor. "
     "Nobody planned that; it was what you got when a supplier deployed to a contract date."),
    ("npfit", "pp_trust_cio pp_clinician", "th_local_ownership sst_ext_irresistible",
     "The clinicians felt it was being done to them. Nobody in 2006 had asked a single "
     "consultant what the screens should look like. And we could not change anything "
     "because every change request went back to the LSP and cost a fortune."),
    ("npfit", "pp_trust_cio", "th_workforce sst_out_unintended",
     "We lost our best analysts to the LSP in 2006 and 2007, because the supplier paid "
     "twice what we could. So the programme that was meant to modernise us actually "
     "stripped out the people who knew our systems."),
    ("npfit", "pp_gp_practice_mgr pp_csu_it", "th_supplier_contracts th_local_ownership",
     "GP systems were the exception. GPSoC in 2007 meant practices could keep choosing "
     "EMIS or TPP SystmOne and the centre paid. That choice mattered enormously to the "
     "partners; it was their system, and they would have fought hard for it."),
    ("npfit", "pp_gp_practice_mgr pp_clinician", "sst_ext_sociotech sst_ag_resist",
     "Choose and Book forced a particular referral pathway into the software, every "
     "referral the same steps. Our GPs found workarounds within weeks: the paper letter "
     "went as well, or the booking was done by the receptionist afterwards."),
    ("npfit", "all", "th_data_ig sst_ag_concerns",
     "The Summary Care Record opt-out letters went out around 2008, and my first concern "
     "was the patients who rang us frightened about who could see their records. Patient "
     "trust came before the deployment numbers, and I said so."),
    ("npfit", "macro meso", "sst_ext_independent th_supplier_contracts",
     "When Accenture walked away in 2006 and then Fujitsu's contract in the South ended in "
     "2008, that was simply outside anyone's control locally. The whole plan for those "
     "trusts evaporated overnight."),
    # -- ccg: 2011-2016
    ("ccg", "macro", "th_central_local sst_out_change",
     "The announcement in September 2011 that the programme would be dismantled was really "
     "the end of central procurement for local systems. From then on the line was: the "
     "centre sets standards and runs the national infrastructure, and local organisations "
     "choose. That was a real structural change."),
    ("ccg", "macro", "th_standards_interop sst_out_intended",
     "The Power of Information in 2012 moved us from a provide-all model to a connect-all "
     "model. The interoperability standards and the NHS number as the identifier actually "
     "stuck. I think that part of the strategy did what it set out to do."),
    ("ccg", "macro", "th_central_local th_accountability",
     "After 2013 the centre had no regional arm for IT at all. NHS England had area teams, "
     "but they did not do informatics. So we set targets, the paperless 2018 ambition, and "
     "had no one in between to make them real."),
    ("ccg", "meso", "th_reorg_memory sst_int_conjspec",
     "In October 2011 the SHAs were clustered into four, and by April 2013 they were gone. "
     "I watched years of knowledge walk out of the door: who had signed what with which "
     "supplier, why a trust had a particular interface. Nobody in the CSU knew any of it."),
    ("ccg", "meso", "th_reorg_memory sst_ext_ppr",
     "The relationships were the first casualty of 2013. I had spent ten years knowing "
     "exactly which director to ring at each trust. The CCGs came in with new people who "
     "had never heard of us, and we had to earn it all again."),
    ("ccg", "pp_csu_it", "th_mediation th_reorg_memory",
     "When the CSUs were set up in 2013 we inherited GP IT from the PCTs, with no "
     "documentation. I literally found the server contracts in a filing cabinet at "
     "{place}. Our job was to keep the practices running while the commissioners worked out "
     "what they wanted from us."),
    ("ccg", "pp_csu_it", "sst_int_conjspec th_funding",
     "Under the 2013 GP IT operating model the money went to the CCGs and we delivered under "
     "contract. I knew which CCG chairs cared about IT and which ones saw it as a cost to "
     "cut, and I planned the refresh programme around that."),
    ("ccg", "pp_csu_it", "sst_ext_ppr th_mediation sst_ag_strategic",
     "As a CSU we had eight CCGs as customers, each with a different view. So I made a "
     "deliberate choice: one service specification, negotiated once, with local variations "
     "written as annexes. {colleague} thought it would never fly, but it held the patch "
     "together."),
    ("ccg", "meso", "th_reorg_memory sst_out_unintended",
     "Everything about the Summary Care Record and the clinical safety cases lived with "
     "people who left in the 2013 abolition. Three years later a trust asked us why a "
     "particular decision had been taken and honestly nobody could answer."),
    ("ccg", "meso", "th_mediation sst_int_conjspec",
     "In 2015, when the local digital roadmap footprints were being drawn, I knew the "
     "national team wanted them to match the emerging planning footprints. So I steered our "
     "CCGs towards that shape early, before they had fallen out about it."),
    ("ccg", "pp_gp_practice_mgr", "sst_out_unintended th_reorg_memory",
     "After 2013 we did not know who to call when the N3 line went down. The PCT had always "
     "sorted it; then there was the CSU, the area team, the HSCIC, and each one said it was "
     "someone else. The practice was offline for two days."),
    ("ccg", "pp_trust_cio pp_clinician", "th_local_ownership sst_ag_strategic",
     "When the programme was dismantled in 2011 we took the decision to procure our own "
     "electronic record. For the first time the clinicians chose the system, and that "
     "changed everything about adoption."),
    ("ccg", "pp_trust_cio", "th_workforce sst_ag_concerns",
     "The Tech Fund bids in 2013 and 2014 needed business cases in six weeks. We did not "
     "have the people to write them and run the hospital. I chose to keep the service safe "
     "and we missed the first round."),
    ("ccg", "pp_gp_practice_mgr", "sst_ag_resist th_data_ig",
     "Care.data in 2014 was the low point. Our GPs simply refused to be the face of it. "
     "Several partners opted out their whole list on principle, and the practice put up a "
     "notice telling patients how to opt out themselves."),
    ("ccg", "all", "th_data_ig sst_ext_independent",
     "The pause of care.data in February 2014 was decided nationally, and whatever we had "
     "prepared locally just stopped. The leaflets were in the waiting room and then they "
     "were wrong."),
    ("ccg", "pp_gp_practice_mgr", "sst_ext_ppr th_local_ownership",
     "Before 2013 I knew the PCT IT manager by first name, she came to the practice. After "
     "the reorganisation it was a ticket to a CSU service desk in {place}, forty miles away. "
     "The practice felt the system was not ours any more."),
    ("ccg", "pp_supplier", "th_supplier_contracts sst_out_reproduce",
     "When the programme ended, the contracts did not. The BT and CSC contracts ran on to "
     "2015 and beyond, renegotiated each time, so the market structure stayed exactly as it "
     "had been. Very little actually changed for us commercially."),
    ("ccg", "macro meso", "th_funding sst_ext_irresistible",
     "The Integrated Digital Care Fund in 2014 was competitive, so every organisation "
     "bid for the same national priorities whether they fitted or not. Not bidding meant "
     "no capital at all."),
    # -- stp_ics: 2016-2022
    ("stp_ics", "macro", "th_central_local sst_out_intended",
     "Wachter in 2016 said: do not repeat the national programme, fund trusts in phases and "
     "let them choose. The Global Digital Exemplars were exactly that, and for the "
     "exemplar trusts it worked as intended."),
    ("stp_ics", "macro", "th_standards_interop th_central_local",
     "NHSX in 2019 was meant to be the standards body. Our view was that the centre should "
     "mandate open APIs and FHIR profiles and leave the product choice local. Standards "
     "nationally, choice locally; that was the settlement we were trying to reach."),
    ("stp_ics", "macro", "th_accountability sst_out_intended",
     "What Good Looks Like in 2021 gave us a framework we could actually assess systems "
     "against. For the first time the ICSs had a shared definition of digital maturity, "
     "and the boards started asking about it."),
    ("stp_ics", "macro", "th_standards_interop sst_ag_strategic",
     "GP IT Futures replaced GPSoC around 2019 and 2020. We deliberately wrote the "
     "interoperability standards into the framework so that any new supplier had to "
     "expose the record through the national APIs."),
    ("stp_ics", "meso", "th_mediation sst_int_conjspec",
     "The STP footprint in 2016 had no legal form at all. I knew that if the digital plan "
     "belonged to the footprint it belonged to nobody, so I got each CCG and trust to sign "
     "the roadmap as their own. That was the only way it would survive."),
    ("stp_ics", "meso", "sst_ext_ppr th_mediation",
     "Our STP had a CIO group of nine organisations, two councils, the CSU and us. My role "
     "was to broker: the acute trust wanted a shared care record on its platform, the "
     "mental health trust wanted anything but. I spent 2017 and 2018 in that room."),
    ("stp_ics", "meso", "th_reorg_memory sst_int_conjspec",
     "The CCG mergers between 2019 and 2021 were 2013 again on a smaller scale. Every "
     "merger, the new organisation forgot what the old ones had agreed about GP IT. I kept "
     "my own archive because I knew nobody else would."),
    ("stp_ics", "meso", "th_funding sst_ext_irresistible",
     "The money came through the ICS with national conditions attached. Frontline "
     "digitisation funding in 2021 was tied to an EPR milestone, so the system had to "
     "prioritise whichever trust could hit it, not whichever needed it most."),
    ("stp_ics", "meso", "th_mediation sst_ag_strategic",
     "In 2020, when Covid hit, we moved every practice on the patch to video consultation "
     "in about three weeks. We did it by ignoring half the national process and just "
     "getting laptops out. The region signed it off afterwards."),
    ("stp_ics", "pp_regional_prog", "sst_ext_ppr th_accountability",
     "From 2018 the joint regional teams were the translators. I would sit between the "
     "national digital team and the STP leads, and in practice we ran the assurance: "
     "maturity returns, milestone reports, the lot."),
    ("stp_ics", "pp_trust_cio", "th_workforce sst_out_unintended",
     "WannaCry in May 2017 showed us how thin we were. We had two network people for eight "
     "thousand devices. The national response was more assurance returns, which took the "
     "same two people away from patching."),
    ("stp_ics", "pp_trust_cio pp_clinician", "th_local_ownership sst_ag_strategic",
     "We were a fast follower in 2017. What I did was insist our clinicians redesigned the "
     "order sets themselves rather than take the exemplar's. It slowed us down by six "
     "months and it is the reason the system is used."),
    ("stp_ics", "pp_trust_cio", "sst_ag_resist th_accountability",
     "The digital maturity self-assessment in 2016 was a game. We filled it in to look "
     "mature enough to get funding and immature enough to need it. Everybody did."),
    ("stp_ics", "pp_clinician", "th_workforce th_local_ownership",
     "Since I became CCIO in 2017 the biggest problem has been time. Clinicians want to "
     "shape the system, but there are no sessions in the job plan for it. The informatics "
     "work gets done in the evenings."),
    ("stp_ics", "pp_gp_practice_mgr", "sst_out_unintended th_supplier_contracts",
     "GP IT Futures was meant to widen choice, but for a practice like ours in 2021 the "
     "cost of switching was a month of chaos. So nobody switched, and the market looks the "
     "same as it did in 2010."),
    ("stp_ics", "pp_gp_practice_mgr", "sst_ag_resist th_workforce",
     "When online consultation became compulsory in 2019 we bought the cheapest tool and "
     "switched it off at lunchtime. We had two receptionists for eleven thousand patients; "
     "we could not triage an open inbox all day."),
    ("stp_ics", "pp_supplier", "th_supplier_contracts th_central_local",
     "The market after 2016 was trust-by-trust procurement again, frameworks everywhere. "
     "Commercially it was better for the big vendors: the trusts had less leverage than the "
     "centre had ever had."),
    ("stp_ics", "all", "th_funding sst_int_horizon",
     "The four point two billion announced in 2016 sounded enormous, but only a fraction "
     "was new. When we planned, the real choice was between the two or three things we "
     "could afford; nothing more ambitious was even on the table."),
    # -- icb: 2022 onwards
    ("icb", "macro", "th_data_ig th_central_local",
     "The Federated Data Platform in 2023 was a national procurement again, but for data "
     "rather than records. The centre chose the platform; the trusts and ICBs decide whether "
     "to use it. The information governance argument was the hardest part."),
    ("icb", "macro", "th_accountability sst_out_intended",
     "When NHS Digital merged into NHS England in February 2023 the aim was one line of "
     "accountability for national digital delivery. On that measure it worked: one "
     "director, one plan, one set of metrics."),
    ("icb", "macro", "th_standards_interop sst_out_intended",
     "By 2024 the national record locator and the shared care record standards were in "
     "place across most ICSs. It took twenty years, but a clinician can now see a "
     "summary from another organisation almost everywhere, which was always the intent."),
    ("icb", "pp_commiss_digital", "th_data_ig th_accountability",
     "Since July 2022 the ICB is the accountable body for the shared care record, so every "
     "data sharing agreement comes through us. I spend more time on information governance "
     "than on technology, and the board wants assurance on all of it."),
    ("icb", "meso", "th_mediation th_data_ig",
     "When the Federated Data Platform arrived in 2023 the trusts looked to the ICB for "
     "a view. We translated the national offer into something their Caldicott guardians "
     "could sign off, and carried their concerns back up."),
    ("icb", "meso", "th_reorg_memory sst_int_conjspec",
     "And now in 2025 the ICBs are told to halve running costs and cluster, twenty-six "
     "clusters for forty-two boards. I have been through 2006, 2013 and 2022; I know "
     "exactly what gets lost, and it is always the people who remember why."),
    ("icb", "pp_commiss_digital", "sst_ext_ppr th_accountability",
     "In the ICB the reporting lines run everywhere: the region wants assurance, the "
     "provider collaborative wants autonomy, the council wants a say. {colleague} and I "
     "spend more time on the governance of digital than on digital."),
    ("icb", "pp_commiss_digital", "sst_int_conjspec th_funding",
     "In 2024 I knew the capital would be allocated to trusts with an EPR gap, so we put "
     "the community trust's case first. Reading where the money will land is half the job "
     "at ICB level."),
    ("icb", "meso", "th_reorg_memory th_workforce",
     "The 2025 running-cost cut means the digital team goes from eleven to six. The people "
     "leaving are the ones who set up the shared care record; the ones staying will inherit "
     "it with no history."),
    ("icb", "pp_trust_cio pp_clinician", "th_data_ig sst_ag_resist",
     "Some of our consultants refused to record into the shared care record until the "
     "data sharing agreement was rewritten in 2023. They were right to push; the first "
     "version let far too many organisations see mental health notes."),
    ("icb", "pp_trust_cio pp_clinician", "sst_out_unintended th_accountability",
     "The ICB assurance process in 2023 means we report the same digital metrics to the "
     "ICB, the region and the national team, in three formats. The reporting has become "
     "the work."),
    ("icb", "pp_trust_cio", "th_workforce sst_ag_concerns",
     "I lost three informatics staff to the ICB in 2022 when it recruited. I put patient "
     "safety first: the EPR support rota stays staffed, and the strategy work waits."),
    ("icb", "pp_trust_cio pp_clinician", "th_local_ownership sst_out_change",
     "The EPR we chose in 2022 was chosen by the clinicians, tested by the clinicians, and "
     "the go-live in 2024 was led by nurses. It changed how the trust sees IT, as clinical "
     "work rather than something the IT department does to people."),
    ("icb", "pp_gp_practice_mgr", "th_data_ig sst_ag_concerns",
     "In 2023 the national data extraction worried our patients more than anything since "
     "care.data. I made sure every patient who asked got the opt-out form, because the "
     "practice relationship matters more to me than the numbers."),
    ("icb", "pp_gp_practice_mgr pp_csu_it", "th_supplier_contracts sst_ext_ppr",
     "Since the ICB took over GP IT in 2022, the practice deals with the ICB for funding, "
     "the CSU for the service desk and the supplier for the clinical system. Three "
     "relationships for one computer."),
    ("icb", "all", "th_accountability sst_ext_independent",
     "The announcement in March 2025 that NHS England would be abolished changed the "
     "landscape again overnight. None of us had any say in it, and every plan we had was "
     "suddenly provisional."),
    # -- more voices, added so that every participant has enough to say
    ("npfit", "macro", "th_central_local sst_int_gendisp",
     "I had run procurement in the private sector before 2002, and I brought that "
     "mindset with me: aggregate demand, use the buying power of the whole NHS, hold the "
     "suppliers to fixed prices. Whether that was right for a health service is another "
     "question, but it was how we all thought in those first years."),
    ("npfit", "macro", "th_standards_interop sst_out_unintended",
     "The message standards we set for the Spine in 2004 were meant to be the common "
     "language. What we did not foresee was that every supplier would implement them "
     "slightly differently, so by 2008 we had national standards and local dialects, "
     "and the integration work never went away."),
    ("npfit", "macro", "th_accountability th_central_local",
     "In 2006 the ministers wanted numbers, so we published deployment counts every "
     "month. It put enormous pressure on the SHAs and the suppliers, and it made the "
     "centre look in control, which, frankly, was part of the point."),
    ("ccg", "macro", "th_standards_interop sst_ag_strategic",
     "When the HSCIC was set up in 2013 we made a conscious choice to put the national "
     "standards into the new body rather than leave them scattered. The ISB standards and "
     "the data dictionary went there, and we wrote them into the 2014 framework."),
    ("ccg", "macro", "sst_out_intended th_data_ig",
     "Patient online access to GP records by 2015 was one of the few promises in the "
     "Power of Information that was actually met on time. The suppliers were told, the "
     "contracts were changed, and the practices switched it on."),
    ("stp_ics", "macro", "th_central_local sst_int_horizon",
     "By 2019 nobody in the centre would say the words national procurement. Even when "
     "it was obviously the cheapest option, it was not something we could propose; the "
     "memory of the programme closed that door."),
    ("stp_ics", "macro", "th_funding th_central_local",
     "The Long Term Plan in January 2019 put the digital money through the ICSs for the "
     "first time. The idea was that the system would decide, but the centre still wrote "
     "the conditions, so it was localism with national strings."),
    ("icb", "macro", "th_central_local sst_out_change",
     "Abolishing NHS England in 2025 brings the digital function back into the "
     "department. For the first time since 2013 the people who write the strategy and "
     "the people who fund it will sit in the same organisation."),
    ("icb", "macro", "th_data_ig sst_out_intended",
     "The secure data environments in 2023 were designed so that researchers came to the "
     "data rather than the data going out. In the regions that adopted them early that is "
     "exactly what happened."),
    ("", "macro", "th_accountability sst_int_gendisp",
     "I have always thought that what gets measured gets done, and I still do. The trick "
     "is measuring the right thing, and in NHS IT we measured deployments when we should "
     "have measured use."),
    ("npfit", "meso", "sst_int_conjspec sst_ag_strategic",
     "By 2009 it was clear to anyone who sat in the cluster meetings that Lorenzo would "
     "not reach most of our trusts. So I started, quietly, helping two of them prepare "
     "their own business cases for when the programme let them go."),
    ("ccg", "meso", "th_mediation sst_ext_ppr",
     "The CCGs in 2014 expected the CSU to be a supplier like any other, and the "
     "practices expected us to be the old PCT. We were neither, and I spent most of that "
     "year explaining to each side what the other one wanted."),
    ("stp_ics", "meso", "th_reorg_memory sst_ext_ppr",
     "When we became an ICS in 2021, the digital board was the fourth such group I had "
     "chaired for the same patch: the SHA IM&T group, the CCG forum, the STP CIO group, "
     "now the ICS board. Same faces, mostly, new terms of reference every time."),
    ("icb", "meso", "th_mediation sst_int_conjspec",
     "With the 2025 blueprint the ICB becomes a strategic commissioner, so delivery goes "
     "to the providers. I already know which trust will want to host the shared care "
     "record and which will refuse, and I am trying to broker that before the cluster "
     "forms."),
    ("npfit", "pp_trust_cio", "sst_ext_irresistible sst_ag_concerns",
     "I could have refused to sign the acceptance certificate in 2008. But the trust was "
     "in financial turnaround, and the SHA made it clear what refusing would mean. So I "
     "signed, and I wrote a letter setting out my concerns, which is all I could do."),
    ("ccg", "pp_trust_cio", "sst_out_unintended th_funding",
     "The tariff did not pay for IT, so after 2013 every digital project competed with "
     "nurses. The unintended result was that we ran the 2003 network kit until 2016."),
    ("stp_ics", "pp_trust_cio", "sst_ag_resist th_central_local",
     "When the STP wanted a single patient administration system across the footprint in "
     "2018, our board simply did not put it on the agenda. We had just replaced ours. "
     "Nobody said no; it just never happened."),
    ("icb", "pp_trust_cio pp_clinician", "th_workforce sst_out_unintended",
     "The frontline digitisation money in 2022 paid for the system but not for the "
     "people. We had an EPR and a third of the trainers we needed, and the clinicians "
     "learned it from each other, badly."),
    ("", "pp_trust_cio pp_clinician", "th_local_ownership sst_ag_strategic",
     "What works, in my experience, is letting a ward go first and show the others. We "
     "did that with every system I have been responsible for, whatever the programme said "
     "about big-bang go-lives."),
    ("", "pp_gp_practice_mgr", "sst_ag_routine sst_ext_sociotech",
     "Most days the system runs us rather than us running it. The templates, the alerts, "
     "the QOF fields: we fill them in because they are there, and after a while you stop "
     "noticing."),
    ("stp_ics", "pp_gp_practice_mgr", "th_funding sst_ext_ppr",
     "In 2021 the Covid money for laptops came through the CCG, which asked the CSU, "
     "which asked us how many. It took three months, and in the meantime we bought our "
     "own."),
    ("", "pp_supplier", "th_supplier_contracts sst_int_gendisp",
     "I am a commercial person, I have never pretended otherwise. But you cannot sell to "
     "the NHS for fifteen years without caring whether the thing works for the nurse."),
    ("stp_ics", "pp_supplier", "sst_ext_ppr th_standards_interop",
     "By 2019 the customer was the trust, the standard-setter was NHSX and the assurance "
     "was NHS Digital. We had three sets of requirements again, just with different "
     "names from the Connecting for Health days."),
    ("", "pp_clinician", "th_local_ownership sst_ag_concerns",
     "As a clinician my loyalty is to the patient first, the team second, and the "
     "organisation a distant third. Any system that does not respect that order will be "
     "worked around."),
    ("icb", "pp_clinician", "th_standards_interop sst_out_unintended",
     "The shared care record in 2023 gave me the GP medication list, which is wonderful, "
     "but it is a picture of the record, not the record. I still ring the practice when "
     "it matters."),
    ("ifh", "meso", "th_standards_interop sst_int_conjspec",
     "In 1999 the health authority had to sign off each trust's EPR level plan. I knew "
     "that level three was what the region would accept, so every plan I saw said level "
     "three by 2005, whatever the trust could really do."),
    ("ifh", "macro", "sst_int_horizon th_central_local",
     "Even in 2000 the conversation at the centre was moving towards a national solution. "
     "Local implementation had been tried for two years and the options we were looking "
     "at were all, in one way or another, about taking the decisions away from trusts."),
    ("npfit", "pp_sha_it", "th_accountability sst_ext_ppr",
     "From 2007 the SHA was performance-managed on deployments by Connecting for Health, "
     "and we in turn performance-managed the trusts. I had a spreadsheet of go-live dates "
     "that {colleague} reviewed every Monday, and every slip was a conversation."),
    ("ccg", "pp_sha_it", "th_reorg_memory sst_ag_strategic",
     "In the last year of the SHA, 2012, I made a point of writing everything down: every "
     "contract, every local agreement, why each decision had been taken. I boxed it up "
     "for whoever came next. As far as I know nobody ever opened the boxes."),
    ("ccg", "pp_commiss_digital", "th_funding th_mediation",
     "When the CCG was authorised in 2013 we had a GP IT budget and no idea what it had "
     "been spent on. I sat with the practice managers one by one and built the picture "
     "up, and then argued it upwards to the area team."),
    ("stp_ics", "pp_commiss_digital", "sst_int_conjspec th_standards_interop",
     "I knew in 2018 that the national team would fund shared care records only if they "
     "met the new interoperability standards, so our business case was written around "
     "the standards first and the clinical benefits second."),
    ("icb", "pp_commiss_digital pp_csu_it", "th_accountability sst_ext_irresistible",
     "The ICB's digital strategy in 2023 had to follow the national template, with the "
     "What Good Looks Like headings, or the region would not sign it off. We could have "
     "written our own; nobody wanted to be the ICB that failed assurance."),
    ("npfit", "pp_trust_cio pp_clinician", "sst_ext_sociotech sst_out_unintended",
     "The national PAS hard-coded the way outpatient clinics were built, templates fixed "
     "by the supplier. When it went live in 2009 our booking staff lost half their "
     "flexibility, and the waiting lists grew in ways nobody had modelled."),
    ("ccg", "pp_trust_cio", "th_supplier_contracts sst_ag_strategic",
     "Once we were free of the LSP in 2012, I ran a proper procurement with clinicians "
     "on the panel. It took eighteen months, which the board hated, but we got a contract "
     "we could actually exit."),
    ("stp_ics", "pp_trust_cio", "th_funding sst_ext_irresistible",
     "The exemplar money in 2017 came with a fixed timetable from the centre. We could "
     "have waited and done it properly, but turning down ten million pounds was not a "
     "choice any board would let me make."),
    ("icb", "pp_trust_cio", "th_data_ig th_workforce",
     "The cyber requirements since 2022 are entirely reasonable, and I have one person "
     "to meet them. Information governance has gone from a part-time job to the thing "
     "that keeps me awake."),
    ("ccg", "pp_gp_practice_mgr", "sst_out_unintended th_supplier_contracts",
     "When GPSoC was extended in 2014 the supplier put up the prices for the extras, "
     "and the CCG would not fund them. So we lost the text reminder service, and the "
     "missed appointments went up."),
    ("icb", "pp_gp_practice_mgr", "th_workforce sst_out_unintended",
     "The new digital roles funded through the network in 2022 were meant to help, but "
     "the care navigator we recruited spent her first six months on the ICB's reporting "
     "templates rather than on patients."),
    ("stp_ics", "pp_clinician", "th_local_ownership sst_out_change",
     "When I became CCIO in 2017 I insisted that every configuration decision went "
     "through a clinical design group. Four years on, that group is how the trust makes "
     "decisions about systems, and that is a real change."),
    ("ccg", "pp_clinician", "sst_ag_resist th_local_ownership",
     "The electronic discharge summary in 2014 was so slow that the junior doctors "
     "carried on writing paper ones and typing them in later. Nobody told them to; it was "
     "the only way to get patients home."),
    ("ccg", "pp_national_exec", "th_reorg_memory sst_out_unintended",
     "We closed Connecting for Health in March 2013 and moved the people to the HSCIC "
     "and NHS England. The unintended effect was that the programme's own memory was "
     "split across three organisations, and nobody owned the lessons."),
    ("stp_ics", "pp_national_exec", "th_standards_interop sst_out_intended",
     "When NHSX was created in 2019 we put the interoperability standards on a statutory "
     "footing in the contracts. Within two years new suppliers could not sell into the "
     "NHS without open interfaces, which is what we set out to do."),
    ("icb", "pp_national_exec", "th_accountability th_central_local",
     "In 2024 we set every ICB a minimum digital foundation and a deadline. Some of my "
     "colleagues called it the national programme by another name; I would call it "
     "accountability for public money."),
    ("ccg", "macro", "th_funding sst_ext_independent",
     "The 2010 spending review froze the budgets, and from 2011 there was simply no "
     "central capital for local systems. Whatever the strategy said about choice, the "
     "Treasury had already decided how much choice there would be."),
    ("stp_ics", "macro", "th_data_ig sst_out_unintended",
     "The national data opt-out in 2018 was meant to settle the consent question after "
     "care.data. What it actually did was make every new data flow a fresh argument, and "
     "some useful flows simply stopped."),
    ("icb", "macro", "th_funding th_accountability",
     "Since 2022 the capital has been allocated through the ICBs with a digital "
     "minimum attached. We hold the ICB to account and the ICB holds the trusts; that "
     "chain is the whole model."),
    ("", "macro", "sst_int_horizon th_accountability",
     "From the centre you see a map, not a hospital. The choices in front of you are "
     "about coverage, targets and contracts, and the ward is something you hear about in "
     "reports."),
    # -- position-specific voices: practice managers, clinicians, CIOs, PCT and SHA leads
    ("ifh", "pp_gp_practice_mgr", "th_standards_interop sst_ag_routine",
     "We got our first NHSnet connection in 1999 and nobody used it for six months, "
     "because the hospital still sent every letter by post. We printed, we scanned, we "
     "filed, exactly as before, just with a new box on the desk."),
    ("npfit", "pp_gp_practice_mgr", "th_local_ownership sst_ag_resist",
     "In 2009 the PCT offered us the national system free of charge if we left our "
     "supplier. The partners voted against it in about ten minutes. The system we had was "
     "ours, it worked, and nobody was going to take it away for a pilot."),
    ("ccg", "pp_gp_practice_mgr", "sst_ag_resist th_data_ig",
     "In 2013 the CCG asked every practice to sign a data sharing agreement for the risk "
     "stratification tool. I read it twice and still could not tell who would see what, "
     "so we held off for six months until the LMC gave a view."),
    ("ccg", "pp_gp_practice_mgr", "sst_out_unintended th_local_ownership",
     "Our system migration in 2015 was done by the CSU over a weekend. Nobody asked us "
     "when the flu clinics were. We lost the appointment templates and spent a month "
     "rebuilding them by hand."),
    ("ccg", "pp_gp_practice_mgr", "sst_ag_resist th_accountability",
     "The 2015 online booking target meant we had to offer appointments online. I put "
     "exactly one appointment a day online, which met the target and did not upset the "
     "doctors."),
    ("stp_ics", "pp_gp_practice_mgr", "th_local_ownership sst_out_change",
     "In 2020 we went to total triage almost overnight. The online consultation tool came "
     "from the national framework, but the way we run it, the rota, the wording on the "
     "website, that is ours, and the patients know it."),
    ("stp_ics", "pp_gp_practice_mgr", "th_workforce sst_out_unintended",
     "Our receptionists learned the new system in 2019 from a video. There was no trainer, "
     "no floor walker, nothing, because the CSU training team had been cut the year before."),
    ("stp_ics", "pp_gp_practice_mgr", "th_local_ownership sst_ag_resist",
     "The primary care network in 2019 was supposed to share staff and systems across five "
     "practices. In practice each practice kept its own settings and its own way of doing "
     "things, and the network's IT lead spent her time reconciling them."),
    ("icb", "pp_gp_practice_mgr", "sst_ext_irresistible th_funding",
     "The cloud telephony money in 2023 came with a national specification, an approved "
     "supplier list and a deadline. We would have chosen differently, but without the "
     "subsidy we could not afford to change at all."),
    ("icb", "pp_gp_practice_mgr pp_clinician", "sst_out_unintended sst_ext_sociotech",
     "When the NHS App started showing test results to patients in 2023, some saw them "
     "before we did. Nobody had thought about what a practice does when a frightened "
     "patient rings at eight in the morning about a result no doctor has read."),
    ("", "pp_gp_practice_mgr", "sst_ag_resist sst_int_gendisp",
     "A practice is a small business. The partners decide, and if a national system does "
     "not suit them, they find a way round it. I have spent my career helping them do "
     "that without breaking the contract."),
    ("", "pp_gp_practice_mgr", "th_workforce",
     "Staff turnover is the real problem. I train a receptionist on the clinical system, "
     "and a year later she has gone to the hospital for more money, and I start again."),
    ("npfit", "pp_clinician", "th_local_ownership sst_out_unintended",
     "As a registrar in 2007 I remember the new PAS going live on a Monday. By Wednesday "
     "we were writing clinic lists on the whiteboard. Nobody had asked us; it was simply "
     "done to the hospital."),
    ("ccg", "pp_clinician", "th_workforce sst_int_gendisp",
     "In 2012 I joined the trust's clinical reference group for the new record because "
     "nobody else would. Looking back, that is when I became an informatician, entirely "
     "by accident."),
    ("stp_ics", "pp_clinician", "sst_out_unintended sst_ext_sociotech",
     "Electronic prescribing went live in 2018 and the alerts fired on everything. Within "
     "a month the junior doctors clicked through every one without reading. We had built "
     "a safety feature that trained people to ignore safety features."),
    ("stp_ics", "pp_clinician", "th_workforce th_accountability",
     "The CCIO role has no real workforce plan behind it. In 2019 I had two sessions a "
     "week and no team, and the board expected me to lead the whole optimisation "
     "programme and report on it monthly."),
    ("icb", "pp_clinician", "th_local_ownership sst_out_change",
     "Since 2023 there has been a clinical safety officer network across the system, and "
     "the clinicians own the hazard logs. That was unthinkable in the national programme "
     "days."),
    ("", "pp_clinician", "sst_ag_resist sst_ag_concerns",
     "I will use any system that saves me time with the patient, and I will find a way "
     "round any system that costs me that time. Most doctors are the same."),
    ("imt", "pp_trust_cio", "th_local_ownership th_funding",
     "In 1997 the trust had no patient system at all. I bought one with year-end money and "
     "a lot of goodwill from the consultants, and it ran, patched and patched again, for "
     "fifteen years."),
    ("stp_ics", "pp_trust_cio", "sst_out_unintended th_workforce",
     "In 2018 we outsourced the service desk to save money. Within a year the ward staff "
     "had stopped reporting faults, because nobody who answered the phone knew the wards."),
    ("ccg", "pp_trust_cio", "sst_ag_routine th_accountability",
     "When the HSCIC asked for the 2014 data quality returns we did them by hand, "
     "because our systems could not produce them. The figures meant very little, and "
     "everyone on both sides knew it."),
    ("", "pp_trust_cio", "sst_int_gendisp sst_ag_resist",
     "I have always seen the CIO job as protecting the clinicians from the programmes: "
     "take what is useful from the centre and shield the wards from the rest."),
    ("ifh", "pp_commiss_digital", "sst_int_conjspec sst_ext_ppr",
     "The primary care groups in 1999 each wanted their own IT lead, so I ended up serving "
     "four boards. I learned quickly which GP chair needed a briefing paper and which "
     "needed a phone call."),
    ("npfit", "pp_commiss_digital", "th_mediation sst_ext_ppr",
     "At the PCT in 2007 I was the person who explained the Summary Care Record to the "
     "practices. The SHA sent the slides; I rewrote them so that a practice manager could "
     "follow them, and I took their questions back up."),
    ("ccg", "pp_commiss_digital", "th_reorg_memory sst_int_conjspec",
     "When the PCT was abolished in March 2013 I moved to the CCG with a laptop and a "
     "spreadsheet of contracts. The knowledge of why things were as they were left with "
     "the people who took redundancy."),
    ("ccg", "pp_commiss_digital pp_csu_it", "th_mediation sst_ext_ppr",
     "The local digital roadmap in 2016 was written by the CCG, but it was only real "
     "because I had got the trust CIOs to agree the universal capabilities first, one by "
     "one, over coffee."),
    ("ifh", "meso", "sst_int_conjspec sst_ag_strategic",
     "In 2001 the region asked each health authority to nominate an IM&T lead for the new "
     "strategy. I could see the job would become a post in the new strategic health "
     "authorities, so I took it."),
    ("npfit", "pp_sha_it pp_regional_prog", "th_mediation sst_ext_independent",
     "When Fujitsu left the South in 2008, I had to tell eleven trusts that their go-live "
     "dates were gone. My job that summer was keeping them from buying something on their "
     "own before the centre had decided what came next."),
    ("ccg", "pp_sha_it", "th_reorg_memory th_workforce",
     "In the SHA cluster in 2012 we were four SHAs pretending to be one. Half the "
     "informatics staff had already left, and the other half were applying for jobs in "
     "organisations that did not exist yet."),
    ("ccg", "micro", "sst_ag_routine th_accountability",
     "After the 2013 changes every new form came from a different body: NHS England for "
     "the contract, the CCG for the local schemes, the CSU for the IT. We filled them all "
     "in, and as far as I could tell nobody read them."),
    ("stp_ics", "micro", "sst_out_unintended th_workforce",
     "During Covid in 2020 we did two years of digital change in two months. Afterwards "
     "some of it was rolled back, not because it failed but because nobody had the time "
     "to keep it going."),
    ("stp_ics", "pp_gp_practice_mgr", "th_supplier_contracts sst_ag_concerns",
     "When the GP IT Futures catalogue arrived in 2020 I sat with the partners and the "
     "catalogue for an afternoon. We chose to stay put: switching would have cost us more "
     "in lost appointments than the new system could ever give back."),
    ("icb", "pp_gp_practice_mgr", "th_local_ownership sst_ext_ppr",
     "Since the ICB took over in 2022 the GP IT money is decided further away than ever. "
     "The digital team is very good, but they cover two million people, and our practice "
     "is a line on a spreadsheet."),
    ("icb", "micro", "th_workforce sst_out_unintended",
     "The cyber security training has been mandatory since 2023, and it is one more thing "
     "the staff do at home in the evening, because there is no time in the working day."),
    # -- no particular era: dispositions, reflections
    ("", "all", "sst_int_gendisp",
     "I came into the NHS as a clinician, and I still think like one. Whatever the "
     "programme, my first question is what it does to the patient and the person treating "
     "them. That has not changed in thirty years."),
    ("", "macro", "sst_int_gendisp th_central_local",
     "I have always believed that the NHS needs common national infrastructure, like roads. "
     "You do not let every town design its own traffic lights. I brought that view into "
     "every post I held."),
    ("", "macro", "th_standards_interop sst_int_horizon",
     "Looking back, the options we considered were always national options. A federated "
     "approach built on standards was discussed, but it was never seriously on the table "
     "in the rooms I was in."),
    ("", "macro", "sst_out_intended th_central_local",
     "People forget what the centre achieved. The NHS number is used everywhere, there "
     "is one national network, one national email, one national identity for staff. Those "
     "were intended, and they happened."),
    ("", "meso", "th_mediation sst_int_gendisp",
     "I have always seen the job as interpreting. The centre speaks one language and the "
     "practices another, and somebody has to stand in the middle and translate both ways. "
     "I think that is what the intermediate tier is for."),
    ("", "meso", "th_reorg_memory sst_int_horizon",
     "Every reorganisation narrows what you can imagine. When you know the organisation "
     "will be abolished in eighteen months, you only consider things you can finish in "
     "eighteen months."),
    ("", "meso", "sst_ext_ppr sst_int_conjspec",
     "The job is knowing people. Who the trust CIO trusts, who the GP chair listens to, "
     "which supplier account manager will pick up the phone. That knowledge does not "
     "survive a restructure; it lives in people."),
    ("", "meso", "th_reorg_memory sst_out_reproduce",
     "The same people keep turning up with new badges. The PCT head of IT becomes the CSU "
     "lead becomes the ICB digital director. So the structure changes but the practice "
     "underneath it reproduces itself."),
    ("", "micro", "th_local_ownership sst_int_gendisp",
     "I believe systems have to belong to the people using them. If the ward sister has "
     "not had a say, it will fail, however good the software is."),
    ("", "micro", "sst_ag_resist sst_int_gendisp",
     "Every national programme, we have kept a workaround in the drawer. It is not "
     "defiance; it is that the service has to run on Monday whatever the centre decides."),
    ("", "micro", "th_workforce sst_out_unintended",
     "Each national initiative pulls the same few people off the day job. The unintended "
     "effect is that the basic systems go unmaintained while everyone works on the new "
     "thing."),
    ("", "all", "th_funding sst_ag_concerns",
     "Money always decided the order of things. Whatever the strategy said, the question in "
     "the room was what we could afford this year without cutting services."),
])

#: Uncoded lead-ins that make answers sound spoken; they are not part of any segment.
_LEAD_INS = ("", "", "", "Yes.", "Right.", "Well, it's a good question.", "Hmm.",
             "Oh, that takes me back.", "Honestly?", "Let me think.", "So.",
             "I'd put it like this.", "Yes, absolutely.")

_ERA_PERIOD = {
    "imt": "the early and mid-1990s, the IM&T strategy years",
    "ifh": "the years after Information for Health in 1998",
    "npfit": "the National Programme for IT years, from 2002",
    "ccg": "the dismantling of the programme in 2011 and the 2013 reorganisation",
    "stp_ics": "the STP and ICS years after 2016",
    "icb": "the integrated care boards, since 2022",
}

#: What the interviewer says to set the scene before an era question (from the timeline).
_ERA_CONTEXT = {
    "imt": ("The 1992 IM&T strategy talked about person-based records and NHS-wide "
            "networking.",
            "In the mid-nineties the health authorities and GP fundholding were the big "
            "structures."),
    "ifh": ("Information for Health came out in 1998, with electronic records by levels "
            "and local implementation strategies.",
            "The years around 2000 had NHSnet, ERDIP and the local implementation "
            "strategies."),
    "npfit": ("The 2002 strategy set out central specification and procurement, and the "
              "cluster contracts followed in 2003 and 2004.",
              "In 2006 the strategic health authorities went from twenty-eight to ten and "
              "the PCTs to a hundred and fifty-two."),
    "ccg": ("In September 2011 the programme was dismantled, and in April 2013 the SHAs "
            "and PCTs were abolished and CCGs and CSUs created.",
            "The Power of Information in 2012 talked about connecting rather than providing "
            "systems."),
    "stp_ics": ("In 2016 there were the STP footprints, the local digital roadmaps and the "
                "Wachter review.",
                "NHSX was created in 2019, and integrated care systems spread from 2018."),
    "icb": ("Integrated care boards took over from the CCGs in July 2022.",
            "In 2025 NHS England's abolition was announced and ICBs were asked to cut "
            "costs and cluster."),
}

_ERA_QUESTIONS = (
    "Can you take me back to {period}? What was your part in it?",
    "What do you remember most about {period}?",
    "How did things look from where you sat during {period}?",
    "Let's move on to {period}. What changed for you?",
)

_PROBES = (
    "Can you say more about that?",
    "Who else was involved in that decision?",
    "And how did that feel at the time?",
    "Was that typical, do you think?",
    "What happened next?",
    "Did anyone push back on that?",
    "How did the money work in that case?",
)

_REFLECTIVE_QUESTIONS = (
    "Stepping back from the dates: what do you think shaped how you approached all this?",
    "If you could say one thing to the people writing the next national strategy, what "
    "would it be?",
    "Looking across your career, what has stayed the same?",
)

#: Uncoded asides that follow an answer, as people digress when they talk.
_ASIDES = (
    "I remember the meeting, actually; it was in a portakabin behind the main building.",
    "I'm simplifying, of course; there were a dozen committees involved.",
    "People will tell you different versions of that, and they may be right.",
    "That's how it felt from my desk, anyway.",
    "It's funny, I haven't thought about that for years.",
    "I could show you the emails, if I still had them.",
    "And that was the pattern, really, again and again.",
    "I don't want to sound bitter about it; we all did our best.",
    "You'd have to check the exact dates; I'm going from memory.",
    "My colleagues at the time would say the same, I think.",
    "Nobody writes that down, of course, but everyone knew.",
    "It sounds obvious now. It wasn't obvious then.",
)

_FILLERS = (
    "Sorry, I've lost my thread. Where was I? Yes.",
    "I don't know if that answers your question.",
    "That's probably enough on that.",
)


# ---------------------------------------------------------------- composing interviews


@dataclass
class Turn:
    """One turn: who speaks, the parts said (joined by the layout), start in seconds."""

    speaker: str
    role: str
    parts: list[str]
    seconds: float = 0.0


@dataclass
class Interview:
    """A composed interview: its turns, and the ground truth of the coded utterances."""

    person: Person
    turns: list[Turn] = field(default_factory=list)
    truth: list[dict] = field(default_factory=list)


def _words(text: str) -> int:
    return len(text.split())


def _fill(text: str, rng: random.Random) -> str:
    return text.format(trust=TRUST, trust_short=TRUST_SHORT, place=rng.choice(PLACES),
                       colleague=rng.choice(COLLEAGUES))


def _eligible(template: Template, person: Person) -> bool:
    return ("all" in template.who or person.tier in template.who
            or person.position_practice in template.who)


def _weight(template: Template, person: Person) -> int:
    # A template written for the speaker's own position counts most, one for their tier
    # next, a generic one least: that is how tiers come to differ in the codes.
    if person.position_practice in template.who:
        return 6
    if person.tier in template.who:
        return 3
    return 1


def _draw(pool: list[Template], person: Person, rng: random.Random, k: int) -> list[Template]:
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, weights=[_weight(t, person) for t in pool])[0]
        pool.remove(pick)
        chosen.append(pick)
    return chosen


def compose_interview(person: Person, rng: random.Random, min_words: int = 1900,
                      max_words: int = 2700) -> Interview:
    """Compose one interview for ``person`` from the bank, drawing with ``rng``.

    Answers follow the eras the person worked through, oldest first, then reflective
    questions. The interview aims at a length drawn between ``min_words`` and
    ``max_words`` words of talk, and is shorter only if the person's templates run out.
    ``truth`` records each coded utterance with the 0-based index of its turn.
    """
    iv = Interview(person)
    who = "Respondent" if person.layout == "txt_labels" else person.name
    target = rng.randint(min_words, max_words - 250)

    def say(speaker, role, parts):
        iv.turns.append(Turn(speaker, role, parts))

    def answer(templates: list[Template]):
        parts = [rng.choice(_LEAD_INS)]
        for t in templates:
            text = _fill(t.text, rng)
            parts.append(text)
            iv.truth.append({"participant_id": person.participant_id,
                             "turn": len(iv.turns), "template_id": t.template_id,
                             "era": t.era, "codes": "|".join(t.codes), "text": text})
        if rng.random() < 0.45:
            parts.append(rng.choice(_ASIDES))
        say(who, "participant", [p for p in parts if p])

    def total() -> int:
        return sum(_words(p) for t in iv.turns for p in t.parts)

    say(person.interviewer_label, "interviewer",
        ["Thank you for talking to me. For the recording, could you say who you are, and "
         "describe your role and how you came to it?"])
    say(who, "participant",
        [f"Of course. I'm {person.name}, and I have been in and around the NHS for "
         f"{person.years_in_nhs} years. "
         f"These days I'd describe myself as {person.role}. Early on I worked at {TRUST}, "
         f"in {rng.choice(PLACES)}, and most of my jobs since have been in the same kind "
         "of work."])

    pool_by_era = {era: [t for t in BANK if t.era == era and _eligible(t, person)]
                   for era in person.eras}
    general = [t for t in BANK if not t.era and _eligible(t, person)]
    # Round-robin over the eras, oldest first: every era the person worked through gets
    # a question before any gets a second one.
    rounds = 0
    while total() < target and any(pool_by_era.values()):
        for era in person.eras:
            pool = pool_by_era[era]
            if not pool or total() >= target:
                continue
            if rounds == 0:
                q = (rng.choice(_ERA_CONTEXT[era]) + " "
                     + rng.choice(_ERA_QUESTIONS).format(period=_ERA_PERIOD[era]))
            else:
                q = f"Going back to {_ERA_PERIOD[era]} for a moment. {rng.choice(_PROBES)}"
            say(person.interviewer_label, "interviewer", [q])
            answer(_draw(pool, person, rng, rng.randint(1, 2)))
            if pool and total() < target and rng.random() < 0.6:
                say(person.interviewer_label, "interviewer", [rng.choice(_PROBES)])
                answer(_draw(pool, person, rng, 1))
        rounds += 1
    questions = list(_REFLECTIVE_QUESTIONS)
    while general and questions and total() < target + 150:
        say(person.interviewer_label, "interviewer", [questions.pop(0)])
        answer(_draw(general, person, rng, rng.randint(1, 2)))
        if rng.random() < 0.3:
            iv.turns[-1].parts.append(rng.choice(_FILLERS))
    say(person.interviewer_label, "interviewer",
        ["That's really helpful. Is there anything you'd like to add, or anything I should "
         "read?"])
    n = int(re.sub(r"\D", "", person.participant_id) or 0)
    say(who, "participant",
        [f"There's a set of old board papers I can dig out. Email {EMAILS[n % len(EMAILS)]} "
         f"or ring {PHONES[n % len(PHONES)]}, and if I'm not there ask for someone in "
         f"{rng.choice(COLLEAGUES)}'s team."])
    say(person.interviewer_label, "interviewer", ["Thank you very much. I'll stop the "
                                                  "recording there."])
    _timestamp(iv, rng)
    return iv


def _timestamp(iv: Interview, rng: random.Random) -> None:
    # About 2.5 words a second, with a short pause between turns.
    t = 1.0
    for turn in iv.turns:
        turn.seconds = t
        t += sum(_words(p) for p in turn.parts) / 2.5 + rng.uniform(0.5, 2.5)


def compose_study(seed: int = DEFAULT_SEED, people=PEOPLE) -> list[Interview]:
    """Compose every interview of the demo study; one seeded generator, no global state."""
    rng = random.Random(seed)
    return [compose_interview(p, rng) for p in people]


def demo_ground_truth(seed: int = DEFAULT_SEED):
    """The planted utterances of the demo study: what each participant said and its codes.

    Returns a DataFrame with ``participant_id, turn, template_id, era, codes, text``;
    ``codes`` are joined by ``|`` and ``text`` is the utterance before pseudonymisation.
    """
    import pandas as pd

    rows = [row for iv in compose_study(seed) for row in iv.truth]
    return pd.DataFrame(rows, columns=["participant_id", "turn", "template_id", "era",
                                       "codes", "text"])


# ---------------------------------------------------------------- rendering the formats


def _clock(seconds: float, sep: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _header(iv: Interview) -> str:
    return f"SYNTHETIC demo transcript {iv.person.participant_id}. {SYNTHETIC_NOTE}"


def render_text(iv: Interview) -> str | bytes:
    """Render ``iv`` in its person's layout: text for .txt/.md/.vtt/.srt, bytes for .docx."""
    return {"txt_labels": _txt_labels, "txt_service": _txt_service, "md": _md,
            "vtt": _vtt, "srt": _srt, "docx": _docx}[iv.person.layout](iv)


def _txt_labels(iv: Interview) -> str:
    # "Interviewer:" / "Respondent:" labels; each utterance of a turn on its own line.
    lines = [_header(iv), ""]
    for t in iv.turns:
        lines.append(f"{t.speaker}: " + "\n".join(t.parts))
        lines.append("")
    return "\n".join(lines)


def _txt_service(iv: Interview) -> str:
    # Transcription-service export: "Name  00:01:02" on its own line, then the talk.
    lines = [_header(iv), ""]
    for t in iv.turns:
        lines += [f"{t.speaker}  {_clock(t.seconds)[:8]}", " ".join(t.parts), ""]
    return "\n".join(lines)


def _md(iv: Interview) -> str:
    lines = [f"# {_header(iv)}", ""]
    for t in iv.turns:
        lines += [f"**{t.speaker}:** " + " ".join(t.parts), ""]
    return "\n".join(lines)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cues(iv: Interview):
    """(start, end, speaker, text) per cue: one cue per part, timed by its words."""
    for t in iv.turns:
        start = t.seconds
        for part in t.parts:
            end = start + max(1.0, _words(part) / 2.5)
            yield start, end, t.speaker, part
            start = end


def _vtt(iv: Interview) -> str:
    # Teams style: WEBVTT header, cue ids, <v Name> voice spans.
    out = [f"WEBVTT - {_header(iv)}", "", f"NOTE {SYNTHETIC_NOTE}", ""]
    for n, (a, b, who, text) in enumerate(_cues(iv), start=1):
        out += [f"{n}", f"{_clock(a)} --> {_clock(b)}",
                f"<v {who}>{_vtt_escape(text)}</v>", ""]
    return "\n".join(out)


def _srt(iv: Interview) -> str:
    # SRT has no header: the first cue carries the SYNTHETIC notice.
    out = ["1", f"{_clock(0, ',')} --> {_clock(0.9, ',')}", _header(iv), ""]
    for n, (a, b, who, text) in enumerate(_cues(iv), start=2):
        out += [f"{n}", f"{_clock(a, ',')} --> {_clock(b, ',')}", f"{who}: {text}", ""]
    return "\n".join(out)


#: Fixed date and author in the .docx core properties, so the bytes never change.
_DOCX_DATE = (2000, 1, 1, 0, 0, 0)


def _docx(iv: Interview) -> bytes:
    import datetime as dt

    import docx

    doc = docx.Document()
    props = doc.core_properties
    fixed = dt.datetime(*_DOCX_DATE, tzinfo=dt.timezone.utc)
    props.author = props.last_modified_by = "SYNTHETIC"
    props.title = f"SYNTHETIC demo transcript {iv.person.participant_id}"
    props.comments = SYNTHETIC_NOTE
    props.created = props.modified = props.last_printed = fixed
    props.revision = 1
    doc.add_paragraph(_header(iv))
    for t in iv.turns:
        para = doc.add_paragraph()
        para.add_run(f"{t.speaker}:").bold = True
        para.add_run(" " + " ".join(t.parts))
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with a fixed date on every entry (python-docx stamps the clock time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def transcript_name(person: Person) -> str:
    """The transcript's file name: participant id plus the layout's suffix."""
    return person.participant_id + _LAYOUT_SUFFIX[person.layout]


# ---------------------------------------------------------------- register, key, README


def participants_table(people=PEOPLE):
    """The demo participants register (pseudonymous: no names), as a DataFrame."""
    import pandas as pd

    from .participants import PARTICIPANT_COLUMNS

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


_README = """\
# SYNTHETIC demo study (fictional interviews)

**Everything in this folder is SYNTHETIC.** The people, the trust, the places, the
e-mail addresses and phone numbers are invented; the transcripts were written by a
program, `python -m analysis synthetic demo` (module `analysis.synthetic`, seed {seed}),
and running it again gives byte-identical files.

## Why synthetic

Real interview transcripts cannot be published: even pseudonymised, senior NHS IT
staff are easy to re-identify from their careers. The compendium still has to run end
to end for anyone with a clone, so it ships this fictional study, which exercises every
step: parsing six transcript layouts, pseudonymisation, coding, coder agreement, theme
matrices. Real transcripts go in `data/raw/private/` (git-ignored) and are processed
with `make all STUDY=private`. **No finding about the NHS may be drawn from these
files**: the differences they show were put there on purpose (below).

## Contents

| file | what |
|---|---|
| `participants.csv` | the register: {n} fictional participants ({tiers}); `synthetic` = yes |
| `P01.docx` ... | one transcript each, {words} words in all |
| `identifier_key.csv` | the **demo** key of the planted identifiers (real keys: `data/raw/private/`) |
| `demo_coding.qdpx` | two fictional coders' coding, a REFI-QDA project "SYNTHETIC demo coding" |

Formats: {formats}. Every file says SYNTHETIC at the top (for `.srt`, which has no
header, in the first cue; for `.docx`, in the first paragraph and the document
properties).

## The two fictional coders

`demo_coding.qdpx` holds the coding of `coder_a` and `coder_b` on the pseudonymised
texts (exactly those `make all` writes to `data/processed/interviews/texts/`). Coder A
puts each planted utterance's codes on the utterance, or for about {sub_span:.0%} of
segments on a run of its sentences. Coder B follows A but, per segment of A, misses
about {miss:.0%}, chooses a sibling code (same parent in the codebook) for about
{sibling:.0%}, draws the boundaries one to three words differently for about
{boundary:.0%}, and adds a code of its own to about {extra:.0%} of utterances. So the
coders agree on the code and overlap on about 85% of A's segments, and exactly on
about 70%: realistic material for the agreement statistics, not a finding.

## Planted identifiers

So that pseudonymisation is exercised, the transcripts contain fictional names
(participants as speaker labels, colleagues in the talk, possessives such as
"Bernard Oakhurst's"), a trust ("{trust}", also "{trust_short}"), places
({places}), e-mail addresses on the reserved `.example` domain, and phone numbers from
Ofcom's range reserved for drama (01632 960000-960999). `identifier_key.csv` maps each
to `[Person n]`, `[Trust A]`, `[Place n]`, `[email]` or `[phone]`.

## Designed differences (what an analysis should find)

Each utterance was written to carry one to three codes of the SST coding frame and
to speak of one era; speakers draw utterances written for their own position and tier
more often than generic ones. So, by design:

* **meso** speakers (SHA, PCT/CCG/ICB, CSU, cluster) talk far more of
  `th_mediation`, `th_reorg_memory`, `sst_int_conjspec` and `sst_ext_ppr`;
* **macro** speakers (national programme, NHSX/NHS England, a supplier) of
  `th_central_local`, `th_standards_interop` and `sst_out_intended`;
* **micro** speakers (trust CIOs, a CCIO, practice managers) of `th_local_ownership`,
  `sst_ag_resist`, `th_workforce` and `sst_out_unintended`;
* by era: `npfit` talk is of centralised procurement and suppliers
  (`th_central_local` with `th_supplier_contracts`); `ccg` talk of reorganisation and
  lost memory (`th_reorg_memory`); `stp_ics` of funding (`th_funding`); `icb` of data,
  information governance and accountability (`th_data_ig` with `th_accountability`).
  Interviews also reach back: `ccg` talk has its share of `th_data_ig` (care.data, 2014).

Coded utterances per tier and code (ground truth, before any coder; there are more
meso participants, so compare shares, not raw counts):

{table}

Share of the coded utterances about each era that carry the code (%):

{era_table}
"""


def readme_text(seed: int, interviews: list[Interview]) -> str:
    """The demo README, with counts taken from the composed interviews."""
    import pandas as pd

    people = [iv.person for iv in interviews]
    tiers = pd.Series([p.tier for p in people]).value_counts()
    words = sum(_words(p) for iv in interviews for t in iv.turns for p in t.parts)
    layouts = pd.Series([p.layout for p in people]).value_counts().sort_index()
    truth = pd.DataFrame([{**r, "tier": iv.person.tier} for iv in interviews for r in iv.truth])
    long = truth.assign(code=truth["codes"].str.split("|")).explode("code")
    focus = ["th_mediation", "th_reorg_memory", "sst_int_conjspec", "sst_ext_ppr",
             "th_central_local", "th_standards_interop", "sst_out_intended",
             "th_local_ownership", "sst_ag_resist", "th_workforce", "sst_out_unintended"]
    counts = (long[long["code"].isin(focus)]
              .pivot_table(index="code", columns="tier", values="text", aggfunc="count",
                           fill_value=0)
              .reindex(index=focus, columns=["macro", "meso", "micro"], fill_value=0))
    era_focus = ["th_central_local", "th_supplier_contracts", "sst_ext_irresistible",
                 "th_reorg_memory", "th_funding", "th_mediation", "th_data_ig",
                 "th_accountability"]
    eras = ["imt", "ifh", "npfit", "ccg", "stp_ics", "icb"]
    per_era = truth.groupby("era").size()
    by_era = (long[long["code"].isin(era_focus)]
              .pivot_table(index="code", columns="era", values="text", aggfunc="count",
                           fill_value=0)
              .reindex(index=era_focus, columns=eras, fill_value=0)
              .div(per_era.reindex(eras)).mul(100).round())
    return _README.format(
        seed=seed, n=len(people), sub_span=SUB_SPAN, **CODER_B,
        tiers=", ".join(f"{int(tiers.get(t, 0))} {t}" for t in ("macro", "meso", "micro")),
        words=f"{words:,}",
        formats=", ".join(f"{n} {layout}" for layout, n in layouts.items()),
        trust=TRUST, trust_short=TRUST_SHORT, places=", ".join(PLACES),
        table=_markdown_counts(counts), era_table=_markdown_counts(by_era))


def _markdown_counts(counts) -> str:
    lines = ["| code | " + " | ".join(counts.columns) + " |",
             "|---" * (len(counts.columns) + 1) + "|"]
    lines += [f"| `{code}` | " + " | ".join(str(int(v)) for v in row) + " |"
              for code, row in counts.iterrows()]
    return "\n".join(lines)


def generate_demo(out_dir: os.PathLike | str | None = None,
                  seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo study: transcripts, register, demo key and README.

    Parameters
    ----------
    out_dir : path-like, optional
        Where to write; ``data/raw/interviews/demo/`` by default.
    seed : int
        Seed of the one random generator; the same seed gives the same bytes.

    Returns
    -------
    list of Path
        The files written, sorted.
    """
    from .io import atomic_write, write_table

    out = Path(out_dir) if out_dir is not None else paths.DEMO_STUDY
    interviews = compose_study(seed)
    # Render everything before writing anything, so a failure leaves no half study.
    files = {transcript_name(iv.person): render_text(iv) for iv in interviews}
    files["README.md"] = readme_text(seed, interviews)
    written = [atomic_write(out / name, data) for name, data in sorted(files.items())]
    written.append(write_table(participants_table(), out / "participants.csv"))
    written.append(write_table(identifier_key(), out / "identifier_key.csv"))
    return sorted(written)



# ---------------------------------------------------------------- the two fictional coders

CODERS = ("coder_a", "coder_b")
DEMO_PROJECT = "SYNTHETIC demo coding"
DEMO_QDPX = "demo_coding.qdpx"

#: How coder B departs from coder A, per segment of A (the rest agree exactly):
#: B misses it, B chooses a sibling code, B draws the boundaries a few words
#: differently; and B adds codes of its own on this share of utterances.
CODER_B = {"miss": 0.05, "sibling": 0.09, "boundary": 0.15, "extra": 0.05}
#: Share of A's segments that cover a run of sentences rather than the whole utterance.
SUB_SPAN = 0.2


def pseudonymised_study(study_dir: os.PathLike | str | None = None):
    """Parse and pseudonymise every transcript of a study, as ``make all`` does.

    Returns
    -------
    (participants, texts)
        The validated register and ``{source_id: pseudonymised normalised text}``.
    """
    from .participants import load_participants
    from .privacy import load_key, pseudonymise
    from .transcripts import interviewer_labels, parse_transcript

    study = Path(study_dir) if study_dir is not None else paths.DEMO_STUDY
    register = load_participants(study / "participants.csv")
    key = load_key(study / "identifier_key.csv")
    labels = interviewer_labels(register)
    texts = {}
    for pid, name in zip(register["participant_id"], register["transcript"]):
        parsed = parse_transcript(study / name, source_id=pid, interviewer=labels.get(pid))
        texts[pid] = pseudonymise(parsed.text, key).text
    return register, texts


def locate_utterances(truth, texts, key, study_dir: os.PathLike | str = ""):
    """Find each planted utterance in its pseudonymised transcript.

    The utterance is pseudonymised with the same key, then searched for after the
    previous one of the same transcript (white space may differ: cues and lines are
    re-joined by the parser).

    Returns ``truth`` with ``source_id``, ``start`` and ``end``.

    Raises
    ------
    DataError
        An utterance is missing: the transcripts were not made with this seed.
    """
    from .errors import DataError
    from .privacy import pseudonymise

    starts, ends = [], []
    cursor: dict[str, int] = {}
    for pid, template_id, text in zip(truth["participant_id"], truth["template_id"],
                                      truth["text"]):
        body = texts[pid]
        wanted = pseudonymise(text, key).text
        pattern = r"\s+".join(re.escape(w) for w in wanted.split())
        m = re.compile(pattern).search(body, cursor.get(pid, 0))
        if m is None:
            raise DataError(Path(study_dir) / pid, None,
                            f"planted utterance {template_id} not found; regenerate the demo "
                            "study with the same seed (python -m analysis synthetic demo)")
        starts.append(m.start())
        ends.append(m.end())
        cursor[pid] = m.end()
    return truth.assign(source_id=truth["participant_id"], start=starts, end=ends)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def _shift(text: str, start: int, end: int, rng: random.Random) -> tuple[int, int]:
    """Move one boundary of ``[start, end)`` by one to three words, within the line."""
    lo, hi = _line_bounds(text, start, end)
    k = rng.randint(1, 3)
    move = rng.choice(["start_in", "start_out", "end_in", "end_out"])
    if move == "start_in":
        m = re.match(rf"(?:\S+\s+){{{k}}}", text[start:end])
        new = (start + m.end(), end) if m else (start, end)
    elif move == "start_out":
        m = re.search(rf"(?:\S+\s+){{1,{k}}}$", text[lo:start])
        new = (lo + m.start(), end) if m else (start, end)
    elif move == "end_in":
        m = re.search(rf"(?:\s+\S+){{{k}}}$", text[start:end])
        new = (start, start + m.start()) if m else (start, end)
    else:
        m = re.match(rf"(?:\s+\S+){{1,{k}}}", text[end:hi])
        new = (start, end + m.end()) if m else (start, end)
    # never leave less than four words
    return new if len(text[new[0]:new[1]].split()) >= 4 else (start, end)


def code_utterances(located, texts, codebook, seed: int = DEFAULT_SEED):
    """Coder A's and coder B's segments on the located utterances.

    Coder A applies each utterance's codes to the utterance, or (in a share
    :data:`SUB_SPAN`) to a run of its sentences. Coder B follows A but misses some
    segments, picks a sibling code for some, draws some boundaries a few words
    differently and adds some codes of its own, in the shares of :data:`CODER_B`.

    Returns
    -------
    pandas.DataFrame
        :data:`analysis.coding.SEGMENT_COLUMNS`, sorted.
    """
    import pandas as pd

    from .coding import SEGMENT_COLUMNS, segment_id, sentence_spans

    rng = random.Random(f"{seed}:coding")
    parent_of = dict(zip(codebook.codes["code_id"], codebook.codes["parent_id"]))
    a_rows, b_rows = [], []
    for pid, start, end, codes in zip(located["source_id"], located["start"],
                                      located["end"], located["codes"]):
        text = texts[pid]
        sentences = [(start + s, start + e) for s, e in sentence_spans(text[start:end])]
        for code in codes.split("|"):
            span = (start, end)
            if len(sentences) > 1 and rng.random() < SUB_SPAN:
                i = rng.randrange(len(sentences))
                j = rng.randrange(i, len(sentences))
                if (i, j) != (0, len(sentences) - 1):
                    span = (sentences[i][0], sentences[j][1])
            a_rows.append((pid, code, *span, CODERS[0]))
            r = rng.random()
            if r < CODER_B["miss"]:
                continue
            b_code, b_span = code, span
            if r < CODER_B["miss"] + CODER_B["sibling"]:
                parent = parent_of[code]
                siblings = [c for c in codebook.children(parent) if c != code] if parent else []
                if siblings:
                    b_code = rng.choice(siblings)
            elif r < CODER_B["miss"] + CODER_B["sibling"] + CODER_B["boundary"]:
                b_span = _shift(text, *span, rng)
            b_rows.append((pid, b_code, *b_span, CODERS[1]))
    # B's own additions: a code used elsewhere in the same transcript, on an utterance
    in_source = {pid: set("|".join(codes).split("|"))
                 for pid, codes in located.groupby("source_id", sort=True)["codes"]}
    for pid, start, end, codes in zip(located["source_id"], located["start"],
                                      located["end"], located["codes"]):
        if rng.random() < CODER_B["extra"]:
            pool = sorted(in_source[pid] - set(codes.split("|")))
            if pool:
                b_rows.append((pid, rng.choice(pool), start, end, CODERS[1]))
    rows = sorted(set(a_rows) | set(b_rows))
    seg = pd.DataFrame(rows, columns=["source_id", "code_id", "start", "end", "coder"])
    seg["segment_id"] = [segment_id(*r) for r in rows]
    seg["text"] = [texts[s][a:b] for s, a, b in zip(seg["source_id"], seg["start"], seg["end"])]
    return seg.loc[:, SEGMENT_COLUMNS].sort_values(
        ["source_id", "start", "end", "code_id", "coder"], ignore_index=True)


def demo_segments(study_dir: os.PathLike | str | None = None, seed: int = DEFAULT_SEED):
    """The two coders' segments of a generated demo study, on its pseudonymised texts.

    Returns
    -------
    (segments, texts, participants)
    """
    from .codebook import load_codebook
    from .coding import validate_segments
    from .privacy import load_key

    study = Path(study_dir) if study_dir is not None else paths.DEMO_STUDY
    participants, texts = pseudonymised_study(study)
    key = load_key(study / "identifier_key.csv")
    located = locate_utterances(demo_ground_truth(seed), texts, key, study)
    codebook = load_codebook()
    segments = code_utterances(located, texts, codebook, seed)
    validate_segments(segments, texts, codebook, where=study / DEMO_QDPX)
    return segments, texts, participants


def code_demo(study_dir: os.PathLike | str | None = None, seed: int = DEFAULT_SEED,
              out: os.PathLike | str | None = None) -> Path:
    """Code the demo study as two fictional coders and export a REFI-QDA project.

    Runs the real pipeline (parse, pseudonymise) on the generated transcripts, so the
    project's texts are exactly those ``make all`` puts in ``data/processed/``.
    Writes ``demo_coding.qdpx`` (project name "SYNTHETIC demo coding") in the study
    folder unless ``out`` is given, and returns its path.
    """
    import pandas as pd

    from .codebook import load_codebook
    from .refi import export_project

    study = Path(study_dir) if study_dir is not None else paths.DEMO_STUDY
    segments, texts, participants = demo_segments(study, seed)
    sources = pd.DataFrame({"source_id": sorted(texts), "participant_id": sorted(texts)})
    cases = participants.drop(columns=["interviewer_label", "transcript"]).astype(str)
    return export_project(Path(out) if out is not None else study / DEMO_QDPX,
                          codes=load_codebook().codes_table(), sources=sources, texts=texts,
                          segments=segments, participants=cases, project_name=DEMO_PROJECT)


# ---------------------------------------------------------------- large studies (benchmarks)


def generate_large_study(out_dir: os.PathLike | str, n_interviews: int = 300,
                         words: int = 8000, n_documents: int = 200, doc_words: int = 25000,
                         seed: int = DEFAULT_SEED, n_segments: int | None = 60_000) -> list[Path]:
    """Write a large SYNTHETIC study for benchmarks, already in processed form.

    Texts are composed from the same bank as the demo (already pseudonymous: no
    planted identifiers), written directly as plain text, with the two coders'
    segments. Layout under ``out_dir``: ``interviews/texts/<id>.txt``,
    ``interviews/participants.csv``, ``interviews/segments.csv``,
    ``documents/texts/<id>.txt`` and ``documents/sources.csv``.

    Parameters
    ----------
    out_dir : path-like
        The folder to write (created).
    n_interviews, words : int
        Number of interviews and their approximate length in words.
    n_documents, doc_words : int
        Number of strategy-like documents and their approximate length in words.
    seed : int
        Seed of the generator; the same arguments give the same bytes.
    n_segments : int or None
        About how many coded segments the two coders make together (issue 7 asks for
        60,000): a seeded sample of the utterances is coded. None codes every utterance
        (about four times as many at the default size).

    Returns
    -------
    list of Path
        The tables written (texts are written beside them).
    """
    import pandas as pd

    from .codebook import load_codebook
    from .io import atomic_write, write_table

    out = Path(out_dir)
    rng = random.Random(f"{seed}:large")
    people, texts, truth = [], {}, []
    for i in range(1, n_interviews + 1):
        model = PEOPLE[(i - 1) % len(PEOPLE)]
        pid = f"L{i:04d}"
        person = Person(pid, "", model.tier, model.position_practice, model.organisation_type,
                        model.sector, model.years_in_nhs, model.eras, "txt_labels",
                        "Interviewer", model.role)
        people.append(person)
        pool = [t for t in BANK if _eligible(t, person) and (not t.era or t.era in person.eras)]
        weights = [_weight(t, person) for t in pool]
        chunks = [f"SYNTHETIC large benchmark interview {pid}. {SYNTHETIC_NOTE}\n"]
        length, n = len(chunks[0]), 0
        while n < words:
            era = rng.choice(person.eras)
            q = f"\nInterviewer: {rng.choice(_ERA_CONTEXT[era])} {rng.choice(_PROBES)}\n"
            chunks.append(q)
            length += len(q)
            chunks.append("Respondent: ")
            length += len("Respondent: ")
            for t in rng.choices(pool, weights=weights, k=rng.randint(1, 3)):
                text = t.text.format(trust="[Trust A]", trust_short="[Trust A]",
                                     place=f"[Place {rng.randint(1, 9)}]",
                                     colleague=f"[Person {rng.randint(1, 99)}]")
                truth.append((pid, length, length + len(text), "|".join(t.codes)))
                chunks.append(text + " ")
                length += len(text) + 1
                n += _words(text)
            chunks.append("\n")
            length += 1
        texts[pid] = "".join(chunks)
    located = pd.DataFrame(truth, columns=["source_id", "start", "end", "codes"])
    codebook = load_codebook()
    segments = code_utterances(located, texts, codebook, seed)
    if n_segments is not None and len(segments) > n_segments:
        # Thin by utterance, so both coders' segments of an utterance stay together.
        keep = max(1, round(len(located) * n_segments / len(segments)))
        rows = sorted(random.Random(f"{seed}:thin").sample(range(len(located)), keep))
        located = located.iloc[rows].reset_index(drop=True)
        segments = code_utterances(located, texts, codebook, seed)
    for pid, text in texts.items():
        atomic_write(out / "interviews" / "texts" / f"{pid}.txt", text)
    written = [write_table(participants_table(people), out / "interviews" / "participants.csv"),
               write_table(segments, out / "interviews" / "segments.csv")]
    # Documents: era-by-era prose from the scene-setting sentences and the bank.
    sentences = [t.text.format(trust="the trust", trust_short="the trust", place="the region",
                               colleague="the director") for t in BANK]
    eras = list(_ERA_CONTEXT)
    rows = []
    for i in range(1, n_documents + 1):
        doc_id = f"D{i:04d}"
        era = eras[(i - 1) % len(eras)]
        paras, n = [f"SYNTHETIC large benchmark document {doc_id} ({era})."], 0
        while n < doc_words:
            para = " ".join(rng.choices(list(_ERA_CONTEXT[era]) + sentences, k=6))
            paras.append(para)
            n += _words(para)
        atomic_write(out / "documents" / "texts" / f"{doc_id}.txt", "\n\n".join(paras) + "\n")
        rows.append((doc_id, "document", f"SYNTHETIC document {i}", era))
    written.append(write_table(pd.DataFrame(rows, columns=["source_id", "kind", "title", "era"]),
                               out / "documents" / "sources.csv"))
    return written

def main(argv: list[str]) -> int:
    """``python -m analysis synthetic demo [--out DIR] [--seed N] [--no-coding]`` or
    ``python -m analysis synthetic large --out DIR [--interviews N] [--words N]
    [--documents N] [--doc-words N] [--seed N]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis synthetic",
                                     description="write the SYNTHETIC demo study")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="write transcripts, register, demo key and README")
    demo.add_argument("--out", type=Path, default=None, help="folder (default: the demo study)")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument("--no-coding", action="store_true",
                      help=f"skip the two coders' project ({DEMO_QDPX})")
    big = sub.add_parser("large", help="write a large SYNTHETIC study for benchmarks")
    big.add_argument("--out", type=Path, required=True)
    big.add_argument("--interviews", type=int, default=300)
    big.add_argument("--words", type=int, default=8000)
    big.add_argument("--documents", type=int, default=200)
    big.add_argument("--doc-words", type=int, default=25000)
    big.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.command == "large":
        written = generate_large_study(args.out, args.interviews, args.words, args.documents,
                                       args.doc_words, args.seed)
        print(f"wrote {len(written)} tables (and their texts) under {paths.relative(args.out)}")
        return 0
    written = generate_demo(args.out, args.seed)
    if not args.no_coding:
        written.append(code_demo(args.out, args.seed))
    print(f"wrote {len(written)} files to {paths.relative(written[0].parent)}")
    return 0
