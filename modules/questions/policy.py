"""The organisation's rules for questions, read from the module's settings."""

from dataclasses import dataclass

from core.modules.settings import module_settings_get

from .workflow import Clock

MEGABYTE = 1024 * 1024


def questions_clock() -> Clock:
    """Answer time in working days and the holidays that apply, as the organisation set them."""
    values = module_settings_get("questions")
    return Clock(delay_days=int(values["answer_delay_working_days"]), alsace_moselle=bool(values["alsace_moselle"]))


@dataclass(frozen=True)
class AttachmentLimits:
    """What a question or a message may carry."""

    max_size: int  # bytes per file
    max_count: int  # files per message


def attachment_limits() -> AttachmentLimits:
    """Size and number of files per message, as the organisation set them."""
    values = module_settings_get("questions")
    return AttachmentLimits(
        max_size=int(values["attachment_max_mb"]) * MEGABYTE, max_count=int(values["attachment_max_count"])
    )
