"""The one validator for files residents and staff upload: images and documents.

Nothing about an upload is trusted: its name, extension and declared content type are
ignored, the real type is sniffed from the bytes. Images are decoded and re-encoded so
that no metadata (EXIF with GPS position, XMP, ICC, text chunks, comments) survives,
and their pixel count is checked from the header before any decoding, which defeats
decompression bombs. Every accepted file gets a fresh random name.

Errors are ``ValidationError`` with codes ``too_large``, ``too_many_pixels``,
``unsupported_type`` and ``corrupt``, so forms show them next to the field.
"""

import io
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError


@dataclass(frozen=True)
class ImageType:
    extension: str
    content_type: str
    save_options: dict


IMAGE_TYPES = {
    "JPEG": ImageType("jpg", "image/jpeg", {"quality": 85, "optimize": True}),
    "PNG": ImageType("png", "image/png", {"optimize": True}),
    "WEBP": ImageType("webp", "image/webp", {"quality": 85}),
}

# Document kinds: what we call them, their extension and content type.
DOCUMENT_TYPES = {
    "pdf": ("pdf", "application/pdf"),
    "jpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "webp": ("webp", "image/webp"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
DEFAULT_DOCUMENT_KINDS = ("pdf", "png", "jpeg", "odt", "ods", "docx", "xlsx")

# How each ODF kind declares itself in its "mimetype" entry.
_ODF_MIMETYPES = {kind: DOCUMENT_TYPES[kind][1].encode() for kind in ("odt", "ods")}
# How each OOXML kind declares its main part in [Content_Types].xml.
_OOXML_MAIN_PARTS = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# Enough of a ZIP entry to recognise it, never the whole (possibly huge) inflated entry.
_ZIP_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image without metadata, ready to save in a FileField/ImageField."""

    content: ContentFile
    format: str
    width: int
    height: int
    content_type: str


@dataclass(frozen=True)
class CleanDocument:
    """A document whose real type is known, under a safe generated name."""

    content: ContentFile
    kind: str
    content_type: str


def validate_image(
    uploaded: UploadedFile | File,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> CleanImage:
    """Check an uploaded JPEG, PNG or WebP and return it re-encoded without metadata.

    The limits default to the LUTETIA_UPLOAD_MAX_IMAGE_BYTES and LUTETIA_UPLOAD_MAX_PIXELS
    settings (read at call time). Only the first frame of an animated image is kept.
    """
    max_bytes = max_bytes or settings.LUTETIA_UPLOAD_MAX_IMAGE_BYTES
    data = _read_capped(uploaded, max_bytes)
    image_format, image = _decode_image(data, max_pixels or settings.LUTETIA_UPLOAD_MAX_PIXELS)
    return CleanImage(
        content=_encode(image, image_format),
        format=image_format,
        width=image.width,
        height=image.height,
        content_type=IMAGE_TYPES[image_format].content_type,
    )


def make_thumbnail(image: CleanImage | bytes, *, size: tuple[int, int] = (400, 400)) -> ContentFile:
    """A copy that fits in ``size`` (aspect ratio kept, never enlarged), in the same format."""
    if isinstance(image, CleanImage):
        image.content.open()
        data = image.content.read()
        image.content.seek(0)
    else:
        data = image
    image_format, decoded = _decode_image(data, settings.LUTETIA_UPLOAD_MAX_PIXELS)
    decoded.thumbnail(size)
    return _encode(decoded, image_format)


@contextmanager
def files_removed_on_error() -> Iterator[list[str]]:
    """Yield a list to note stored file names in; delete those files if the block fails.

    Wrap the body of an atomic write that stores files, so a refused or rolled-back
    submission leaves no orphan file behind in storage.
    """
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def validate_document(
    uploaded: UploadedFile | File,
    *,
    max_bytes: int | None = None,
    allowed: tuple[str, ...] = DEFAULT_DOCUMENT_KINDS,
) -> CleanDocument:
    """Check an uploaded document's real type (one of ``allowed``, see DOCUMENT_TYPES).

    Images among the allowed kinds go through ``validate_image`` and come back stripped
    of their metadata. ``max_bytes`` defaults to LUTETIA_UPLOAD_MAX_DOCUMENT_BYTES.
    """
    max_bytes = max_bytes or settings.LUTETIA_UPLOAD_MAX_DOCUMENT_BYTES
    data = _read_capped(uploaded, max_bytes)
    kind = _sniff_document(data)
    if kind not in allowed:
        raise _unsupported(allowed)
    if kind in ("jpeg", "png", "webp"):
        image = validate_image(ContentFile(data), max_bytes=max_bytes)
        return CleanDocument(content=image.content, kind=kind, content_type=image.content_type)
    extension, content_type = DOCUMENT_TYPES[kind]
    return CleanDocument(
        content=ContentFile(data, name=_safe_name(extension)), kind=kind, content_type=content_type
    )


class ImageUploadField(forms.FileField):
    """A form field whose cleaned value is a ``CleanImage`` (or the unchanged initial file)."""

    def __init__(self, *, max_bytes: int | None = None, max_pixels: int | None = None, **kwargs):
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": "image/jpeg,image/png,image/webp"}

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not isinstance(value, UploadedFile):
            return value
        return validate_image(value, max_bytes=self.max_bytes, max_pixels=self.max_pixels)


class DocumentUploadField(forms.FileField):
    """A form field whose cleaned value is a ``CleanDocument`` (or the unchanged initial file)."""

    def __init__(
        self,
        *,
        max_bytes: int | None = None,
        allowed: tuple[str, ...] = DEFAULT_DOCUMENT_KINDS,
        **kwargs,
    ):
        self.max_bytes = max_bytes
        self.allowed = allowed
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        accept = ",".join(f".{DOCUMENT_TYPES[kind][0]}" for kind in self.allowed)
        return {**super().widget_attrs(widget), "accept": accept}

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not isinstance(value, UploadedFile):
            return value
        return validate_document(value, max_bytes=self.max_bytes, allowed=self.allowed)


def _read_capped(uploaded: File, max_bytes: int) -> bytes:
    """The file's bytes, reading at most one byte past the limit to detect an oversize."""
    uploaded.open()
    data = uploaded.read(max_bytes + 1)
    uploaded.seek(0)
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is too large: %(max)s at most."),
            code="too_large",
            params={"max": filesizeformat(max_bytes)},
        )
    return data


def _decode_image(data: bytes, max_pixels: int) -> tuple[str, Image.Image]:
    """The image's format and its upright pixels without metadata.

    The pixel count comes from the header and is checked before anything is decoded;
    Pillow's own decompression bomb warning counts as an error too.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES)).verify()
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES))
            if image.width * image.height > max_pixels:
                raise _too_many_pixels(max_pixels)
            image.load()
            return image.format, _upright_pixels(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(max_pixels) from error
    except UnidentifiedImageError as error:
        raise _unsupported(("jpeg", "png", "webp")) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(_corrupt_message(), code="corrupt") from error


def _upright_pixels(image: Image.Image) -> Image.Image:
    """A new image turned by its EXIF orientation, in a mode every encoder stores, no info.

    The encoders read ICC profiles, comments and transparency from ``info``; emptying it
    (after moving palettes and transparency into plain RGB/RGBA) leaves only pixels.
    """
    keep = ("L", "RGB") if image.format == "JPEG" else ("L", "LA", "RGB", "RGBA")
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in keep:
        upright = upright.convert("RGBA" if has_alpha and "RGBA" in keep else "RGB")
    upright.info = {}
    return upright


def _encode(image: Image.Image, image_format: str) -> ContentFile:
    image_type = IMAGE_TYPES[image_format]
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **image_type.save_options)
    return ContentFile(buffer.getvalue(), name=_safe_name(image_type.extension))


def _sniff_document(data: bytes) -> str | None:
    """The document kind the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def _sniff_zip(data: bytes) -> str | None:
    """ODF declares itself in a ``mimetype`` entry, OOXML in ``[Content_Types].xml``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = _read_entry(archive, "mimetype").strip()
                return next(
                    (kind for kind, declared in _ODF_MIMETYPES.items() if declared == mimetype),
                    None,
                )
            if "[Content_Types].xml" in names:
                content_types = _read_entry(archive, "[Content_Types].xml")
                return next(
                    (kind for kind, part in _OOXML_MAIN_PARTS.items() if part in content_types),
                    None,
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise ValidationError(_corrupt_message(), code="corrupt") from error
    return None


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as entry:
        return entry.read(_ZIP_SNIFF_BYTES)


def _safe_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def _too_many_pixels(max_pixels: int) -> ValidationError:
    return ValidationError(
        _("The image is too large: %(max)s megapixels at most."),
        code="too_many_pixels",
        params={"max": f"{max_pixels / 1_000_000:g}"},
    )


def _unsupported(allowed: tuple[str, ...]) -> ValidationError:
    return ValidationError(
        _("This type of file is not accepted. Accepted types: %(types)s."),
        code="unsupported_type",
        params={"types": ", ".join(kind.upper() for kind in allowed)},
    )


def _corrupt_message():
    return _("The file is damaged or incomplete and cannot be read.")
