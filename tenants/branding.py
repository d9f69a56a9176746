"""Logo checks: the type comes from the image content, never from the file name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 1_048_576
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}  # Pillow's format → stored extension
LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}  # stored extension → served type


def logo_check(upload) -> None:
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Le logo ne doit pas dépasser 1 Mo."), code="logo_size")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("Le logo doit être une image PNG, JPEG ou WebP."), code="logo_type") from exc
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("Le logo doit être une image PNG, JPEG ou WebP."), code="logo_type")
    # The stored name takes its extension from the content.
    upload.name = f"logo.{LOGO_FORMATS[image_format]}"
