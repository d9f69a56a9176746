"""Password validators of the policy: an upper bound on length and a zxcvbn strength score."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .strength import SCORE_LABELS, password_strength, user_words


class MaximumLengthValidator:
    """Refuse absurdly long input (hashing and scoring cost), far above what anyone types."""

    def __init__(self, max_length: int = 256):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Ce mot de passe est trop long : %(max)d caractère au maximum.",
                    "Ce mot de passe est trop long : %(max)d caractères au maximum.",
                    self.max_length,
                )
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Au plus %(max)d caractères.") % {"max": self.max_length}


class StrengthValidator:
    """Refuse a password zxcvbn scores below `min_score` (0-4), giving its advice in French."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        strength = password_strength(password, user_inputs=user_words(user))
        if strength.score >= self.min_score:
            return
        advice = " ".join(part for part in [strength.warning, *strength.suggestions] if part)
        message = _("Ce mot de passe est trop facile à deviner (force : %(label)s).") % {"label": strength.label}
        raise ValidationError(f"{message} {advice}".strip(), code="password_too_weak")

    def get_help_text(self) -> str:
        return _("Le mot de passe doit être au moins « %(label)s » : une phrase de quelques mots convient.") % {
            "label": str(SCORE_LABELS[self.min_score]).lower()
        }
