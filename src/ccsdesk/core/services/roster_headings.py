"""The column headings of a roster file: the ones we write, and the many ones we recognise.

Secretariats name their columns in many ways ("Prénom(s)", "Nom et prénoms", "Tél.",
"Collège", "Qualité"…). Headings are compared folded (``fold_key``: no case, accents or
punctuation), first whole, then with any parenthesised part removed ("Sexe (F/M)"). The
export writes the first synonym of each field, so an exported file always imports back.

Headings and cell words written to files are French data, like the seeded category labels:
the file format is the one Malian secretariats use, whatever the interface language.
"""

from __future__ import annotations

import re

from ccsdesk.core.text import fold_key

# Field ids, in the order the export writes them.
FIELDS: tuple[str, ...] = (
    "last_name", "first_names", "sex", "category", "organisation", "role", "phone", "email",
    "mandate_start", "mandate_end", "active",
)

# The heading the export writes for each field (French file data, see the module docstring).
EXPORT_HEADINGS: dict[str, str] = {
    "last_name": "Nom",
    "first_names": "Prénoms",
    "sex": "Sexe",
    "category": "Catégorie",
    "organisation": "Organisation",
    "role": "Fonction",
    "phone": "Téléphone",
    "email": "E-mail",
    "mandate_start": "Début de mandat",
    "mandate_end": "Fin de mandat",
    "active": "Actif",
}

# Cell words the export writes for the bureau role; ``member_fields.parse_role`` reads them.
EXPORT_ROLES: dict[str, str] = {
    "president": "Président",
    "vice_president": "Vice-président",
    "secretary": "Secrétaire",
    "member": "Membre",
    "guest": "Invité",
}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "nom et prenom", "nom et prenoms", "nom et prenom s", "noms et prenoms",
        "nom s et prenom s", "nom prenom", "nom prenoms", "noms prenoms", "nom complet",
        "prenom et nom", "prenoms et nom", "prenom s et nom", "prenoms et noms",
        "prenom nom", "prenoms nom", "nom et prenoms du membre", "identite",
        "prenoms et nom du membre", "nom et prenom du membre", "full name", "name",
        "membre", "membres",
    ),
    "last_name": (
        "nom", "noms", "nom de famille", "nom du membre", "patronyme", "last name",
        "family name", "surname",
    ),
    "first_names": (
        "prenoms", "prenom", "prenom s", "first names", "first name", "given names",
    ),
    "sex": ("sexe", "genre", "sex", "gender", "s", "h f", "f m", "m f", "f h", "civilite"),
    "category": (
        "categorie", "categories", "college", "colleges", "categorie de membre",
        "categorie socio professionnelle", "composante", "category",
    ),
    "organisation": (
        "organisation", "structure", "service", "institution", "organisme",
        "structure d origine", "service d origine", "structure service",
        "structure de provenance", "provenance", "representant de", "entite",
        "organisation structure", "organization",
    ),
    "role": (
        "fonction", "role", "qualite", "fonction au bureau", "role au bureau",
        "fonction au sein du ccs", "qualite au sein du ccs", "fonction dans le ccs",
        "poste", "poste au bureau", "responsabilite", "bureau role", "function",
    ),
    "phone": (
        "telephone", "tel", "tel portable", "telephone portable", "contact", "contacts",
        "contact telephonique", "numero de telephone", "n de telephone", "no de telephone",
        "n telephone", "cel", "cell", "cellulaire", "mobile", "portable", "phone",
    ),
    "email": (
        "e mail", "email", "courriel", "mail", "adresse e mail", "adresse email",
        "adresse electronique", "adresse mail",
    ),
    "mandate_start": (
        "debut de mandat", "date de debut", "debut du mandat", "date de debut de mandat",
        "date de debut du mandat", "debut mandat", "date debut mandat", "date debut",
        "debut", "mandate start", "mandate starts",
    ),
    "mandate_end": (
        "fin de mandat", "date de fin", "fin du mandat", "date de fin de mandat",
        "date de fin du mandat", "fin mandat", "date fin mandat", "date fin", "fin",
        "echeance du mandat", "mandate end", "mandate ends",
    ),
    "active": ("actif", "active", "actif ve", "statut", "etat", "en activite", "en fonction"),
}

_BY_KEY: dict[str, str] = {key: field for field, keys in _SYNONYMS.items() for key in keys}
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def field_for(heading: str) -> str | None:
    """The field id a heading names, or ``None`` for a column the roster does not keep."""
    key = fold_key(heading)
    if not key:
        return None
    if key in _BY_KEY:
        return _BY_KEY[key]
    bare = fold_key(_PARENTHESES.sub(" ", heading))
    return _BY_KEY.get(bare)
