"""How hard a password is to guess (zxcvbn), with its feedback in French."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from zxcvbn import zxcvbn

# zxcvbn refuses longer input and its matching grows fast with length: judge the first 72
# characters, which already hold far more than the required strength when they are not weak.
EVALUATED_LENGTH = 72

SCORE_LABELS = {
    0: _("Très faible"),
    1: _("Faible"),
    2: _("Moyen"),
    3: _("Fort"),
    4: _("Très fort"),
}

# zxcvbn's messages (English, fixed strings of zxcvbn.feedback) and their French wording.
FEEDBACK_FR = {
    "Add another word or two. Uncommon words are better.": _("Ajoutez un ou deux mots, de préférence peu courants."),
    "Capitalization doesn't help very much.": _("Les majuscules n'aident pas beaucoup."),
    "Reversed words aren't much harder to guess.": _("Un mot écrit à l'envers n'est guère plus difficile à deviner."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _(
        "Les substitutions prévisibles, comme « @ » au lieu de « a », n'aident pas beaucoup."
    ),
    "Use a few words, avoid common phrases.": _("Utilisez quelques mots, en évitant les expressions courantes."),
    "No need for symbols, digits, or uppercase letters.": _(
        "Inutile d'ajouter des symboles, des chiffres ou des majuscules."
    ),
    "Straight rows of keys are easy to guess.": _("Les rangées de touches du clavier sont faciles à deviner."),
    "Short keyboard patterns are easy to guess.": _("Les motifs courts sur le clavier sont faciles à deviner."),
    "This is a top-10 common password.": _("C'est l'un des 10 mots de passe les plus courants."),
    "This is similar to a commonly used password.": _("Il ressemble à un mot de passe courant."),
    "A word by itself is easy to guess.": _("Un mot seul est facile à deviner."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _(
        "Tout en majuscules est presque aussi facile à deviner que tout en minuscules."
    ),
    "Use a longer keyboard pattern with more turns.": _("Utilisez un motif de clavier plus long et plus sinueux."),
    'Repeats like "aaa" are easy to guess.': _("Les répétitions comme « aaa » sont faciles à deviner."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _(
        "Les répétitions comme « abcabcabc » sont à peine plus difficiles à deviner que « abc »."
    ),
    "This is a top-100 common password.": _("C'est l'un des 100 mots de passe les plus courants."),
    "This is a very common password.": _("C'est un mot de passe très courant."),
    "Names and surnames by themselves are easy to guess.": _("Un nom ou un prénom seul est facile à deviner."),
    "Common names and surnames are easy to guess.": _("Les noms et prénoms courants sont faciles à deviner."),
    "Avoid repeated words and characters.": _("Évitez les mots et caractères répétés."),
    'Sequences like "abc" or "6543" are easy to guess.': _(
        "Les suites comme « abc » ou « 6543 » sont faciles à deviner."
    ),
    "Avoid sequences.": _("Évitez les suites."),
    "Recent years are easy to guess.": _("Les années récentes sont faciles à deviner."),
    "Dates are often easy to guess.": _("Les dates sont souvent faciles à deviner."),
    "Avoid recent years.": _("Évitez les années récentes."),
    "Avoid years that are associated with you.": _("Évitez les années liées à vous."),
    "Avoid dates and years that are associated with you.": _("Évitez les dates et années liées à vous."),
}


def _french(message: str) -> str:
    """zxcvbn's message in French; an unknown one (newer zxcvbn) is dropped rather than shown in English."""
    translated = FEEDBACK_FR.get(message)
    return str(translated) if translated is not None else ""


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (guessed at once) to 4 (very hard)
    warning: str = ""
    suggestions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(SCORE_LABELS[self.score])


def password_strength(password: str, *, user_inputs: list[str] | None = None) -> Strength:
    """Score `password` from 0 to 4; words of the person (e-mail, name) count as easy guesses."""
    if not password:
        return Strength(score=0)
    inputs = [value for value in (user_inputs or []) if value]
    result = zxcvbn(password[:EVALUATED_LENGTH], user_inputs=inputs)
    feedback = result["feedback"]
    suggestions = [text for text in (_french(message) for message in feedback["suggestions"]) if text]
    return Strength(score=int(result["score"]), warning=_french(feedback["warning"]), suggestions=suggestions)


def user_words(user=None, *extra: str) -> list[str]:
    """Words a guesser would try first for this person: e-mail, its local part, name."""
    words = list(extra)
    if user is not None:
        email = getattr(user, "email", "") or ""
        words += [email, email.split("@")[0], getattr(user, "full_name", "") or ""]
    return [word for word in words if word]
