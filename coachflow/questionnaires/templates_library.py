"""Ready-made surveys to start from, every text in English, German and French.

Plain data and pure functions: ``builder.create_from_template`` copies a template into a new
survey. The customer templates are the two the field uses most (a relationship NPS and a CSAT
after a closed deal); the employee templates are minimal starting points: a pulse (eNPS plus
three agreement items) and the self- and manager assessment, one agreement item per competency
of the sales performance standard (``/work/shared/DOMAIN.md``), worded in the first person for
the rep and in the third person for the manager.

``{company}`` in a text is replaced by the company's name when the survey is created, or by
"our company" in the text's language when no name is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from coachflow.questionnaires.models import QuestionType, SurveyKind

Texts = dict[str, str]

COMPANY_PLACEHOLDER = "{company}"
# Used in place of {company} when no name is given; each fits every sentence below.
COMPANY_FALLBACK: Texts = {"en": "our company", "de": "unser Unternehmen", "fr": "notre entreprise"}


@dataclass(frozen=True)
class QuestionSpec:
    """One question of a template: its type, whether it must be answered, its wording."""

    type: QuestionType
    texts: Texts
    required: bool = True


@dataclass(frozen=True)
class Template:
    """A survey to start from: kind, names, survey texts and questions in every language."""

    key: str
    kind: SurveyKind
    names: Texts
    descriptions: Texts
    titles: Texts
    intros: Texts
    thanks: Texts
    questions: tuple[QuestionSpec, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or self.descriptions["en"]

    def survey_texts(self, company: str | None = None) -> dict[str, Texts]:
        """``{"en": {"title": …, "intro": …, "thanks": …}, …}`` with the company filled in."""
        return {
            language: {
                "title": fill(self.titles[language], language, company),
                "intro": fill(self.intros[language], language, company),
                "thanks": fill(self.thanks[language], language, company),
            }
            for language in self.titles
        }


def fill(text: str, language: str, company: str | None) -> str:
    """``text`` with ``{company}`` replaced by ``company`` (or "our company" in ``language``)."""
    name = (company or "").strip() or COMPANY_FALLBACK.get(language, COMPANY_FALLBACK["en"])
    return text.replace(COMPANY_PLACEHOLDER, name)


# Customer surveys ------------------------------------------------------------------------------

RELATIONSHIP_NPS = Template(
    key="relationship_nps",
    kind=SurveyKind.CUSTOMER_NPS,
    names={"en": "Relationship NPS", "de": "Beziehungs-NPS", "fr": "NPS relationnel"},
    descriptions={
        "en": "The Net Promoter Score question (0–10) and an optional reason. Send it to your "
        "customer contacts once or twice a year.",
        "de": "Die Frage des Net Promoter Score (0–10) und eine optionale Begründung. Senden Sie "
        "sie ein- bis zweimal im Jahr an Ihre Kundenkontakte.",
        "fr": "La question du Net Promoter Score (0–10) et une justification facultative. "
        "Envoyez-la à vos contacts clients une à deux fois par an.",
    },
    titles={
        "en": "Your opinion matters to us",
        "de": "Ihre Meinung ist uns wichtig",
        "fr": "Votre avis compte pour nous",
    },
    intros={
        "en": "Two short questions that take about a minute. Your answers help us serve you "
        "better.",
        "de": "Zwei kurze Fragen, die etwa eine Minute dauern. Ihre Antworten helfen uns, Sie "
        "noch besser zu betreuen.",
        "fr": "Deux questions courtes, qui prennent environ une minute. Vos réponses nous "
        "aident à mieux vous servir.",
    },
    thanks={
        "en": "Thank you for your feedback. We read every answer.",
        "de": "Vielen Dank für Ihre Rückmeldung. Wir lesen jede Antwort.",
        "fr": "Merci pour votre retour. Nous lisons chaque réponse.",
    },
    questions=(
        QuestionSpec(
            QuestionType.NPS,
            {
                "en": "How likely are you to recommend {company} to a colleague or business "
                "partner?",
                "de": "Wie wahrscheinlich ist es, dass Sie {company} einem Kollegen oder "
                "Geschäftspartner weiterempfehlen?",
                "fr": "Quelle est la probabilité que vous recommandiez {company} à un collègue "
                "ou à un partenaire commercial ?",
            },
        ),
        QuestionSpec(
            QuestionType.TEXT,
            {
                "en": "What is the main reason for your score?",
                "de": "Was ist der wichtigste Grund für Ihre Bewertung?",
                "fr": "Quelle est la principale raison de votre note ?",
            },
            required=False,
        ),
    ),
)

CSAT_CLOSED_DEAL = Template(
    key="csat_closed_deal",
    kind=SurveyKind.CUSTOMER_CSAT,
    names={
        "en": "CSAT after a closed deal",
        "de": "CSAT nach Auftragsabschluss",
        "fr": "CSAT après la conclusion d'une affaire",
    },
    descriptions={
        "en": "Customer satisfaction (1–5) with the purchase, whether the sales representative "
        "understood the customer's needs, and an optional comment. Send it after a won deal.",
        "de": "Kundenzufriedenheit (1–5) mit dem Kauf, ob der Vertrieb die Anforderungen des "
        "Kunden verstanden hat, und ein optionaler Kommentar. Senden Sie sie nach einem "
        "gewonnenen Auftrag.",
        "fr": "Satisfaction client (1–5) sur l'achat, compréhension des besoins du client par "
        "le commercial et un commentaire facultatif. À envoyer après une affaire gagnée.",
    },
    titles={
        "en": "Your recent purchase",
        "de": "Ihr kürzlich getätigter Kauf",
        "fr": "Votre achat récent",
    },
    intros={
        "en": "Thank you for your order. Three short questions help us learn whether we met "
        "your expectations.",
        "de": "Vielen Dank für Ihren Auftrag. Drei kurze Fragen helfen uns zu erfahren, ob wir "
        "Ihre Erwartungen erfüllt haben.",
        "fr": "Merci pour votre commande. Trois questions courtes nous permettent de savoir si "
        "nous avons répondu à vos attentes.",
    },
    thanks={
        "en": "Thank you for your feedback. It helps us serve you better.",
        "de": "Vielen Dank für Ihre Rückmeldung. Sie hilft uns, Sie noch besser zu betreuen.",
        "fr": "Merci pour votre retour. Il nous aide à mieux vous servir.",
    },
    questions=(
        QuestionSpec(
            QuestionType.RATING,
            {
                "en": "Overall, how satisfied are you with your purchase?",
                "de": "Wie zufrieden sind Sie insgesamt mit Ihrem Kauf?",
                "fr": "Dans l'ensemble, quel est votre niveau de satisfaction concernant votre "
                "achat ?",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "The sales representative understood our needs.",
                "de": "Unser Ansprechpartner im Vertrieb hat unsere Anforderungen verstanden.",
                "fr": "Notre interlocuteur commercial a bien compris nos besoins.",
            },
        ),
        QuestionSpec(
            QuestionType.TEXT,
            {
                "en": "Is there anything else you would like to tell us?",
                "de": "Möchten Sie uns noch etwas mitteilen?",
                "fr": "Souhaitez-vous nous faire part d'autre chose ?",
            },
            required=False,
        ),
    ),
)


# Employee surveys ------------------------------------------------------------------------------

EMPLOYEE_PULSE = Template(
    key="employee_pulse",
    kind=SurveyKind.EMPLOYEE_PULSE,
    names={"en": "Pulse survey", "de": "Pulsbefragung", "fr": "Enquête pulse"},
    descriptions={
        "en": "Employee NPS (eNPS, 0–10) and six agreement items: support from the manager, "
        "training, tools, workload, recognition and clear goals. Short, recurring and anonymous.",
        "de": "Mitarbeiter-NPS (eNPS, 0–10) und sechs Zustimmungsfragen: Unterstützung durch die "
        "Führungskraft, Weiterbildung, Werkzeuge, Arbeitsbelastung, Anerkennung und klare Ziele. "
        "Kurz, regelmäßig und anonym.",
        "fr": "eNPS (0–10) et six affirmations : soutien du manager, formation, outils, charge "
        "de travail, reconnaissance et objectifs clairs. Courte, récurrente et anonyme.",
    },
    titles={"en": "Pulse survey", "de": "Pulsbefragung", "fr": "Enquête pulse"},
    intros={
        "en": "A few short questions. Your answers are anonymous and are only ever reported for "
        "groups, never for one person.",
        "de": "Ein paar kurze Fragen. Ihre Antworten sind anonym und werden nur für Gruppen "
        "ausgewertet, nie für einzelne Personen.",
        "fr": "Quelques questions courtes. Vos réponses sont anonymes et ne sont restituées que "
        "par groupe, jamais individuellement.",
    },
    thanks={
        "en": "Thank you for taking part.",
        "de": "Vielen Dank für Ihre Teilnahme.",
        "fr": "Merci de votre participation.",
    },
    questions=(
        QuestionSpec(
            QuestionType.NPS,
            {
                "en": "How likely are you to recommend working at {company} to a friend or "
                "acquaintance?",
                "de": "Wie wahrscheinlich ist es, dass Sie {company} als Arbeitgeber einem "
                "Freund oder Bekannten weiterempfehlen?",
                "fr": "Quelle est la probabilité que vous recommandiez {company} comme "
                "employeur à un ami ou à une connaissance ?",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "My manager supports me when I need it.",
                "de": "Meine Führungskraft unterstützt mich, wenn ich es brauche.",
                "fr": "Mon manager me soutient quand j'en ai besoin.",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "I get the training I need to sell well.",
                "de": "Ich erhalte die Weiterbildung, die ich für einen guten Verkauf brauche.",
                "fr": "Je reçois la formation dont j'ai besoin pour bien vendre.",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "I have the tools I need to reach my sales goals.",
                "de": "Ich habe die Werkzeuge, die ich brauche, um meine Vertriebsziele zu "
                "erreichen.",
                "fr": "Je dispose des outils nécessaires pour atteindre mes objectifs de vente.",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "My workload is manageable.",
                "de": "Meine Arbeitsbelastung ist gut zu bewältigen.",
                "fr": "Ma charge de travail est gérable.",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "My work receives the recognition it deserves.",
                "de": "Meine Arbeit erhält die Anerkennung, die sie verdient.",
                "fr": "Mon travail reçoit la reconnaissance qu'il mérite.",
            },
        ),
        QuestionSpec(
            QuestionType.AGREEMENT,
            {
                "en": "My goals are clear to me.",
                "de": "Meine Ziele sind mir klar.",
                "fr": "Mes objectifs sont clairs pour moi.",
            },
        ),
        QuestionSpec(
            QuestionType.TEXT,
            {
                "en": "Is there anything else you would like to tell us?",
                "de": "Möchten Sie uns noch etwas mitteilen?",
                "fr": "Souhaitez-vous nous dire autre chose ?",
            },
            required=False,
        ),
    ),
)


@dataclass(frozen=True)
class Competency:
    """One competency of the sales performance standard, as the rep and the manager rate it."""

    key: str
    self_texts: Texts  # first person: "I achieve …"
    manager_texts: Texts  # about the rep: "Achieves …"


# The sales performance standard, in DOMAIN.md's order (admins may later edit the list).
COMPETENCIES: tuple[Competency, ...] = (
    Competency(
        "customer_satisfaction",
        {
            "en": "I achieve high customer satisfaction with every customer.",
            "de": "Ich erreiche bei jedem Kunden eine hohe Kundenzufriedenheit.",
            "fr": "J'obtiens une satisfaction client élevée auprès de chaque client.",
        },
        {
            "en": "Achieves high customer satisfaction with every customer.",
            "de": "Erreicht bei jedem Kunden eine hohe Kundenzufriedenheit.",
            "fr": "Obtient une satisfaction client élevée auprès de chaque client.",
        },
    ),
    Competency(
        "professional_attitude",
        {
            "en": "I show a professional attitude at all times.",
            "de": "Ich trete stets professionell auf.",
            "fr": "J'adopte en toutes circonstances une attitude professionnelle.",
        },
        {
            "en": "Shows a professional attitude at all times.",
            "de": "Tritt stets professionell auf.",
            "fr": "Adopte en toutes circonstances une attitude professionnelle.",
        },
    ),
    Competency(
        "quota",
        {
            "en": "I sell the agreed amount in my territory (quota).",
            "de": "Ich erreiche in meinem Vertriebsgebiet die vereinbarte Quote (Vertriebsziel).",
            "fr": "Je réalise le volume de ventes convenu sur mon territoire (quota).",
        },
        {
            "en": "Sells the agreed amount in the territory (quota).",
            "de": "Erreicht im Vertriebsgebiet die vereinbarte Quote (Vertriebsziel).",
            "fr": "Réalise le volume de ventes convenu sur son territoire (quota).",
        },
    ),
    Competency(
        "qualifies_opportunities",
        {
            "en": "I qualify prospects properly and work every opportunity in my territory.",
            "de": "Ich qualifiziere Interessenten sorgfältig und bearbeite jede Verkaufschance "
            "in meinem Vertriebsgebiet.",
            "fr": "Je qualifie rigoureusement les prospects et je traite chaque opportunité de "
            "mon territoire.",
        },
        {
            "en": "Qualifies prospects properly and works every opportunity in the territory.",
            "de": "Qualifiziert Interessenten sorgfältig und bearbeitet jede Verkaufschance im "
            "Vertriebsgebiet.",
            "fr": "Qualifie rigoureusement les prospects et traite chaque opportunité de son "
            "territoire.",
        },
    ),
    Competency(
        "estimates",
        {
            "en": "Every month I give estimates for every product line, three times the quota "
            "count per line.",
            "de": "Ich erstelle monatlich Angebote für jede Produktlinie, dreimal so viele, wie "
            "die Quote je Linie vorsieht.",
            "fr": "Chaque mois, j'établis des devis pour chaque gamme de produits, soit trois "
            "fois le nombre prévu par le quota de chaque gamme.",
        },
        {
            "en": "Gives estimates every month for every product line, three times the quota "
            "count per line.",
            "de": "Erstellt monatlich Angebote für jede Produktlinie, dreimal so viele, wie die "
            "Quote je Linie vorsieht.",
            "fr": "Établit chaque mois des devis pour chaque gamme de produits, soit trois fois "
            "le nombre prévu par le quota de chaque gamme.",
        },
    ),
    Competency(
        "uses_crm",
        {
            "en": "I use the CRM for the whole sales process (contacts, leads, opportunities, "
            "closing, history) and keep leads, contacts and opportunities up to date in it.",
            "de": "Ich nutze das CRM für den gesamten Vertriebsprozess (Kontakte, Leads, "
            "Verkaufschancen, Abschluss, Historie) und halte Leads, Kontakte und "
            "Verkaufschancen darin aktuell.",
            "fr": "J'utilise le CRM pour l'ensemble du processus de vente (contacts, pistes, "
            "opportunités, conclusion, historique) et j'y tiens à jour les pistes, les contacts "
            "et les opportunités.",
        },
        {
            "en": "Uses the CRM for the whole sales process (contacts, leads, opportunities, "
            "closing, history) and keeps leads, contacts and opportunities up to date in it.",
            "de": "Nutzt das CRM für den gesamten Vertriebsprozess (Kontakte, Leads, "
            "Verkaufschancen, Abschluss, Historie) und hält Leads, Kontakte und "
            "Verkaufschancen darin aktuell.",
            "fr": "Utilise le CRM pour l'ensemble du processus de vente (contacts, pistes, "
            "opportunités, conclusion, historique) et y tient à jour les pistes, les contacts "
            "et les opportunités.",
        },
    ),
    Competency(
        "contact_base",
        {
            "en": "I grow my contact base and record complete contact data.",
            "de": "Ich baue meinen Kontaktstamm aus und erfasse vollständige Kontaktdaten.",
            "fr": "Je développe ma base de contacts et j'enregistre des coordonnées complètes.",
        },
        {
            "en": "Grows the contact base and records complete contact data.",
            "de": "Baut den Kontaktstamm aus und erfasst vollständige Kontaktdaten.",
            "fr": "Développe sa base de contacts et enregistre des coordonnées complètes.",
        },
    ),
    Competency(
        "selling_skills",
        {
            "en": "I sell and negotiate professionally.",
            "de": "Ich verkaufe und verhandle professionell.",
            "fr": "Je maîtrise les techniques de vente et de négociation.",
        },
        {
            "en": "Sells and negotiates professionally.",
            "de": "Verkauft und verhandelt professionell.",
            "fr": "Maîtrise les techniques de vente et de négociation.",
        },
    ),
    Competency(
        "presents_product_lines",
        {
            "en": "I present and demonstrate every product line according to the sales plan.",
            "de": "Ich präsentiere und demonstriere jede Produktlinie gemäß dem Vertriebsplan.",
            "fr": "Je présente et démontre chaque gamme de produits conformément au plan "
            "commercial.",
        },
        {
            "en": "Presents and demonstrates every product line according to the sales plan.",
            "de": "Präsentiert und demonstriert jede Produktlinie gemäß dem Vertriebsplan.",
            "fr": "Présente et démontre chaque gamme de produits conformément au plan commercial.",
        },
    ),
    Competency(
        "product_knowledge",
        {
            "en": "I have deep knowledge of each product line I sell.",
            "de": "Ich verfüge über fundierte Kenntnisse jeder Produktlinie, die ich verkaufe.",
            "fr": "J'ai une connaissance approfondie de chaque gamme de produits que je vends.",
        },
        {
            "en": "Has deep knowledge of each product line sold.",
            "de": "Verfügt über fundierte Kenntnisse jeder verkauften Produktlinie.",
            "fr": "A une connaissance approfondie de chaque gamme de produits vendue.",
        },
    ),
    Competency(
        "influencers",
        {
            "en": "I maintain relationships with the influencers in my territory.",
            "de": "Ich pflege Beziehungen zu den Meinungsbildnern in meinem Vertriebsgebiet.",
            "fr": "J'entretiens des relations avec les prescripteurs de mon territoire.",
        },
        {
            "en": "Maintains relationships with the influencers in the territory.",
            "de": "Pflegt Beziehungen zu den Meinungsbildnern im Vertriebsgebiet.",
            "fr": "Entretient des relations avec les prescripteurs de son territoire.",
        },
    ),
    Competency(
        "sales_meetings",
        {
            "en": "I attend every sales meeting and event.",
            "de": "Ich nehme an jeder Vertriebsbesprechung und jeder Veranstaltung teil.",
            "fr": "Je participe à chaque réunion commerciale et à chaque événement.",
        },
        {
            "en": "Attends every sales meeting and event.",
            "de": "Nimmt an jeder Vertriebsbesprechung und jeder Veranstaltung teil.",
            "fr": "Participe à chaque réunion commerciale et à chaque événement.",
        },
    ),
    Competency(
        "company_leads",
        {
            "en": "I follow up every lead the company generates.",
            "de": "Ich verfolge jeden Lead, den das Unternehmen generiert.",
            "fr": "Je donne suite à chaque piste générée par l'entreprise.",
        },
        {
            "en": "Follows up every lead the company generates.",
            "de": "Verfolgt jeden Lead, den das Unternehmen generiert.",
            "fr": "Donne suite à chaque piste générée par l'entreprise.",
        },
    ),
    Competency(
        "company_resources",
        {
            "en": "I use all of the company's resources to reach my goals.",
            "de": "Ich nutze alle Ressourcen des Unternehmens, um meine Ziele zu erreichen.",
            "fr": "J'utilise toutes les ressources de l'entreprise pour atteindre mes objectifs.",
        },
        {
            "en": "Uses all of the company's resources to reach the goals.",
            "de": "Nutzt alle Ressourcen des Unternehmens, um die Ziele zu erreichen.",
            "fr": "Utilise toutes les ressources de l'entreprise pour atteindre ses objectifs.",
        },
    ),
)

ASSESSMENT_THANKS: Texts = {
    "en": "Thank you. Your assessment has been saved.",
    "de": "Vielen Dank. Ihre Einschätzung wurde gespeichert.",
    "fr": "Merci. Votre évaluation a été enregistrée.",
}

SELF_ASSESSMENT = Template(
    key="self_assessment",
    kind=SurveyKind.SELF_ASSESSMENT,
    names={"en": "Self-assessment", "de": "Selbsteinschätzung", "fr": "Auto-évaluation"},
    descriptions={
        "en": "The rep rates themselves on each of the 14 competencies of the sales performance "
        "standard (agreement 1–5), with an optional comment.",
        "de": "Die Vertriebsmitarbeiterin oder der Vertriebsmitarbeiter schätzt sich in jeder "
        "der 14 Kompetenzen des Vertriebsleistungsstandards selbst ein (Zustimmung 1–5), mit "
        "optionalem Kommentar.",
        "fr": "Le commercial s'évalue sur chacune des 14 compétences du référentiel de "
        "performance commerciale (accord de 1 à 5), avec un commentaire facultatif.",
    },
    titles={
        "en": "Self-assessment against the sales performance standard",
        "de": "Selbsteinschätzung nach dem Vertriebsleistungsstandard",
        "fr": "Auto-évaluation selon le référentiel de performance commerciale",
    },
    intros={
        "en": "Please indicate how far you agree with each statement about your work in the "
        "period. Your manager assesses the same competencies, and you will discuss both "
        "assessments side by side.",
        "de": "Bitte geben Sie an, inwieweit Sie den folgenden Aussagen über Ihre Arbeit im "
        "Zeitraum zustimmen. Ihre Führungskraft schätzt dieselben Kompetenzen ein; beide "
        "Einschätzungen besprechen Sie anschließend gemeinsam.",
        "fr": "Veuillez indiquer dans quelle mesure vous êtes d'accord avec chaque affirmation "
        "concernant votre travail sur la période. Votre manager évalue les mêmes compétences, "
        "et vous comparerez ensuite les deux évaluations ensemble.",
    },
    thanks=ASSESSMENT_THANKS,
    questions=(
        *(QuestionSpec(QuestionType.AGREEMENT, c.self_texts) for c in COMPETENCIES),
        QuestionSpec(
            QuestionType.TEXT,
            {
                "en": "Would you like to add a comment to your self-assessment?",
                "de": "Möchten Sie Ihre Selbsteinschätzung kommentieren?",
                "fr": "Souhaitez-vous ajouter un commentaire à votre auto-évaluation ?",
            },
            required=False,
        ),
    ),
)

MANAGER_ASSESSMENT = Template(
    key="manager_assessment",
    kind=SurveyKind.MANAGER_ASSESSMENT,
    names={
        "en": "Manager assessment",
        "de": "Einschätzung durch die Führungskraft",
        "fr": "Évaluation par le manager",
    },
    descriptions={
        "en": "The manager rates the rep on the same 14 competencies as the self-assessment "
        "(agreement 1–5), with an optional comment.",
        "de": "Die Führungskraft schätzt die Vertriebsmitarbeiterin oder den "
        "Vertriebsmitarbeiter in denselben 14 Kompetenzen ein wie in der Selbsteinschätzung "
        "(Zustimmung 1–5), mit optionalem Kommentar.",
        "fr": "Le manager évalue le commercial sur les mêmes 14 compétences que "
        "l'auto-évaluation (accord de 1 à 5), avec un commentaire facultatif.",
    },
    titles={
        "en": "Manager assessment against the sales performance standard",
        "de": "Einschätzung durch die Führungskraft nach dem Vertriebsleistungsstandard",
        "fr": "Évaluation par le manager selon le référentiel de performance commerciale",
    },
    intros={
        "en": "Please indicate how far you agree with each statement about the sales "
        "representative's work in the period. The rep assesses the same competencies, and you "
        "will discuss both assessments side by side.",
        "de": "Bitte geben Sie an, inwieweit Sie den folgenden Aussagen über die Arbeit der "
        "Vertriebsmitarbeiterin oder des Vertriebsmitarbeiters im Zeitraum zustimmen. Dieselben "
        "Kompetenzen werden auch in der Selbsteinschätzung bewertet; beide Einschätzungen "
        "besprechen Sie anschließend gemeinsam.",
        "fr": "Veuillez indiquer dans quelle mesure vous êtes d'accord avec chaque affirmation "
        "concernant le travail du commercial sur la période. Le commercial évalue les mêmes "
        "compétences, et vous comparerez ensuite les deux évaluations ensemble.",
    },
    thanks=ASSESSMENT_THANKS,
    questions=(
        *(QuestionSpec(QuestionType.AGREEMENT, c.manager_texts) for c in COMPETENCIES),
        QuestionSpec(
            QuestionType.TEXT,
            {
                "en": "Would you like to add a comment to this assessment?",
                "de": "Möchten Sie diese Einschätzung kommentieren?",
                "fr": "Souhaitez-vous ajouter un commentaire à cette évaluation ?",
            },
            required=False,
        ),
    ),
)

TEMPLATES: dict[str, Template] = {
    template.key: template
    for template in (
        RELATIONSHIP_NPS,
        CSAT_CLOSED_DEAL,
        EMPLOYEE_PULSE,
        SELF_ASSESSMENT,
        MANAGER_ASSESSMENT,
    )
}
