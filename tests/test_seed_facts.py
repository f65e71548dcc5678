"""Every fact the seed states is in the shipped graph, slide by slide, with its value.

Where the seed's own text can be read back (the ranking tables, the names of bodies and
posts, the wording of principles and policies), the test reads the seed itself, so the
data cannot drift from its source. A copy of the seed is kept in ``fixtures/seed/`` so that
a clean clone runs these checks; where ``../shared/seed/`` is present too, the copy must be
byte-identical to it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from egov_kg.namespaces import EGOV, ID_BASE, XSD

SEED_NAME = "000_4d0be37517210a62.txt"
SEED = Path(__file__).parent / "fixtures" / "seed" / SEED_NAME
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / SEED_NAME


def iri(kind: str, slug: str) -> URIRef:
    return URIRef(f"{ID_BASE}{kind}/{slug}")


def rows(kg: Graph, query: str, **bindings: object) -> list[tuple[object, ...]]:
    """Run a SELECT with the graph's own prefixes and return plain Python values."""
    result = kg.query(query, initBindings={k: v for k, v in bindings.items()})  # type: ignore[arg-type]
    return [tuple(_py(v) for v in row) for row in result]  # type: ignore[union-attr]


def _py(value: object) -> object:
    if isinstance(value, Literal):
        if value.datatype in (XSD.gYearMonth, XSD.gYear):
            return str(value)
        return value.toPython()
    return value


def label(kg: Graph, node: object, lang: str = "ja") -> str:
    found = [
        str(o)
        for o in kg.objects(node, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))  # type: ignore[arg-type]
        if isinstance(o, Literal) and o.language == lang
    ]
    assert len(found) == 1, f"{node} has {found!r} as @{lang} prefLabel"
    return found[0]


@pytest.fixture(scope="module")
def seed_text() -> str:
    if SHARED_SEED.is_file():  # the project's copy, next to the repository
        assert SEED.read_bytes() == SHARED_SEED.read_bytes(), f"{SEED} differs from {SHARED_SEED}"
    return SEED.read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """The seed's text without white space, which the extraction scattered inside names."""
    return re.sub(r"\s+", "", text)


EVENT_DATES = """
SELECT ?date ?precision ?earliest ?latest WHERE {
    ?event time:hasTime ?t .
    ?t egov:date ?date ; egov:precision ?precision ;
        egov:earliestDay ?earliest ; egov:latestDay ?latest .
}"""


def event_date(kg: Graph, slug: str) -> tuple[object, ...]:
    found = rows(kg, EVENT_DATES, event=iri("event", slug))
    assert len(found) == 1, f"event {slug}: {found}"
    return found[0]


TIME = "http://www.w3.org/2006/time#"
DAY, MONTH, YEAR = URIRef(TIME + "unitDay"), URIRef(TIME + "unitMonth"), URIRef(TIME + "unitYear")


# --- slide 1: the deck --------------------------------------------------------------------


def test_the_deck_title_date_and_publisher(kg: Graph) -> None:
    doc = iri("doc", "building-e-government-2005")
    (found,) = rows(
        kg,
        """SELECT ?title ?date ?publisher ?parent WHERE {
            ?doc dcterms:title ?title ; dcterms:date ?date ; dcterms:publisher ?publisher .
            ?publisher org:subOrganizationOf ?parent .
        }""",
        doc=doc,
    )
    assert found == (
        "電子政府構築に向けた取組",
        date(2005, 6, 10),
        iri("org", "administrative-management-bureau"),
        iri("org", "ministry-of-internal-affairs-and-communications"),
    )


def test_nine_slides_in_order_two_of_them_lost(kg: Graph) -> None:
    slides = rows(
        kg,
        """SELECT ?position ?title ?lost WHERE {
            ?slide a egov:Slide ; dcterms:isPartOf ?doc ; schema:position ?position ;
                dcterms:title ?title ; egov:contentLost ?lost .
        } ORDER BY ?position""",
        doc=iri("doc", "building-e-government-2005"),
    )
    assert [(p, t) for p, t, _ in slides] == [
        (1, "電子政府構築に向けた取組"),
        (2, "社会全体の情報化"),
        (3, "わが国のIT戦略の歩み"),
        (4, "国別の電子政府評価ランキング"),
        (5, "電子政府の取組経過"),
        (6, "「電子政府構築計画」について"),
        (7, "電子政府の推進体制"),
        (8, "LAN等ネットワーク基盤の整備"),
        (9, "霞が関WANの運用"),
    ]
    assert [p for p, _, lost in slides if lost] == [3, 5]


def test_slide_titles_are_in_the_seed(kg: Graph, seed_text: str) -> None:
    titles = rows(kg, "SELECT ?t WHERE { ?s a egov:Slide ; dcterms:title ?t }")
    for (title,) in titles:
        assert squeeze(str(title)) in squeeze(seed_text)


# --- slide 2: the basic guidelines and the IT Basic Act ------------------------------------


def test_basic_guidelines_decided_1995_02_and_revised_1998_11(kg: Graph) -> None:
    assert event_date(kg, "advanced-info-telecom-society-basic-guidelines-decision") == (
        "1995-02",
        MONTH,
        date(1995, 2, 1),
        date(1995, 2, 28),
    )
    assert event_date(kg, "advanced-info-telecom-society-basic-guidelines-revision")[:2] == (
        "1998-11",
        MONTH,
    )
    (decider,) = kg.objects(
        iri("event", "advanced-info-telecom-society-basic-guidelines-decision"), EGOV.decidedBy
    )
    assert label(kg, decider) == "高度情報通信社会推進本部"


def test_month_dates_refined_by_outside_days_each_with_a_claim(kg: Graph) -> None:
    refined = rows(
        kg,
        """SELECT ?event ?day ?source WHERE {
            ?event egov:refinedTime ?r . ?r egov:date ?day .
            ?claim rdf:subject ?event ; rdf:predicate egov:refinedTime ; rdf:object ?r ;
                egov:basis egov-concept:basis-outside-source ; dcterms:source ?source .
        }""",
    )
    days = {str(e).rsplit("/", 1)[1]: d for e, d, _ in refined}
    assert days == {
        "advanced-info-telecom-society-basic-guidelines-decision": date(1995, 2, 21),
        "advanced-info-telecom-society-basic-guidelines-revision": date(1998, 11, 9),
        "it-basic-act-passage": date(2000, 11, 29),
        "it-basic-act-entry-into-force": date(2001, 1, 6),
    }


def test_it_basic_act_names_dates_and_number(kg: Graph) -> None:
    act = iri("law", "it-basic-act")
    assert label(kg, act) == "高度情報通信ネットワーク社会形成基本法"
    assert label(kg, act, "en") == (
        "Basic Act on the Formation of an Advanced Information and Telecommunications "
        "Network Society"
    )
    alt = {str(o) for o in kg.objects(act, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))}
    assert alt == {"IT基本法", "IT Basic Act"}
    assert event_date(kg, "it-basic-act-passage")[:2] == ("2000-11", MONTH)
    assert event_date(kg, "it-basic-act-entry-into-force")[:2] == ("2001-01", MONTH)
    assert event_date(kg, "it-basic-act-promulgation")[:2] == (date(2000, 12, 6), DAY)
    assert event_date(kg, "it-basic-act-repeal")[:2] == (date(2021, 9, 1), DAY)
    assert rows(kg, "SELECT ?n WHERE { ?act eli:id_local ?n }", act=act) == [
        ("平成十二年法律第百四十四号",)
    ]
    assert rows(kg, "SELECT ?by WHERE { ?by eli:repeals ?act }", act=act) == [
        (iri("law", "digital-society-basic-act"),)
    ]


def test_it_basic_act_principle_is_the_seed_wording(kg: Graph, seed_text: str) -> None:
    (principle,) = rows(
        kg,
        "SELECT ?p WHERE { ?act egov:basicPrinciple ?p FILTER (LANG(?p) = 'ja') }",
        act=iri("law", "it-basic-act"),
    )
    assert principle[0].startswith("すべての国民が")
    assert squeeze(str(principle[0])) in squeeze(seed_text)


def test_five_priority_policy_areas_in_the_seed_order(kg: Graph, seed_text: str) -> None:
    areas = rows(
        kg,
        """SELECT ?label WHERE {
            ?act egov:priorityPolicyArea ?area .
            ?area skos:prefLabel ?label ; skos:notation ?n ; skos:inScheme ?scheme .
            ?scheme a skos:ConceptScheme .
            FILTER (LANG(?label) = 'ja')
        } ORDER BY ?n""",
        act=iri("law", "it-basic-act"),
    )
    listed = re.findall(r"^- (.+)$", seed_text.split("重点政策分野")[1].split("わが国")[0], re.M)
    assert [a for (a,) in areas] == [line.strip() for line in listed]
    assert len(areas) == 5


def test_the_yearly_priority_policy_program_covers_the_five_areas(kg: Graph) -> None:
    plan = iri("plan", "priority-policy-program")
    assert (iri("law", "it-basic-act"), EGOV.requiresPlan, plan) in kg
    assert (plan, EGOV.issuePeriodicity, URIRef("http://purl.org/cld/freq/annual")) in kg
    assert len(set(kg.objects(plan, EGOV.coversArea))) == 5


# --- slides 3 and 5: the lost charts, restored from outside sources ------------------------

LOST_CHART_EVENTS = {
    # slide 3, わが国のIT戦略の歩み
    "advanced-info-telecom-society-promotion-headquarters-establishment": ("1994-08", 3),
    "advanced-info-telecom-society-basic-guidelines-decision": ("1995-02", 3),
    "advanced-info-telecom-society-basic-guidelines-revision": ("1998-11", 3),
    "it-strategy-headquarters-2000-establishment": (date(2000, 7, 7), 3),
    "it-strategy-council-2000-establishment": (date(2000, 7, 7), 3),
    "it-basic-strategy-decision": (date(2000, 11, 27), 3),
    "e-japan-strategy-decision": (date(2001, 1, 22), 3),
    "e-japan-priority-policy-program-decision": (date(2001, 3, 29), 3),
    "e-japan-2002-program-decision": (date(2001, 6, 26), 3),
    "e-japan-priority-policy-program-2002-decision": (date(2002, 6, 18), 3),
    "e-japan-strategy-ii-decision": (date(2003, 7, 2), 3),
    "e-japan-priority-policy-program-2003-decision": (date(2003, 8, 8), 3),
    "e-japan-strategy-ii-acceleration-package-decision": ("2004-02", 3),
    "e-japan-priority-policy-program-2004-decision": (date(2004, 6, 15), 3),
    "it-policy-package-2005-decision": (date(2005, 2, 24), 3),
    "information-security-policy-council-establishment": (date(2005, 5, 30), 3),
    # slide 5, 電子政府の取組経過
    "administrative-informatization-basic-plan-decision": (date(1994, 12, 25), 5),
    "kasumigaseki-wan-operation-start": ("1997-01", 5),
    "administrative-informatization-basic-plan-revision": (date(1997, 12, 20), 5),
    "kasumigaseki-wan-lgwan-interconnection-start": ("2002-04", 5),
    "cio-council-establishment": (date(2002, 9, 18), 5),
    "online-administrative-procedures-act-promulgation": (date(2002, 12, 13), 5),
    "online-administrative-procedures-act-entry-into-force": (date(2003, 2, 3), 5),
    "e-government-construction-plan-decision": (date(2003, 7, 17), 5),
    "kasumigaseki-wan-judicial-interconnection-start": ("2004-04", 5),
    "e-government-construction-plan-revision": (date(2004, 6, 14), 5),
}


def test_lost_chart_items_carry_their_date_and_likely_slide(kg: Graph) -> None:
    found = rows(
        kg,
        """SELECT ?event ?date ?position WHERE {
            ?event egov:likelyShownOn ?slide ; time:hasTime/egov:date ?date .
            ?slide schema:position ?position .
        }""",
    )
    assert {str(e).rsplit("/", 1)[1]: (d, p) for e, d, p in found} == LOST_CHART_EVENTS


def test_outside_facts_name_their_source_and_confidence(kg: Graph) -> None:
    unsourced = rows(
        kg,
        """SELECT ?s WHERE {
            ?s egov:basis egov-concept:basis-outside-source .
            FILTER NOT EXISTS { ?s dcterms:source ?src ; egov:confidence ?c }
        }""",
    )
    assert unsourced == []
    assert (
        len(rows(kg, "SELECT ?s WHERE { ?s egov:basis egov-concept:basis-outside-source }")) >= 30
    )


# --- slide 4: rankings ----------------------------------------------------------------------


def seed_rankings(seed_text: str) -> set[tuple[str, int, str]]:
    """(survey, rank, country in Japanese) as the seed lists them; 「・」 lines are skipped."""
    body = seed_text.split("国別の電子政府評価ランキング")[1].split("電子政府の取組経過")[0]
    un, private = body.split("民間調査")
    found: set[tuple[str, int, str]] = set()
    for prefix, part in (("un", un), ("waseda", private)):
        for year, block in re.findall(r"(\d{4})年\n(.*?)(?=\n\d{4}年\n|\Z)", part, re.S):
            for rank, country in re.findall(r"^- (\d+)位 (\S+)$", block, re.M):
                found.add((f"{prefix}-{year}", int(rank), country))
    return found


def test_every_rank_the_seed_lists_and_nothing_else(kg: Graph, seed_text: str) -> None:
    graph_ranks = rows(
        kg,
        """SELECT ?survey ?rank ?country WHERE {
            ?obs qb:dataSet egov-dataset:e-government-rankings ;
                egov:survey ?survey ; egov:rank ?rank ; egov:country ?c .
            ?c skos:prefLabel ?country FILTER (LANG(?country) = 'ja')
        }""",
    )
    as_seed = {(str(s).rsplit("/", 1)[1], r, str(c)) for s, r, c in graph_ranks}
    expected = seed_rankings(seed_text)
    assert len(expected) == 31
    assert as_seed == expected


def test_japan_rank_in_each_survey(kg: Graph) -> None:
    japan = rows(
        kg,
        """SELECT ?survey ?year ?rank WHERE {
            ?obs egov:country egov-country:japan ; egov:survey ?survey ; egov:rank ?rank ;
                sdmx-dimension:refPeriod/egov:date ?year .
        } ORDER BY ?survey""",
    )
    assert [(str(s).rsplit("/", 1)[1], y, r) for s, y, r in japan] == [
        ("un-2002", "2002", 26),
        ("un-2003", "2003", 18),
        ("un-2004", "2004", 18),
        ("waseda-2004", "2004", 7),
    ]


def test_countries_have_iso_codes(kg: Graph) -> None:
    codes = dict(
        rows(kg, "SELECT ?c ?code WHERE { ?c a schema:Country ; egov:iso3166Alpha2 ?code }")
    )
    assert sorted(codes.values()) == sorted(
        ["US", "AU", "NZ", "SG", "NO", "KR", "JP", "SE", "DK", "GB", "CA", "FI"]
    )
    assert codes[iri("country", "japan")] == "JP"


def test_surveys_identified_as_the_reading_notes_say(kg: Graph) -> None:
    titles = dict(
        rows(
            kg,
            """SELECT ?s ?t WHERE { ?s a egov:Survey ; dcterms:title ?t
               FILTER (LANG(?t) = 'en') }""",
        )
    )
    assert titles == {
        iri("survey", "un-2002"): "Benchmarking E-government: A Global Perspective",
        iri("survey", "un-2003"): "UN Global E-government Survey 2003",
        iri("survey", "un-2004"): "UN Global E-Government Readiness Report 2004",
        iri("survey", "waseda-2004"): "World e-Government Ranking",
    }


# --- slide 6: the e-Government Construction Plan --------------------------------------------


def test_plan_decided_revised_and_its_fiscal_period(kg: Graph) -> None:
    assert event_date(kg, "e-government-construction-plan-decision")[:2] == (
        date(2003, 7, 17),
        DAY,
    )
    assert event_date(kg, "e-government-construction-plan-revision")[:2] == (
        date(2004, 6, 14),
        DAY,
    )
    (decider,) = kg.objects(iri("event", "e-government-construction-plan-decision"), EGOV.decidedBy)
    assert decider == iri("org", "cio-council")
    (period,) = rows(
        kg,
        """SELECT ?earliest ?latest ?precision WHERE {
            ?plan dcterms:temporal ?p .
            ?p egov:earliestDay ?earliest ; egov:latestDay ?latest ; egov:precision ?precision .
        }""",
        plan=iri("plan", "e-government-construction-plan"),
    )
    assert period == (date(2003, 4, 1), date(2006, 3, 31), EGOV.unitFiscalYear)
    assert (
        iri("plan", "e-government-construction-plan"),
        EGOV.reviewPeriodicity,
        URIRef("http://purl.org/cld/freq/annual"),
    ) in kg


def test_plan_goals_and_basic_policies_are_the_seed_wording(kg: Graph, seed_text: str) -> None:
    plan = iri("plan", "e-government-construction-plan")
    goals = {label(kg, g) for g in kg.objects(plan, EGOV.goal)}
    assert goals == {"利用者本位の行政サービスの提供", "予算効率の高い簡素な政府"}
    policies = rows(
        kg,
        """SELECT ?label ?definition WHERE {
            ?plan egov:basicPolicy ?p .
            ?p skos:prefLabel ?label ; skos:definition ?definition ; skos:notation ?n .
            FILTER (LANG(?label) = 'ja' && LANG(?definition) = 'ja')
        } ORDER BY ?n""",
        plan=plan,
    )
    assert [p for p, _ in policies] == [
        "国民の利便性・サービスの向上",
        "IT化に対応した業務改革",
        "共通的な環境整備",
    ]
    for name, definition in policies:
        assert squeeze(str(name)) in squeeze(seed_text)
        assert squeeze(str(definition)) in squeeze(seed_text)
    assert (iri("plan", "ministry-plans"), URIRef("http://purl.org/dc/terms/isPartOf"), plan) in kg


# --- slide 7: the promotion structure -------------------------------------------------------

STRUCTURE = {
    # body: (parent, chair held by, vice-chair held by, members, secretariats, established,
    #        basis of the date, confidence)
    "it-strategic-headquarters": (
        None,
        "prime-minister",
        "minister-of-state",
        {"group/all-cabinet-ministers", "group/private-sector-experts"},
        set(),
        date(2001, 1, 6),
        "layout-reading",
        "high",
    ),
    "information-security-policy-council": (
        "it-strategic-headquarters",
        "chief-cabinet-secretary",
        "minister-for-it-policy",
        {
            "post/chair-of-national-public-safety-commission",
            "post/director-general-of-defense-agency",
            "post/minister-of-internal-affairs-and-communications",
            "post/minister-of-economy-trade-and-industry",
            "group/private-sector-experts",
        },
        set(),
        date(2005, 5, 30),
        "outside-source",
        "high",
    ),
    "cio-council": (
        "it-strategic-headquarters",
        "assistant-chief-cabinet-secretary",
        "director-general-of-administrative-management-bureau",
        {"group/ministry-cios"},
        set(),
        date(2002, 9, 18),
        "layout-reading",
        "high",
    ),
    "cio-advisers-council": (
        "cio-council",
        "group:experts-in-cio-council",
        None,
        {"group/ministry-cio-advisers", "group/experts-in-cio-council"},
        set(),
        date(2003, 12, 26),
        "layout-reading",
        "medium-high",
    ),
    "cio-council-executive-committee": (
        "cio-council",
        "cabinet-councillor",
        "director-of-administrative-information-systems-planning-division",
        {"group/ministry-policy-division-directors"},
        set(),
        date(2002, 11, 1),
        "layout-reading",
        "medium-low",
    ),
    "national-local-e-administration-council": (
        "cio-council",
        None,
        None,
        {
            "group/relevant-ministry-division-directors",
            "group/prefectural-and-municipal-department-and-division-directors",
        },
        set(),
        date(2003, 8, 29),
        "layout-reading",
        "high",
    ),
    "information-systems-directors-conference": (
        None,
        None,
        None,
        {"group/ministry-information-systems-division-directors"},
        {"ministry-of-internal-affairs-and-communications"},
        date(2002, 9, 19),
        "layout-reading",
        "low-medium",
    ),
    "information-systems-procurement-conference": (
        None,
        None,
        None,
        {"group/division-directors"},
        {
            "ministry-of-internal-affairs-and-communications",
            "ministry-of-finance",
            "ministry-of-economy-trade-and-industry",
        },
        date(2001, 12, 6),
        "layout-reading",
        "medium-high",
    ),
    "vehicle-ownership-one-stop-service-council": (
        None,
        None,
        None,
        set(),
        set(),
        date(2002, 8, 20),
        "outside-source",
        "medium",
    ),
}


def _holder(kg: Graph, body: URIRef, top_role: str) -> str | None:
    found = rows(
        kg,
        """SELECT ?holder WHERE {
            ?post org:postIn ?body ; org:role/skos:broader* ?top ; egov:heldExOfficioBy ?holder .
        }""",
        body=body,
        top=iri("concept", top_role),
    )
    if not found:
        return None
    ((holder,),) = found
    slug = str(holder).removeprefix(ID_BASE)
    return slug.removeprefix("post/") if slug.startswith("post/") else slug.replace("/", ":")


@pytest.mark.parametrize("slug", sorted(STRUCTURE))
def test_promotion_body(kg: Graph, slug: str) -> None:
    parent, chair, vice, members, secretariats, established, basis, confidence = STRUCTURE[slug]
    body = iri("org", slug)
    assert (
        body,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        EGOV.PromotionBody,
    ) in kg
    parents = {
        str(p).rsplit("/", 1)[1]
        for p in kg.objects(body, URIRef("http://www.w3.org/ns/org#subOrganizationOf"))
    }
    assert parents == ({parent} if parent else set())
    assert _holder(kg, body, "role-chair") == chair
    assert _holder(kg, body, "role-vice-chair") == vice
    assert {str(m).removeprefix(ID_BASE) for m in kg.objects(body, EGOV.hasMember)} == members
    assert {str(s).rsplit("/", 1)[1] for s in kg.objects(body, EGOV.secretariat)} == secretariats
    (event,) = rows(
        kg,
        """SELECT ?day ?basis ?confidence WHERE {
            ?e a egov:Establishment ; org:resultingOrganization ?body ;
                time:hasTime/egov:date ?day ; egov:basis ?basis ; egov:confidence ?confidence .
        }""",
        body=body,
    )
    assert event == (
        established,
        iri("concept", f"basis-{basis}"),
        iri("concept", f"confidence-{confidence}"),
    )


def test_the_swapped_date_reading_is_kept_but_not_adopted(kg: Graph) -> None:
    alternatives = rows(
        kg,
        """SELECT ?body ?day WHERE {
            ?claim egov:adopted false ; rdf:predicate time:hasTime ;
                rdf:subject ?e ; rdf:object ?p .
            ?e org:resultingOrganization ?body . ?p egov:date ?day .
        }""",
    )
    assert {(str(b).rsplit("/", 1)[1], d) for b, d in alternatives} == {
        ("cio-council-executive-committee", date(2002, 9, 19)),
        ("information-systems-directors-conference", date(2002, 11, 1)),
    }


def test_body_post_and_group_names_are_in_the_seed(kg: Graph, seed_text: str) -> None:
    """Every name the structure slide states is spelled as the seed spells it."""
    names = rows(
        kg,
        """SELECT ?name WHERE {
            { ?x a egov:PromotionBody } UNION { ?x a egov:MemberGroup }
            UNION { ?x a org:Post FILTER NOT EXISTS { ?x org:role ?r } }
            ?x prov:wasDerivedFrom egov-slide:building-e-government-2005-07 ;
               skos:prefLabel|skos:altLabel ?name .
            FILTER (LANG(?name) = 'ja')
        }""",
    )
    text = squeeze(seed_text).replace("、", "")
    spelled = [str(n) for (n,) in names if squeeze(str(n)).replace("、", "") in text]
    missing = sorted({str(n) for (n,) in names} - set(spelled))
    # Names the seed spells only in pieces, or that the data gives officially.
    assert missing == sorted(
        {
            "CIO連絡会議幹事会",
            "情報システムに係る政府調達府省連絡会議",
            "各府省CIO",
            "CIO補佐官等連絡会議",
        }
        & set(missing)
    ), missing
    assert len(spelled) >= 30


def test_system_councils_are_a_category_with_an_example(kg: Graph) -> None:
    category = iri("concept", "system-related-ministries-councils")
    assert (category, EGOV.groupedUnder, iri("org", "cio-council")) in kg
    examples = rows(kg, "SELECT ?b WHERE { ?b org:classification ?c }", c=category)
    assert examples == [(iri("org", "vehicle-ownership-one-stop-service-council"),)]


# --- slide 8: infrastructure statistics -----------------------------------------------------


def test_computer_provision(kg: Graph) -> None:
    found = rows(
        kg,
        """SELECT ?scope ?date ?precision ?value ?staff WHERE {
            ?obs qb:dataSet egov-dataset:computer-provision ; egov:scope ?scope ;
                sdmx-dimension:refPeriod ?p ; egov:personsPerComputer ?value .
            ?p egov:date ?date ; egov:precision ?precision .
            OPTIONAL { ?obs egov:staffCovered ?staff }
        }""",
    )
    table = {(str(s).rsplit("scope-", 1)[1], d, pr): (float(v), st) for s, d, pr, v, st in found}
    assert table == {
        ("ministry-headquarters", date(2002, 4, 1), DAY): (0.9, 51000),
        ("all-national-administrative-organs", date(2002, 4, 1), DAY): (1.3, 427000),
        ("prefectures", "2001", EGOV.unitFiscalYear): (1.1, None),
        ("municipalities", "2001", EGOV.unitFiscalYear): (1.7, None),
        ("local-governments", "2001", EGOV.unitFiscalYear): (1.5, None),
    }


def test_lan_coverage(kg: Graph) -> None:
    found = rows(
        kg,
        """SELECT ?scope ?date ?ratio ?count ?approx WHERE {
            ?obs qb:dataSet egov-dataset:lan-coverage ; egov:scope ?scope ;
                sdmx-dimension:refPeriod/egov:date ?date ; egov:coverageRatio ?ratio ;
                egov:approximate ?approx .
            OPTIONAL { ?obs egov:bodyCount ?count }
        }""",
    )
    table = {str(s).rsplit("scope-", 1)[1]: (d, float(r), c, a) for s, d, r, c, a in found}
    april = date(2002, 4, 1)
    assert table == {
        "ministry-headquarters": (april, 1.0, None, False),
        "regional-branch-offices": (april, 0.5, None, True),
        "prefectures": (april, 1.0, None, False),
        "designated-cities": (april, 1.0, None, False),
        "local-governments": (april, 0.888, 2924, False),
    }


# --- slides 8 and 9: networks ---------------------------------------------------------------


def test_kasumigaseki_wan(kg: Graph) -> None:
    wan = iri("network", "kasumigaseki-wan")
    assert event_date(kg, "kasumigaseki-wan-operation-start")[:2] == ("1997-01", MONTH)
    (status,) = rows(
        kg,
        """SELECT ?count ?asof WHERE {
            ?s egov:network ?wan ; egov:participantCount ?count ; egov:asOf/egov:date ?asof }""",
        wan=wan,
    )
    assert status == (30, "2004-10")
    services = {label(kg, s) for s in kg.objects(wan, EGOV.service)}
    assert services == {
        "電子メール",
        "公文書交換",
        "掲示板・DB(法令・統計等)による情報交換",
        "情報共有",
    }


def test_lgwan_everyone_but_miyake(kg: Graph) -> None:
    (status,) = rows(
        kg,
        """SELECT ?asof ?excluded ?reason WHERE {
            ?s egov:network egov-network:lgwan ; egov:asOf/egov:date ?asof ;
                egov:excludedParticipant ?excluded ; egov:exclusionReason ?reason .
            FILTER (LANG(?reason) = 'ja')
        }""",
    )
    assert status == ("2004-10", iri("org", "miyake-village"), "災害による全島避難のため")


def test_interconnections_and_their_start_months(kg: Graph) -> None:
    found = rows(
        kg,
        """SELECT ?link ?date ?network WHERE {
            ?link a egov:Interconnection ; egov:connects ?network .
            ?start egov:eventOf ?link ; time:hasTime/egov:date ?date .
        }""",
    )
    links: dict[str, tuple[object, set[str]]] = {}
    for link, day, network in found:
        key = str(link).rsplit("/", 1)[1]
        links.setdefault(key, (day, set()))[1].add(str(network).rsplit("/", 1)[1])
    assert links == {
        "kasumigaseki-wan-lgwan-interconnection": ("2002-04", {"kasumigaseki-wan", "lgwan"}),
        "kasumigaseki-wan-judicial-interconnection": (
            "2004-04",
            {"kasumigaseki-wan", "judicial-information-communication-system"},
        ),
    }


# --- every slide ------------------------------------------------------------------------------


def test_every_slide_is_the_source_of_some_fact(kg: Graph) -> None:
    counts = dict(
        rows(
            kg,
            """SELECT ?position (COUNT(DISTINCT ?x) AS ?n) WHERE {
                ?slide a egov:Slide ; schema:position ?position .
                { ?x prov:wasDerivedFrom ?slide } UNION { ?x egov:likelyShownOn ?slide }
            } GROUP BY ?position""",
        )
    )
    assert sorted(counts) == list(range(1, 10))
    assert all(n >= 1 for n in counts.values())


def test_every_resource_has_one_label_per_language(kg: Graph) -> None:
    bad = rows(
        kg,
        """SELECT ?x WHERE {
            ?x ?p ?o . FILTER (STRSTARTS(STR(?x), "https://w3id.org/egov-kg/id/"))
            FILTER NOT EXISTS {
                ?x skos:prefLabel ?ja . FILTER (LANG(?ja) = 'ja')
                ?x skos:prefLabel ?en . FILTER (LANG(?en) = 'en')
            }
        }""",
    )
    assert bad == []
